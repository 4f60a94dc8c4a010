"""URL helpers shared by OAuth (redirect URIs) and real-time subscriptions (callback URLs)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_uri(uri: str) -> bool:
    """True for an absolute http(s) URI on 127.0.0.1, localhost or [::1], without fragment or userinfo."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and parts.hostname in LOOPBACK_HOSTS
        and "@" not in parts.netloc
        and not parts.fragment
        and "#" not in uri
    )


def add_query(uri: str, params: Mapping[str, str]) -> str:
    """``uri`` with ``params`` appended to its query (an existing query is kept)."""
    parts = urlsplit(uri)
    extra = urlencode(params)
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))
