"""Distinct hashtags searched per Instagram account in a rolling window (Graph API: 30 per 7 days).

Kept as one sorted set per account, ``igbot:hashtags:{ig_user_id}``: member = tag, score = when it was
first searched. Searching a tag again neither counts again nor resets its timer, as on Instagram.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot.instagram.models import HashtagLimit
from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX

# One atomic round trip: drop expired tags, then allow (and record) or refuse.
_USE = """
local key, now, window, limit, tag = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if redis.call('ZSCORE', key, tag) then return {1, limit - count, 0} end
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, 0, math.ceil(tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', key, now, tag)
redis.call('EXPIRE', key, window)
return {1, limit - count - 1, 0}
"""


@dataclass(frozen=True)
class BudgetAnswer:
    """Whether a tag may be searched, how many new tags are left, and when the next slot frees up."""

    allowed: bool
    remaining: int
    frees_in_seconds: int


def hashtags_key(ig_user_id: str) -> str:
    """Key of the account's searched-hashtags set."""
    return f"{PREFIX}hashtags:{ig_user_id}"


class HashtagBudget:
    """Counts unique hashtags per Instagram account against a backend's limit.

    Args:
        client: a redis-py client.
        clock: seconds since the epoch, injectable for tests.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock
        self._script = client.register_script(_USE)

    def use(self, ig_user_id: str, tag: str, limit: HashtagLimit) -> BudgetAnswer:
        """Record a search of ``tag`` unless it would exceed ``limit``."""
        window = limit.days * 86400
        with redis_errors():
            allowed, remaining, frees = self._script(
                keys=[hashtags_key(ig_user_id)], args=[int(self._clock()), window, limit.tags, tag.lower()]
            )
        return BudgetAnswer(bool(allowed), int(remaining), int(frees))
