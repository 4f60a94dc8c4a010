"""Rendered `/ig map` pictures in Redis, so any web process can serve ``GET /maps/<id>.png`` to Slack.

Keys (README "What is stored"):
- ``igbot:map:{id}`` string: one PNG, base64 (the bot's clients decode answers as text); 7 days.
- ``igbot:maps`` sorted set: id -> when it was made; the oldest beyond ``MAX_MAPS`` are deleted, so maps
  never use more than about ``MAX_MAPS`` x 0.4 MB.
The id is 128 random bits (``secrets.token_urlsafe(16)``): it names nothing about who asked or where.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from collections.abc import Callable

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX

MAP_SECONDS = 7 * 86400
MAX_MAPS = 2000
INDEX = f"{PREFIX}maps"
MAP_ID_RE = re.compile(r"[A-Za-z0-9_-]{22}")


def map_key(map_id: str) -> str:
    """One rendered map."""
    return f"{PREFIX}map:{map_id}"


class MapStore:
    """Rendered maps: saved by a worker, read by the web tier."""

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock

    def save(self, png: bytes) -> str:
        """Keep ``png`` for 7 days; returns its new unguessable id."""
        map_id = secrets.token_urlsafe(16)
        now = int(self._clock())
        with redis_errors():
            pipe = self._redis.pipeline()
            pipe.set(map_key(map_id), base64.b64encode(png).decode("ascii"), ex=MAP_SECONDS)
            pipe.zadd(INDEX, {map_id: now})
            pipe.zremrangebyscore(INDEX, "-inf", now - MAP_SECONDS)
            pipe.zrange(INDEX, 0, -MAX_MAPS - 1)
            old = pipe.execute()[-1]
            if old:
                self._redis.delete(*(map_key(str(i)) for i in old))
                self._redis.zrem(INDEX, *old)
        return map_id

    def load(self, map_id: str) -> tuple[bytes, int] | None:
        """The PNG and its seconds left, or None (unknown, expired or malformed id)."""
        if not MAP_ID_RE.fullmatch(map_id):
            return None
        with redis_errors():
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(map_key(map_id))
            pipe.ttl(map_key(map_id))
            data, ttl = pipe.execute()
        if not data:
            return None
        try:
            return base64.b64decode(data, validate=True), max(int(ttl), 0)
        except (binascii.Error, ValueError):
            return None
