"""The Slack user -> Instagram account link: one Redis hash per (team, user), token encrypted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from bot.instagram.models import Credentials, token_fingerprint
from bot.storage.crypto import TokenCipher, UndecryptableToken
from bot.storage.errors import redis_errors
from bot.storage.keys import link_key, team_links_pattern
from bot.storage.scan import scan

log = logging.getLogger(__name__)

# Re-encryption after a key rotation, and the fingerprint of links stored before fingerprints existed:
# only if the stored token is still the one we read, so that a logout or a relink at the same moment is
# never undone. ARGV: the ciphertext read, then field/value pairs to set.
_UPDATE_IF_UNCHANGED = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('HSET', KEYS[1], unpack(ARGV, 2))
end
return -1
"""

# Compare-and-set / compare-and-delete on the token's fingerprint (Lua cannot decrypt the token, and
# Fernet ciphertexts of one token differ, so the fingerprint is what is compared). ARGV[1]: the
# fingerprint the caller's link had, or "" to skip the comparison.
_HSET_IF_SAME_LINK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'token_fp') ~= ARGV[1] then return -2 end
return redis.call('HSET', KEYS[1], unpack(ARGV, 2))
"""
_DELETE_IF_SAME_LINK = """
if redis.call('HGET', KEYS[1], 'token_fp') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _number(fields: dict[str, str], name: str) -> int:
    """A stored number (seconds since the epoch); 0 when missing or not a plain number."""
    value = fields.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else 0


@dataclass(frozen=True)
class Link:
    """One Slack user's Instagram link, with the token decrypted.

    ``ig_user_id`` is empty while the user still has to pick one of several Instagram accounts;
    ``expires_at`` is 0 for tokens without a known expiry (API v1).
    """

    token: str
    ig_user_id: str
    ig_username: str
    scope: str
    linked_at: int
    expires_at: int = 0

    def __repr__(self) -> str:
        return f"Link(ig_user_id={self.ig_user_id!r}, ig_username={self.ig_username!r}, scope={self.scope!r})"

    @property
    def creds(self) -> Credentials:
        """What a backend needs to act as this user (its ``fingerprint`` names this link's token)."""
        return Credentials(token=self.token, ig_user_id=self.ig_user_id)

    def expired(self, now: float) -> bool:
        """True once a token with a known expiry (Graph API) has expired: such a link is no link."""
        return bool(self.expires_at) and self.expires_at <= now


class LinkStore:
    """Reads and writes ``igbot:link:{team_id}:{user_id}``.

    Args:
        client: a redis-py client with ``decode_responses=True``.
        cipher: encrypts tokens at rest.
        clock: seconds since the epoch, injectable for tests.
    """

    def __init__(
        self, client: redis.Redis, cipher: TokenCipher, clock: Callable[[], float] = time.time
    ) -> None:
        self._redis = client
        self._cipher = cipher
        self._clock = clock

    def get(self, team_id: str, user_id: str) -> Link | None:
        """The user's link, or None. A token under an old key is re-encrypted with the current one."""
        key = link_key(team_id, user_id)
        with redis_errors():
            fields: dict[str, str] = self._redis.hgetall(key)  # type: ignore[assignment]
        if not fields.get("token"):
            return None
        try:
            token, rotated = self._cipher.decrypt(fields["token"])
        except UndecryptableToken:
            log.warning("stored Instagram token cannot be decrypted with the configured keys; link ignored")
            return None
        updates: list[str] = []
        if rotated is not None:
            updates += ["token", rotated]
        if fields.get("token_fp") != token_fingerprint(token):  # stored by an igbot without fingerprints
            updates += ["token_fp", token_fingerprint(token)]
        if updates:
            with redis_errors():
                self._redis.eval(_UPDATE_IF_UNCHANGED, 1, key, fields["token"], *updates)
        return Link(
            token=token,
            ig_user_id=fields.get("ig_user_id", ""),
            ig_username=fields.get("ig_username", ""),
            scope=fields.get("scope", ""),
            linked_at=_number(fields, "linked_at"),
            expires_at=_number(fields, "expires_at"),
        )

    def save(
        self,
        team_id: str,
        user_id: str,
        *,
        token: str,
        ig_user_id: str,
        ig_username: str,
        scope: str,
        expires_at: int | None = None,
    ) -> Link:
        """Store (or replace) the user's link; returns it."""
        link = Link(token, ig_user_id, ig_username, scope, int(self._clock()), expires_at or 0)
        key = link_key(team_id, user_id)
        mapping: dict[Any, str] = {
            "token": self._cipher.encrypt(token),
            "token_fp": token_fingerprint(token),
            "ig_user_id": ig_user_id,
            "ig_username": ig_username,
            "scope": scope,
            "linked_at": str(link.linked_at),
        }
        if link.expires_at:
            mapping["expires_at"] = str(link.expires_at)
        with redis_errors():
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(key)
            pipe.hset(key, mapping=mapping)
            pipe.execute()
        return link

    def choose_account(
        self,
        team_id: str,
        user_id: str,
        *,
        ig_user_id: str,
        ig_username: str,
        token_fingerprint: str | None = None,
    ) -> bool:
        """Set which Instagram account an existing link acts as; False if the link is gone, or, given
        ``token_fingerprint`` (the ``link.creds.fingerprint`` the choice was checked with), if the link
        holds another token now: a menu from an older link never rewrites the one made since."""
        args = (token_fingerprint or "", "ig_user_id", ig_user_id, "ig_username", ig_username)
        with redis_errors():
            result = self._redis.eval(_HSET_IF_SAME_LINK, 1, link_key(team_id, user_id), *args)
        return int(result) >= 0

    def delete_if_token(self, team_id: str, user_id: str, token_fingerprint: str) -> bool:
        """Forget the user's link only if it still holds the token named by ``token_fingerprint``
        (`Credentials.fingerprint`, as carried by `LinkRejected`); True if it was deleted.

        One Lua script compares and deletes, so a command that failed with an old token never removes
        the link the user has made again meanwhile.
        """
        if not token_fingerprint:
            return False
        with redis_errors():
            deleted = self._redis.eval(_DELETE_IF_SAME_LINK, 1, link_key(team_id, user_id), token_fingerprint)
        return int(deleted) > 0

    def delete(self, team_id: str, user_id: str) -> str | None:
        """Forget the user's link and token; returns the Instagram username that was linked, if any."""
        key = link_key(team_id, user_id)
        with redis_errors():
            pipe = self._redis.pipeline(transaction=True)
            pipe.hget(key, "ig_username")
            pipe.delete(key)
            username, deleted = pipe.execute()
        return str(username or "") if deleted else None

    def users_of_team(self, team_id: str) -> set[str]:
        """The Slack users of ``team_id`` who have a link (for forgetting a team that removed igbot)."""
        return {key.rsplit(":", 1)[-1] for key in scan(self._redis, team_links_pattern(team_id))}

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self._redis.ping())
        except redis.RedisError:
            return False
