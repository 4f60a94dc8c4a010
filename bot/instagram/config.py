"""What every Instagram backend is configured with (`ClientConfig`, its `InstagramUrls`) and the
connection pool it shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter

USER_AGENT = "igbot"


@dataclass(frozen=True)
class InstagramUrls:
    """Where one Instagram API lives: its base URL (no trailing slash), approval page and token endpoint."""

    api: str
    authorize: str
    token: str


@dataclass(frozen=True)
class ClientConfig:
    """The registered app and where its API lives.

    Args:
        client_id: the registered client (API v1) or Meta app id (Graph API).
        client_secret: its secret; sent only to token endpoints.
        api_url: API base URL, without a trailing slash.
        authorize_url: the approval page (or login dialog).
        token_url: the code exchange endpoint.
        redirect_uri: our callback, byte-identical in both OAuth steps.
        timeout: (connect, read) seconds for every call.
        pool_size: pooled connections kept per host, shared by every user's calls.
    """

    client_id: str
    client_secret: str = field(repr=False)
    api_url: str
    authorize_url: str
    token_url: str
    redirect_uri: str
    timeout: tuple[float, float] = (3.05, 10.0)
    pool_size: int = 32


class Pool:
    """One connection pool (one ``HTTPAdapter``) shared by the app's session and every per-user session."""

    def __init__(self, size: int) -> None:
        self._adapter = HTTPAdapter(pool_connections=4, pool_maxsize=size, max_retries=0)

    def mount(self, session: requests.Session) -> requests.Session:
        """Route ``session``'s requests through the shared pool; returns it."""
        session.mount("https://", self._adapter)
        session.mount("http://", self._adapter)
        session.headers["User-Agent"] = USER_AGENT
        return session
