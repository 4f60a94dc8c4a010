"""The Slack user -> Instagram account link: one Redis hash per (team, user), token encrypted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from bot.instagram.models import Credentials
from bot.storage.crypto import TokenCipher, UndecryptableToken
from bot.storage.errors import redis_errors
from bot.storage.keys import link_key

log = logging.getLogger(__name__)

# Re-encryption after a key rotation: only if the stored token is still the one we read, so that a
# logout or a relink at the same moment is never undone.
_REENCRYPT = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('HSET', KEYS[1], 'token', ARGV[2])
end
return -1
"""

# One round trip, and no half-written hash when the link was deleted meanwhile.
_HSET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end
return -1
"""


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
        """What a backend needs to act as this user."""
        return Credentials(token=self.token, ig_user_id=self.ig_user_id)


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
        if rotated is not None:
            with redis_errors():
                self._redis.eval(_REENCRYPT, 1, key, fields["token"], rotated)
        return Link(
            token=token,
            ig_user_id=fields.get("ig_user_id", ""),
            ig_username=fields.get("ig_username", ""),
            scope=fields.get("scope", ""),
            linked_at=int(fields.get("linked_at", "0") or 0),
            expires_at=int(fields.get("expires_at", "0") or 0),
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

    def choose_account(self, team_id: str, user_id: str, *, ig_user_id: str, ig_username: str) -> bool:
        """Set which Instagram account an existing link acts as; False if the link is gone."""
        args = ("ig_user_id", ig_user_id, "ig_username", ig_username)
        with redis_errors():
            result = self._redis.eval(_HSET_IF_EXISTS, 1, link_key(team_id, user_id), *args)
        return int(result) >= 0

    def delete(self, team_id: str, user_id: str) -> str | None:
        """Forget the user's link and token; returns the Instagram username that was linked, if any."""
        key = link_key(team_id, user_id)
        with redis_errors():
            pipe = self._redis.pipeline(transaction=True)
            pipe.hget(key, "ig_username")
            pipe.delete(key)
            username, deleted = pipe.execute()
        return str(username or "") if deleted else None

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self._redis.ping())
        except redis.RedisError:
            return False
