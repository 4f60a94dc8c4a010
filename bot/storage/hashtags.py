"""Distinct hashtags searched per Instagram account in a rolling window (Graph API: 30 per 7 days).

Kept as one sorted set per account, ``igbot:hashtags:{ig_user_id}``; score = when the tag was first
searched. A member is ``name:id``: the tag's name and Instagram's (global, static) hashtag id, either of
which may be unknown: ``name:`` for a tag whose id igbot never saw (and plain ``name``, as stored by
older igbots), ``:id`` for a hashtag Instagram lists as searched (``recently_searched_hashtags``) but
igbot never searched, i.e. a search made outside igbot. Searching a tag again neither counts again nor
resets its timer, as on Instagram.

A tag is recorded only once Instagram accepted its search (`record`), and the set follows Instagram's
own list (`sync`): hashtags Instagram lists are added, and tags igbot knows the id of but Instagram no
longer lists are dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis

from bot.instagram.models import HashtagLimit
from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX

# A tag igbot recorded just before Instagram's list was read may be missing from that list for a moment:
# `sync` never drops a tag first searched less than this long before the list was read.
SYNC_GRACE_SECONDS = 600

# Shared by every script: split a member into name and id, and drop tags out of the window.
_LIB = """
local function split(member)
  local at = string.find(member, ':', 1, true)
  if not at then return member, '' end
  return string.sub(member, 1, at - 1), string.sub(member, at + 1)
end
local function prune(key, now, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
end
local function state(key, now, window, name)
  local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local known, unnamed, oldest = 0, 0, nil
  for i = 1, #members, 2 do
    local n = split(members[i])
    if name ~= '' and n == name then known = 1 end
    if n == '' then unnamed = unnamed + 1 end
    local score = tonumber(members[i + 1])
    if oldest == nil or score < oldest then oldest = score end
  end
  local frees = 0
  if oldest ~= nil then frees = math.max(0, math.ceil(oldest + window - now)) end
  return {known, #members / 2, unnamed, frees}
end
"""

# ARGV: now, window, name -> {known, used, unnamed, frees_in}
_CHECK = (
    _LIB
    + """
local key, now, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
prune(key, now, window)
return state(key, now, window, ARGV[3])
"""
)

# ARGV: now, window, name, id: the tag was searched (Instagram accepted it). Merges the members that
# name the same hashtag (by name or by id), keeping the earliest first-search time.
_RECORD = (
    _LIB
    + """
local key, now, window, name, id = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
prune(key, now, window)
local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local first = now
for i = 1, #members, 2 do
  local n, d = split(members[i])
  if (name ~= '' and n == name) or (id ~= '' and d == id) then
    if n ~= '' and name == '' then name = n end
    if d ~= '' and id == '' then id = d end
    first = math.min(first, tonumber(members[i + 1]))
    redis.call('ZREM', key, members[i])
  end
end
redis.call('ZADD', key, first, name .. ':' .. id)
redis.call('EXPIRE', key, window)
return state(key, now, window, name)
"""
)

# ARGV: now, window, listed_before, id... (Instagram's list, read at listed_before)
_SYNC = (
    _LIB
    + """
local key, now, window, before = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
prune(key, now, window)
local listed = {}
for i = 4, #ARGV do listed[ARGV[i]] = true end
local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local have = {}
for i = 1, #members, 2 do
  local n, d = split(members[i])
  if d ~= '' then
    if listed[d] or tonumber(members[i + 1]) >= before then have[d] = true
    else redis.call('ZREM', key, members[i]) end
  end
end
for i = 4, #ARGV do
  if not have[ARGV[i]] then redis.call('ZADD', key, now, ':' .. ARGV[i]); have[ARGV[i]] = true end
end
if redis.call('EXISTS', key) == 1 then redis.call('EXPIRE', key, window) end
return state(key, now, window, '')
"""
)

# ARGV: now, window, limit, name: record a search of the tag unless it would exceed the limit.
_USE = (
    _LIB
    + """
local key, now, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, name = tonumber(ARGV[3]), ARGV[4]
prune(key, now, window)
local before = state(key, now, window, name)
if before[1] == 1 then return {1, limit - before[2], 0} end
if before[2] >= limit then return {0, 0, before[4]} end
redis.call('ZADD', key, now, name .. ':')
redis.call('EXPIRE', key, window)
return {1, limit - before[2] - 1, 0}
"""
)


@dataclass(frozen=True)
class BudgetAnswer:
    """Whether a tag may be searched, how many new tags are left, and when the next slot frees up."""

    allowed: bool
    remaining: int
    frees_in_seconds: int


@dataclass(frozen=True)
class HashtagUse:
    """What counts against an account's hashtag limit now.

    Args:
        known: the tag asked about counts already (searching it again is free).
        used: distinct hashtags counting now.
        unnamed: of those, hashtags Instagram lists whose names igbot does not know (searched outside
            igbot): any new tag may be one of them.
        frees_in_seconds: when the oldest one stops counting (0 when none counts).
    """

    known: bool
    used: int
    unnamed: int
    frees_in_seconds: int

    def remaining(self, limit: HashtagLimit) -> int:
        """How many new hashtags may still be searched."""
        return max(0, limit.tags - self.used)

    def may_search(self, limit: HashtagLimit) -> bool:
        """False only when the tag is surely new and the limit surely reached: then asking Instagram
        cannot help (it would refuse). A tag that may be one of the unnamed ones is left to Instagram."""
        return self.known or self.used < limit.tags or self.unnamed > 0


def hashtags_key(ig_user_id: str) -> str:
    """Key of the account's searched-hashtags set."""
    return f"{PREFIX}hashtags:{ig_user_id}"


def _name(tag: str) -> str:
    return tag.lower().replace(":", "")  # ":" separates name and id (hashtags never contain one)


class HashtagBudget:
    """Counts unique hashtags per Instagram account against a backend's limit.

    Args:
        client: a redis-py client.
        clock: seconds since the epoch, injectable for tests.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock
        self._check = client.register_script(_CHECK)
        self._record = client.register_script(_RECORD)
        self._sync = client.register_script(_SYNC)
        self._use = client.register_script(_USE)

    def _state(self, raw: object) -> HashtagUse:
        values = [int(v) for v in raw] if isinstance(raw, list) and len(raw) == 4 else [0, 0, 0, 0]
        return HashtagUse(bool(values[0]), values[1], values[2], values[3])

    def check(self, ig_user_id: str, tag: str, limit: HashtagLimit) -> HashtagUse:
        """What counts now, and whether ``tag`` is among it; records nothing."""
        with redis_errors():
            raw = self._check(
                keys=[hashtags_key(ig_user_id)], args=[int(self._clock()), limit.days * 86400, _name(tag)]
            )
        return self._state(raw)

    def record(self, ig_user_id: str, tag: str, hashtag_id: str, limit: HashtagLimit) -> HashtagUse:
        """``tag`` (Instagram's ``hashtag_id``) was searched: Instagram accepted it, so it counts."""
        with redis_errors():
            raw = self._record(
                keys=[hashtags_key(ig_user_id)],
                args=[int(self._clock()), limit.days * 86400, _name(tag), hashtag_id.replace(":", "")],
            )
        return self._state(raw)

    def sync(
        self, ig_user_id: str, hashtag_ids: Sequence[str], limit: HashtagLimit, *, listed_at: float
    ) -> HashtagUse:
        """Follow Instagram's own list of the hashtags counting now (read at ``listed_at``): add those
        igbot did not know, drop the ones igbot knows the id of that Instagram no longer lists."""
        ids = [i.replace(":", "") for i in hashtag_ids if i]
        with redis_errors():
            raw = self._sync(
                keys=[hashtags_key(ig_user_id)],
                args=[int(self._clock()), limit.days * 86400, int(listed_at) - SYNC_GRACE_SECONDS, *ids],
            )
        return self._state(raw)

    def forget_account(self, ig_user_id: str) -> None:
        """Forget the hashtags counted for one Instagram account (its workspace removed igbot)."""
        with redis_errors():
            self._redis.delete(hashtags_key(ig_user_id))

    def use(self, ig_user_id: str, tag: str, limit: HashtagLimit) -> BudgetAnswer:
        """Record a search of ``tag`` unless it would exceed ``limit`` (without asking Instagram)."""
        window = limit.days * 86400
        with redis_errors():
            allowed, remaining, frees = self._use(
                keys=[hashtags_key(ig_user_id)], args=[int(self._clock()), window, limit.tags, _name(tag)]
            )
        return BudgetAnswer(bool(allowed), int(remaining), int(frees))
