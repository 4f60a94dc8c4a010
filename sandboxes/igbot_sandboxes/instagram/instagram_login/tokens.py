"""Instagram Login codes and Instagram user tokens.

Codes are single use, bound to the app and redirect URI, and live `CODE_TTL` (one hour) on the sandbox
clock.  Tokens are opaque ``IGAA…`` strings: short-lived ones (`SHORT_TTL`) come from the code exchange
and can be exchanged once for a long-lived one (`LONG_TTL`, 60 days); a long-lived token at least
`REFRESH_MIN_AGE` old and unexpired can be refreshed into a new 60-day one.  Thread-safe.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass

from igbot_sandboxes.instagram.graph.errors import TOKEN_SUBCODE_MESSAGES, GraphError

CODE_TTL = 3600.0  # seconds: "valid for 1 hour and can be used once"
SHORT_TTL = 3600  # seconds: a short-lived Instagram user token lasts an hour
LONG_TTL = 5184000  # seconds: 60 days, what both the exchange and the refresh report
REFRESH_MIN_AGE = 86400.0  # seconds: a token must be at least 24 hours old to be refreshed
BASIC_SCOPE = "instagram_business_basic"
KNOWN_SCOPES = (
    BASIC_SCOPE,
    "instagram_business_manage_messages",
    "instagram_business_manage_comments",
    "instagram_business_content_publish",
    "instagram_business_manage_insights",
)
CODE_INVALID = "Invalid authorization code"
CODE_USED = "This authorization code has been used"
REDIRECT_MISMATCH = "Error validating verification code. Please make sure your redirect_uri is identical"
TOO_NEW = "(#100) The access token can only be refreshed once it is at least 24 hours old"
FORCED_FAILURE = TOKEN_SUBCODE_MESSAGES[460]
_ALPHABET = string.ascii_letters + string.digits


def parse_scopes(raw: str | None) -> tuple[str, ...] | None:
    """Scopes from a comma- or space-separated ``scope``, in `KNOWN_SCOPES` order.

    Returns None when one is unknown or ``instagram_business_basic`` is missing.
    """
    names = {n for n in (raw or "").replace(",", " ").split() if n}
    if BASIC_SCOPE not in names or any(n not in KNOWN_SCOPES for n in names):
        return None
    return tuple(s for s in KNOWN_SCOPES if s in names)


@dataclass(frozen=True)
class LoginGrant:
    """Which professional account a code or token acts for, for which app, with which permissions."""

    ig_user_id: str
    client_id: str
    scopes: tuple[str, ...]


@dataclass
class LoginToken:
    """A token's live record (times on the sandbox clock)."""

    grant: LoginGrant
    long_lived: bool
    issued_at: float
    expires_at: float
    exchanged: bool = False


@dataclass
class _Code:
    grant: LoginGrant
    redirect_uri: str
    issued_at: float
    used: bool = False


class LoginTokenStore:
    """Issues, exchanges and refreshes Instagram Login codes and tokens."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, LoginToken] = {}
        self._failing_refreshes = 0

    def reset(self) -> None:
        """Forget every code and token and any armed refresh failure."""
        with self._lock:
            self._codes.clear()
            self._tokens.clear()
            self._failing_refreshes = 0

    def issue_code(self, grant: LoginGrant, redirect_uri: str) -> str:
        """A new single-use code for ``grant``, bound to ``redirect_uri``."""
        code = "AQ" + secrets.token_urlsafe(96)
        with self._lock:
            self._codes[code] = _Code(grant, redirect_uri, self._clock())
        return code

    def exchange_code(self, code: str, client_id: str, redirect_uri: str) -> tuple[str, LoginToken]:
        """Trade a code for a short-lived token (the code is used up only on success).

        Raises:
            GraphError: 100 for an unknown, foreign, expired or used code or a different redirect URI.
        """
        with self._lock:
            pending = self._codes.get(code)
            if pending is None or pending.grant.client_id != client_id:
                raise GraphError(100, CODE_INVALID)
            if self._clock() - pending.issued_at > CODE_TTL:
                raise GraphError(100, "This authorization code has expired", subcode=36007)
            if pending.used:
                raise GraphError(100, CODE_USED, subcode=36009)
            if pending.redirect_uri != redirect_uri:
                raise GraphError(100, REDIRECT_MISMATCH, subcode=36008)
            pending.used = True
            return self._new_locked(pending.grant, long_lived=False)

    def issue(self, grant: LoginGrant, long_lived: bool = True) -> tuple[str, LoginToken]:
        """A token for ``grant`` without the login flow (the test control's shortcut)."""
        with self._lock:
            return self._new_locked(grant, long_lived)

    def _new_locked(self, grant: LoginGrant, long_lived: bool) -> tuple[str, LoginToken]:
        token = "IGAA" + "".join(secrets.choice(_ALPHABET) for _ in range(150))
        now = self._clock()
        record = LoginToken(grant, long_lived, now, now + (LONG_TTL if long_lived else SHORT_TTL))
        self._tokens[token] = record
        return token, record

    def _live_locked(self, token: str) -> LoginToken:
        record = self._tokens.get(token)
        if record is None:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self._clock() >= record.expires_at:
            raise GraphError(190, "Error validating access token: Session has expired.", subcode=463)
        return record

    def lookup(self, token: str) -> LoginToken:
        """The live record of ``token``.

        Raises:
            GraphError: 190 (unknown) or 190/463 (expired).
        """
        with self._lock:
            return self._live_locked(token)

    def exchange_short(self, short: str, client_id: str) -> tuple[str, LoginToken]:
        """Trade a live, unexchanged short-lived token of this app for a long-lived one.

        Raises:
            GraphError: 190 for an unknown, expired, foreign, long-lived or already exchanged token.
        """
        with self._lock:
            record = self._live_locked(short)
            if record.grant.client_id != client_id:
                raise GraphError(190, "Error validating access token: the token belongs to another app.")
            if record.long_lived or record.exchanged:
                raise GraphError(
                    190, "Error validating access token: only a short-lived token can be exchanged."
                )
            record.exchanged = True
            return self._new_locked(record.grant, long_lived=True)

    def fail_next_refreshes(self, count: int) -> None:
        """Make the next ``count`` refresh requests fail (190/460) whatever the token."""
        with self._lock:
            self._failing_refreshes = count

    def refresh(self, token: str) -> tuple[str, LoginToken]:
        """A new 60-day token for a live long-lived token at least 24 hours old (the old one stays
        valid until its own expiry).

        Raises:
            GraphError: 190/460 when a failure was armed; 190 for an unknown, expired or short-lived
                token; 100 for one younger than 24 hours.
        """
        with self._lock:
            if self._failing_refreshes > 0:
                self._failing_refreshes -= 1
                raise GraphError(190, FORCED_FAILURE, subcode=460)
            record = self._live_locked(token)
            if not record.long_lived:
                raise GraphError(
                    190, "Error validating access token: only a long-lived token can be refreshed."
                )
            if self._clock() - record.issued_at < REFRESH_MIN_AGE:
                raise GraphError(100, TOO_NEW)
            return self._new_locked(record.grant, long_lived=True)
