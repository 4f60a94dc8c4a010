"""HTTP calls the sandbox makes to a subscriber's callback URL: the ``hub.challenge`` check and pushes.

Plain `http.client` on purpose: urllib3 (under requests) logs every request line at DEBUG, and the
check's query carries the subscriber's ``hub.verify_token``; nothing here logs.  Redirects are never
followed (a callback must answer itself).  Callback URLs are loopback URLs only
(`legacy.urls.is_loopback_uri`), because the sandbox runs offline.
"""

from __future__ import annotations

import http.client
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from igbot_sandboxes.instagram.legacy.urls import add_query

VERIFY_TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 64 * 1024


class CallbackError(Exception):
    """The callback could not be called: refused, timed out, or not an http(s) URL."""


@dataclass(frozen=True)
class CallbackAnswer:
    """What a callback answered."""

    status: int
    text: str


def call(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
) -> CallbackAnswer:
    """One request to ``url``; the answer's first 64 KiB.

    Raises:
        CallbackError: unreachable, timed out, or a URL that is not http(s).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackError(f"not an http URL: {url}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        text = response.read(MAX_BODY_BYTES).decode("utf-8", errors="replace")
        return CallbackAnswer(response.status, text)
    except TimeoutError:
        raise CallbackError("timeout") from None
    except (OSError, http.client.HTTPException) as exc:
        raise CallbackError(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def new_challenge() -> str:
    """A random ``hub.challenge``: 32 hex digits, like the one in a captured real check
    (``hub.challenge=15f7d1a91c1f40f8a748fd134752feb3``, stmind.hatenablog.com 2012)."""
    return secrets.token_hex(16)


def verification_failure(
    callback_url: str, verify_token: str | None, timeout: float = VERIFY_TIMEOUT_SECONDS
) -> str | None:
    """Check a callback as Instagram did before creating a subscription; None when it passed, else the
    ``error_message`` of the ``APISubscriptionError`` to answer.

    ``GET callback_url?hub.mode=subscribe&hub.challenge=<random>&hub.verify_token=<token>`` must answer
    200 with exactly the challenge (surrounding whitespace ignored) within ``timeout`` seconds.
    Messages: unreachable or too slow -> ``Unable to reach callback URL <url>`` (InstaSharp's
    Subscription endpoint docs: ``ErrorMessage="Unable to reach callback URL [url]"``); another
    status -> ``Invalid response`` (the APISubscriptionError body in urakozz/instagram-php's
    CreateSubscriptionTest); a 200 with the wrong body -> ``Challenge verification failed`` (the
    error a developer quotes in stmind.hatenablog.com, 2012).
    """
    challenge = new_challenge()
    query = {"hub.mode": "subscribe", "hub.challenge": challenge}
    if verify_token is not None:
        query["hub.verify_token"] = verify_token
    try:
        answer = call("GET", add_query(callback_url, query), timeout=timeout)
    except CallbackError:
        return f"Unable to reach callback URL {callback_url}"
    if answer.status != 200:
        return "Invalid response"
    if answer.text.strip() != challenge:
        return "Challenge verification failed"
    return None
