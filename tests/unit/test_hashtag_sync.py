"""The hashtag budget on a real Redis (issue 11, item 7): a tag counts once Instagram accepted it, and
the set follows Instagram's ``recently_searched_hashtags`` (ids only) without double counting."""

from __future__ import annotations

import redis

from bot.instagram.models import HashtagLimit
from bot.storage.hashtags import SYNC_GRACE_SECONDS, HashtagBudget, hashtags_key

LIMIT = HashtagLimit(tags=3, days=7)
DAY = 86400


def _budget(redis_client: redis.Redis, now: list[float]) -> HashtagBudget:
    return HashtagBudget(redis_client, clock=lambda: now[0])


def test_checking_records_nothing(redis_client: redis.Redis) -> None:
    budget = _budget(redis_client, [1_000_000.0])
    state = budget.check("ig1", "coffee", LIMIT)
    assert not state.known and state.used == 0 and state.may_search(LIMIT) and state.remaining(LIMIT) == 3
    assert not redis_client.exists(hashtags_key("ig1"))


def test_a_recorded_tag_is_known_by_name_and_by_id(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    budget = _budget(redis_client, now)
    assert budget.record("ig1", "Coffee", "1784", LIMIT).used == 1
    assert budget.check("ig1", "coffee", LIMIT).known
    now[0] += 60
    listed = budget.sync("ig1", ["1784"], LIMIT, listed_at=now[0])  # Instagram lists it: same hashtag
    assert listed.used == 1 and listed.unnamed == 0


def test_outside_searches_count_and_merge_once_igbot_searches_them(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    budget = _budget(redis_client, now)
    state = budget.sync("ig1", ["11", "22"], LIMIT, listed_at=now[0])
    assert state.used == 2 and state.unnamed == 2
    state = budget.record("ig1", "travel", "22", LIMIT)  # igbot learns 22's name
    assert state.used == 2 and state.unnamed == 1 and state.known
    assert sorted(redis_client.zrange(hashtags_key("ig1"), 0, -1)) == [":11", "travel:22"]


def test_at_the_limit_only_a_surely_new_tag_is_refused_locally(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    budget = _budget(redis_client, now)
    for tag, hashtag_id in (("a", "1"), ("b", "2"), ("c", "3")):
        budget.record("ig1", tag, hashtag_id, LIMIT)
    full = budget.check("ig1", "d", LIMIT)
    assert not full.may_search(LIMIT) and full.remaining(LIMIT) == 0 and full.frees_in_seconds == 7 * DAY
    assert budget.check("ig1", "b", LIMIT).may_search(LIMIT)  # a repeat is free
    now[0] += DAY
    budget.sync("ig1", ["1", "2", "9"], LIMIT, listed_at=now[0] - DAY)  # read before "c" was searched
    maybe = budget.check("ig1", "d", LIMIT)
    assert maybe.used == 4 and maybe.unnamed == 1 and maybe.may_search(LIMIT)  # "d" may be hashtag 9


def test_sync_drops_what_instagram_no_longer_counts_but_not_what_it_may_not_list_yet(
    redis_client: redis.Redis,
) -> None:
    now = [1_000_000.0]
    budget = _budget(redis_client, now)
    budget.record("ig1", "old", "1", LIMIT)
    now[0] += 2 * SYNC_GRACE_SECONDS
    budget.record("ig1", "fresh", "2", LIMIT)
    budget.use("ig1", "nameonly", LIMIT)  # an id igbot never saw: kept, it cannot be compared
    state = budget.sync("ig1", [], LIMIT, listed_at=now[0])
    assert state.used == 2
    assert sorted(redis_client.zrange(hashtags_key("ig1"), 0, -1)) == ["fresh:2", "nameonly:"]


def test_members_of_older_igbots_still_count(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    redis_client.zadd(hashtags_key("ig1"), {"coffee": now[0] - DAY})
    budget = _budget(redis_client, now)
    assert budget.check("ig1", "coffee", LIMIT).known
    state = budget.record("ig1", "coffee", "1784", LIMIT)
    assert state.used == 1 and state.frees_in_seconds == 6 * DAY  # its first-search time is kept
    assert redis_client.zrange(hashtags_key("ig1"), 0, -1) == ["coffee:1784"]


def test_everything_leaves_the_window(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    budget = _budget(redis_client, now)
    budget.sync("ig1", ["1"], LIMIT, listed_at=now[0])
    budget.record("ig1", "a", "2", LIMIT)
    now[0] += 7 * DAY + 1
    state = budget.check("ig1", "a", LIMIT)
    assert state.used == 0 and not state.known and state.frees_in_seconds == 0
