"""Link and state storage on a real Redis server."""

from __future__ import annotations

import redis
from cryptography.fernet import Fernet

from bot.storage.crypto import TokenCipher
from bot.storage.keys import link_key, state_key
from bot.storage.links import LinkStore
from bot.storage.states import STATE_TTL_SECONDS, StateStore

TOKEN = "1574083.abc1234.0a1b2c3d4e5f"


def _store(client: redis.Redis, *keys: str) -> LinkStore:
    return LinkStore(client, TokenCipher(list(keys)))


def test_token_is_stored_only_encrypted(redis_client: redis.Redis) -> None:
    key = Fernet.generate_key().decode()
    _store(redis_client, key).save(
        "T1", "U1", token=TOKEN, ig_user_id="42", ig_username="alice", scope="basic"
    )
    raw = redis_client.hgetall(link_key("T1", "U1"))
    assert set(raw) >= {"token", "ig_user_id", "ig_username", "scope", "linked_at"}
    assert TOKEN not in raw["token"]
    assert Fernet(key.encode()).decrypt(raw["token"].encode()).decode() == TOKEN
    dump = redis_client.dump(link_key("T1", "U1"))
    assert dump is not None
    assert TOKEN.encode() not in dump


def test_two_teams_with_the_same_user_id_do_not_share_links(redis_client: redis.Redis) -> None:
    store = _store(redis_client, Fernet.generate_key().decode())
    store.save("T1", "U1", token="t-one", ig_user_id="1", ig_username="one", scope="basic")
    store.save("T2", "U1", token="t-two", ig_user_id="2", ig_username="two", scope="basic")
    first, second = store.get("T1", "U1"), store.get("T2", "U1")
    assert first is not None and first.token == "t-one" and first.ig_username == "one"
    assert second is not None and second.token == "t-two" and second.ig_username == "two"
    assert store.delete("T1", "U1") == "one"
    assert store.get("T1", "U1") is None
    assert store.get("T2", "U1") is not None


def test_key_rotation_re_encrypts_on_next_use(redis_client: redis.Redis) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _store(redis_client, old).save("T1", "U1", token=TOKEN, ig_user_id="1", ig_username="a", scope="basic")
    before = redis_client.hget(link_key("T1", "U1"), "token")
    rotated_store = _store(redis_client, new, old)
    link = rotated_store.get("T1", "U1")
    assert link is not None and link.token == TOKEN
    after = redis_client.hget(link_key("T1", "U1"), "token")
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == TOKEN
    # Once rotated, the old key is no longer needed.
    assert _store(redis_client, new).get("T1", "U1") is not None


def test_a_token_under_an_unknown_key_reads_as_no_link(redis_client: redis.Redis) -> None:
    _store(redis_client, Fernet.generate_key().decode()).save(
        "T1", "U1", token=TOKEN, ig_user_id="1", ig_username="a", scope="basic"
    )
    assert _store(redis_client, Fernet.generate_key().decode()).get("T1", "U1") is None


def test_logout_deletes_everything_about_the_user(redis_client: redis.Redis) -> None:
    store = _store(redis_client, Fernet.generate_key().decode())
    store.save("T1", "U1", token=TOKEN, ig_user_id="1", ig_username="a", scope="basic")
    assert store.delete("T1", "U1") == "a"
    assert redis_client.keys("igbot:*") == []
    assert store.delete("T1", "U1") is None


def _issue(states: StateStore) -> str:
    return states.issue(
        team_id="T1",
        user_id="U1",
        user_name="alice",
        channel_id="C1",
        response_url="http://x/r/1",
        resume="follow bob",
    )


def test_state_is_random_single_use_and_expires(redis_client: redis.Redis) -> None:
    states = StateStore(redis_client)
    state = _issue(states)
    assert len(state) >= 43  # 32 random bytes, url-safe base64
    assert _issue(states) != state
    ttl = redis_client.ttl(state_key(state))
    assert 0 < ttl <= STATE_TTL_SECONDS
    pending = states.consume(state)
    assert (
        pending is not None
        and pending.invocation["text"] == "follow bob"
        and pending.invocation["user_id"] == "U1"
    )
    assert states.consume(state) is None
    assert states.consume("unknown") is None
    assert states.consume("") is None


def test_a_consumed_state_can_be_restored_for_the_rest_of_its_life(redis_client: redis.Redis) -> None:
    now = [1_000_000.0]
    states = StateStore(redis_client, clock=lambda: now[0])
    state = _issue(states)
    pending = states.consume(state)
    assert pending is not None
    now[0] += 100
    assert states.restore(state, pending)
    assert 0 < redis_client.ttl(state_key(state)) <= STATE_TTL_SECONDS - 100
    again = states.consume(state)
    assert again == pending
    now[0] += STATE_TTL_SECONDS
    assert not states.restore(state, again)
    assert states.consume(state) is None


def test_hashtag_budget_counts_unique_tags_in_a_rolling_window(redis_client: redis.Redis) -> None:
    from bot.instagram.models import HashtagLimit
    from bot.storage.hashtags import HashtagBudget

    now = [1_000_000.0]
    budget = HashtagBudget(redis_client, clock=lambda: now[0])
    limit = HashtagLimit(tags=3, days=7)
    assert budget.use("ig1", "a", limit).remaining == 2
    now[0] += 86400
    assert budget.use("ig1", "b", limit).remaining == 1
    assert budget.use("ig1", "A", limit).remaining == 1  # a repeat (any case) counts once
    assert budget.use("ig1", "c", limit).remaining == 0
    refused = budget.use("ig1", "d", limit)
    assert not refused.allowed and refused.remaining == 0
    assert refused.frees_in_seconds == 6 * 86400  # when "a" leaves the window
    assert budget.use("ig2", "d", limit).allowed  # per Instagram account
    now[0] += 6 * 86400 + 1
    assert budget.use("ig1", "d", limit).allowed
