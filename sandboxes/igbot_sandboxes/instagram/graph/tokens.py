"""Facebook Login codes and Graph API user tokens.

Codes are single use and expire after ``code_ttl`` (a reused one says so: subcode 36009).  Tokens are
opaque ``EAA…`` strings: short-lived ones (`SHORT_TTL`) come from the code exchange and can be exchanged
once for a long-lived one (`LONG_TTL`).  Expired tokens answer 190/463, revoked ones 190/460 (or the
subcode given at revocation).  The sandbox clock decides expiry.  Thread-safe.

Page access tokens (`issue_page_token`, what ``GET /{page-id}?fields=access_token`` answers) act for one
Page with the permissions of the user token they came from, and live as long as it (Meta's Page token
from a long-lived user token does not expire; the sandbox gives it the user token's 60 days).  Revoking
or expiring a Facebook user's tokens takes their Page tokens with them.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from igbot_sandboxes.instagram.graph.errors import TOKEN_SUBCODE_MESSAGES, GraphError

SHORT_TTL = 5400  # seconds: a short-lived user token lasts about an hour or two
LONG_TTL = 5183944  # seconds: what Facebook reports for a fresh long-lived token (about 60 days)
KNOWN_PERMISSIONS = frozenset(
    {
        "public_profile",
        "email",
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_metadata",
        "business_management",
        "ads_management",
        "instagram_basic",
        "instagram_manage_insights",
        "instagram_manage_comments",
        "instagram_content_publish",
        "instagram_manage_messages",
    }
)
DEFAULT_GRAPH_SCOPE = "instagram_basic,pages_show_list,pages_read_engagement,instagram_manage_insights"
_ALPHABET = string.ascii_letters + string.digits
CODE_INVALID = "Invalid verification code format."
CODE_EXPIRED = "This authorization code has expired."
CODE_USED = "This authorization code has been used."
REDIRECT_MISMATCH = (
    "Error validating verification code. Please make sure your redirect_uri is identical to the one you "
    "used in the OAuth dialog request"
)


def parse_permissions(raw: str | None) -> frozenset[str] | None:
    """Permissions from a comma- (or space-) separated ``scope``; ``public_profile`` is always granted.

    Returns None when a name is not a known permission.
    """
    names = [n for n in (raw or "").replace(",", " ").split() if n]
    if any(n not in KNOWN_PERMISSIONS for n in names):
        return None
    return frozenset(names) | {"public_profile"}


@dataclass(frozen=True)
class GraphGrant:
    """Who a code or token acts for, for which app, with which permissions."""

    fb_user_id: str
    client_id: str
    scopes: frozenset[str]


@dataclass
class GraphToken:
    """A token's live record."""

    grant: GraphGrant
    long_lived: bool
    expires_at: float
    exchanged: bool = False
    dead_subcode: int | None = None  # set by revocation
    page_id: str | None = None  # set on a Page access token: the Page it acts for

    @property
    def expires_in(self) -> int:
        """The lifetime the token endpoint reports."""
        return LONG_TTL if self.long_lived else SHORT_TTL


@dataclass
class _Code:
    grant: GraphGrant
    redirect_uri: str
    issued_at: float
    used: bool = False


def _stamp(when: float) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S UTC", time.gmtime(when))


class GraphTokenStore:
    """Issues and checks codes and tokens; revokes and expires tokens."""

    def __init__(self, clock: Callable[[], float], code_ttl: float) -> None:
        self._clock = clock
        self._code_ttl = code_ttl
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, GraphToken] = {}

    def reset(self) -> None:
        """Forget every code and token."""
        with self._lock:
            self._codes.clear()
            self._tokens.clear()

    def issue_code(self, grant: GraphGrant, redirect_uri: str) -> str:
        """A new code for ``grant``, bound to ``redirect_uri``."""
        code = "AQ" + secrets.token_urlsafe(96)
        with self._lock:
            self._codes[code] = _Code(grant, redirect_uri, self._clock())
        return code

    def exchange_code(self, code: str, client_id: str, redirect_uri: str) -> tuple[str, GraphToken]:
        """Trade a code for a short-lived token (the code is used up only on success).

        Raises:
            GraphError: code 100 for an unknown (36007 expired, 36009 used) code or a different redirect URI.
        """
        with self._lock:
            pending = self._codes.get(code)
            if pending is None or pending.grant.client_id != client_id:
                raise GraphError(100, CODE_INVALID)
            if self._clock() - pending.issued_at > self._code_ttl:
                raise GraphError(100, CODE_EXPIRED, subcode=36007)
            if pending.used:
                raise GraphError(100, CODE_USED, subcode=36009)
            if pending.redirect_uri != redirect_uri:
                raise GraphError(100, REDIRECT_MISMATCH, subcode=36008)
            pending.used = True
            return self._new_locked(pending.grant, long_lived=False)

    def issue(self, grant: GraphGrant, long_lived: bool = True) -> tuple[str, GraphToken]:
        """A token without the dialog (test helper)."""
        with self._lock:
            return self._new_locked(grant, long_lived)

    def _new_locked(self, grant: GraphGrant, long_lived: bool) -> tuple[str, GraphToken]:
        token = "EAA" + "".join(secrets.choice(_ALPHABET) for _ in range(150))
        record = GraphToken(grant, long_lived, self._clock() + (LONG_TTL if long_lived else SHORT_TTL))
        self._tokens[token] = record
        return token, record

    def issue_page_token(self, user_token: GraphToken, page_id: str) -> str:
        """A Page access token for ``page_id`` from a live user (or Page) token: same user, permissions
        and expiry."""
        token = "EAA" + "".join(secrets.choice(_ALPHABET) for _ in range(150))
        with self._lock:
            self._tokens[token] = GraphToken(
                user_token.grant, user_token.long_lived, user_token.expires_at, True, None, page_id
            )
        return token

    def _check_locked(self, token: str) -> GraphToken:
        record = self._tokens.get(token)
        if record is None:
            raise GraphError(190)
        if record.dead_subcode is not None:
            message = TOKEN_SUBCODE_MESSAGES.get(record.dead_subcode, TOKEN_SUBCODE_MESSAGES[460])
            raise GraphError(190, message.format(app=record.grant.client_id), subcode=record.dead_subcode)
        now = self._clock()
        if now >= record.expires_at:
            message = TOKEN_SUBCODE_MESSAGES[463].format(expired=_stamp(record.expires_at), now=_stamp(now))
            raise GraphError(190, message, subcode=463)
        return record

    def lookup(self, token: str) -> GraphToken:
        """The live record of ``token``.

        Raises:
            GraphError: 190 (unknown), 190/463 (expired) or 190/460, 458, 467 (revoked).
        """
        with self._lock:
            return self._check_locked(token)

    def exchange_short(self, short: str, client_id: str) -> tuple[str, GraphToken]:
        """Trade a live short-lived token of this app for a long-lived one (once).

        Raises:
            GraphError: 190 for an unknown, dead, foreign, long-lived or already exchanged token.
        """
        with self._lock:
            record = self._check_locked(short)
            if record.grant.client_id != client_id:
                raise GraphError(190, "Error validating access token: the token belongs to another app.")
            if record.long_lived or record.exchanged:
                raise GraphError(
                    190,
                    "Error validating access token: only an unexchanged short-lived token can be exchanged.",
                )
            record.exchanged = True
            return self._new_locked(record.grant, long_lived=True)

    def _matching(self, fb_user_id: str | None, token: str | None) -> list[GraphToken]:
        return [
            r
            for t, r in self._tokens.items()
            if (token is None or t == token)
            and (fb_user_id is None or r.grant.fb_user_id == fb_user_id)
            and r.dead_subcode is None
        ]

    def revoke(self, fb_user_id: str | None = None, token: str | None = None, subcode: int = 460) -> int:
        """Invalidate live tokens (one, a user's, or with neither given every one); returns how many.

        Expired tokens stay expired (they keep answering 190/463).
        """
        with self._lock:
            now = self._clock()
            doomed = [r for r in self._matching(fb_user_id, token) if r.expires_at > now]
            for record in doomed:
                record.dead_subcode = subcode
            return len(doomed)

    def expire(self, fb_user_id: str | None = None, token: str | None = None) -> int:
        """Make matching live tokens expire now (they then answer 190/463); returns how many."""
        with self._lock:
            now = self._clock()
            doomed = [r for r in self._matching(fb_user_id, token) if r.expires_at > now]
            for record in doomed:
                record.expires_at = now
            return len(doomed)

    def users_with_tokens(self) -> int:
        """How many Facebook users hold a live token (the app's "users" for its usage percentage)."""
        with self._lock:
            now = self._clock()
            return len(
                {
                    r.grant.fb_user_id
                    for r in self._tokens.values()
                    if r.dead_subcode is None and r.expires_at > now
                }
            )
