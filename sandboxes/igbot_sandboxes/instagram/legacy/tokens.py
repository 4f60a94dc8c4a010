"""Authorization codes and access tokens of the legacy OAuth flow.

Codes are single-use and expire after ``code_ttl_seconds``; tokens never expire but can be revoked.
Token format follows the real API: ``<user id>.<7 hex>.<32 hex>``.  Thread-safe.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

VALID_SCOPES = frozenset({"basic", "comments", "relationships", "likes", "public_content", "follower_list"})


@dataclass(frozen=True)
class Grant:
    """What a code or token stands for."""

    user_id: str
    client_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class _PendingCode:
    grant: Grant
    redirect_uri: str
    issued_at: float


class CodeError(Exception):
    """A code exchange failed; the message is the legacy API's ``error_message``."""


class TokenStore:
    """Issues, exchanges, looks up and revokes codes and tokens."""

    def __init__(self, clock: Callable[[], float], code_ttl_seconds: float) -> None:
        self._clock = clock
        self._ttl = code_ttl_seconds
        self._lock = threading.Lock()
        self._codes: dict[str, _PendingCode] = {}
        self._tokens: dict[str, Grant] = {}

    def reset(self) -> None:
        """Forget every code and token."""
        with self._lock:
            self._codes.clear()
            self._tokens.clear()

    def issue_code(self, grant: Grant, redirect_uri: str) -> str:
        """A new authorization code bound to ``redirect_uri``."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _PendingCode(grant, redirect_uri, self._clock())
        return code

    def exchange(self, code: str, client_id: str, redirect_uri: str) -> tuple[str, Grant]:
        """Trade a code for a new token; the code is consumed only on success.

        Raises:
            CodeError: unknown, used, expired or foreign code, or a redirect URI that differs.
        """
        with self._lock:
            pending = self._codes.get(code)
            if pending is not None and self._clock() - pending.issued_at > self._ttl:
                del self._codes[code]
                pending = None
            if pending is None or pending.grant.client_id != client_id:
                raise CodeError("Matching code was not found or was already used.")
            if pending.redirect_uri != redirect_uri:
                raise CodeError("Redirect URI doesn't match original redirect URI")
            del self._codes[code]
            token = self._new_token_locked(pending.grant)
            return token, pending.grant

    def issue_token(self, grant: Grant) -> str:
        """A token without the browser flow (test helper)."""
        with self._lock:
            return self._new_token_locked(grant)

    def _new_token_locked(self, grant: Grant) -> str:
        token = f"{grant.user_id}.{secrets.token_hex(4)[:7]}.{secrets.token_hex(16)}"
        self._tokens[token] = grant
        return token

    def lookup(self, token: str) -> Grant | None:
        """The grant behind a live token, or None when unknown or revoked."""
        with self._lock:
            return self._tokens.get(token)

    def users_with_tokens(self, client_id: str) -> set[str]:
        """Ids of the users who hold a live token of ``client_id`` (who have authorized the client)."""
        with self._lock:
            return {g.user_id for g in self._tokens.values() if g.client_id == client_id}

    def revoke(self, user_id: str | None = None, token: str | None = None) -> int:
        """Revoke one token, all of a user's tokens, or (neither given) every token; returns the count."""
        with self._lock:
            doomed = [
                t
                for t, g in self._tokens.items()
                if (token is None or t == token) and (user_id is None or g.user_id == user_id)
            ]
            for t in doomed:
                del self._tokens[t]
            return len(doomed)


def parse_scope(raw: str | None) -> frozenset[str] | None:
    """Scopes from the space-separated ``scope`` parameter; omitted means ``basic``.

    Returns None for an invalid value (empty, or an unknown scope name).  ``basic`` is always granted.
    """
    if raw is None:
        return frozenset({"basic"})
    names = raw.split()
    if not names or any(n not in VALID_SCOPES for n in names):
        return None
    return frozenset(names) | {"basic"}
