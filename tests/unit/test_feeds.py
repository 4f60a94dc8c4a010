"""The feed grammar, the webhook's signature and handshake checks, and the feed store on a real Redis."""

from __future__ import annotations

import hashlib
import hmac

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import Usage
from bot.core.grammar import FeedTarget
from bot.features.feeds.grammar import Subscribe, Subscriptions, Unsubscribe
from bot.storage.feeds import DELIVERED_KEPT, Feed, FeedStore, Target
from bot.web.webhook import handshake, signed
from tests.commands import parse


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("subscribe me", FeedTarget("me")),
        ("subscribe @Bob", FeedTarget("user", "bob")),
        ("subscribe instagram.com/bob", FeedTarget("user", "bob")),
        ("subscribe #Sunset", FeedTarget("tag", "sunset")),
        ("subscribe place  Dolores   Park", FeedTarget("place", "Dolores Park")),
        ("subscribe near 37.76,-122.42", FeedTarget("near", "37.76,-122.42,1000")),
        ("subscribe near 37.76, -122.42 250", FeedTarget("near", "37.76,-122.42,250")),
    ],
)
def test_subscribe_targets(text: str, target: FeedTarget) -> None:
    assert parse(text) == Subscribe(target)
    assert parse("un" + text) == Unsubscribe(target)


@pytest.mark.parametrize(
    "text",
    [
        "subscribe",
        "subscribe me too",
        "subscribe near 91,0",
        "subscribe near 1,181",
        "subscribe near 1,2 9000",
        "subscribe near x,y",
        "subscribe place",
        "subscribe place <!channel>",
        "subscribe [/",
        "subscriptions x",
    ],
)
def test_bad_targets_get_a_usage_line(text: str) -> None:
    assert isinstance(parse(text), Usage)


def test_subscriptions_and_its_alias() -> None:
    assert parse("subscriptions") == parse("feeds") == Subscriptions()


@given(st.text(max_size=200))
def test_feed_parsing_is_total(rest: str) -> None:
    for verb in ("subscribe", "unsubscribe"):
        parse(f"{verb} {rest}")
        parse(f"{verb} near {rest}")
        parse(f"{verb} place {rest}")


def test_labels_are_inert_in_mrkdwn() -> None:
    for target in (
        FeedTarget("place", "Dolores Park"),
        FeedTarget("near", "1.5,2.5,300"),
        FeedTarget("tag", "x"),
    ):
        assert not set("<>&|") & set(target.label())


SECRET = "client-secret"
BODY = b'[{"object":"tag","object_id":"sunset","changed_aspect":"media","time":1}]'


def test_v1_and_graph_signatures_are_checked() -> None:
    sha1 = hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    sha256 = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert signed(BODY, {"X-Hub-Signature": sha1}, SECRET)
    assert signed(BODY, {"X-Hub-Signature": "sha1=" + sha1}, SECRET)
    assert signed(BODY, {"X-Hub-Signature-256": "sha256=" + sha256}, SECRET)
    assert not signed(BODY, {}, SECRET)
    assert not signed(BODY, {"X-Hub-Signature": sha1}, "another-secret")
    assert not signed(BODY + b" ", {"X-Hub-Signature": sha1}, SECRET)
    assert not signed(BODY, {"X-Hub-Signature-256": sha256}, SECRET)  # the prefix is part of it


def test_the_handshake_echoes_the_challenge_only_for_our_token() -> None:
    ok = {
        "hub.mode": "subscribe",
        "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3",
        "hub.verify_token": "vt",
    }
    assert handshake(ok, "vt") == (ok["hub.challenge"], 200)
    assert handshake({**ok, "hub.verify_token": "other"}, "vt")[1] == 403
    assert handshake({**ok, "hub.mode": "unsubscribe"}, "vt")[1] == 403
    assert handshake({**ok, "hub.challenge": "<script>"}, "vt")[1] == 200  # echoed as text/plain
    assert handshake({**ok, "hub.challenge": "x" * 201}, "vt")[1] == 403
    assert handshake(ok, None)[1] == 403  # no verify token configured: no handshake


def _feed(channel: str = "C1", target: str = "tag:sunset", owner: str = "U1") -> Feed:
    return Feed("T1", channel, target, "#sunset", owner, "alice", 1_000)


def test_a_feed_is_added_once_listed_paused_resumed_and_removed(redis_client: redis.Redis) -> None:
    store = FeedStore(redis_client)
    store.save_target(Target("tag:sunset", "#sunset", "sunset", poll_seconds=300))
    assert store.add(_feed()) and not store.add(_feed())
    assert [f.channel_id for f in store.subscribers("tag:sunset")] == ["C1"]
    assert store.pause(_feed(), "link") and not store.pause(_feed(), "link")
    assert store.add(_feed())  # subscribing again resumes it
    assert store.owned_by("T1", "U1")[0].paused == ""
    store.add(_feed("C2"))
    assert store.remove("T1", "C1", "tag:sunset")[1] is False
    assert store.remove("T1", "C2", "tag:sunset")[1] is True  # the last one takes the target with it
    assert store.target("tag:sunset") is None
    assert not [k for k in redis_client.keys("igbot:*") if "sunset" in k]


def test_delivered_media_are_bounded(redis_client: redis.Redis) -> None:
    store = FeedStore(redis_client)
    store.add(_feed())
    for i in range(DELIVERED_KEPT + 50):
        store.mark_delivered(_feed(), f"m{i}", 1_000 + i)
    seen = store.delivered(_feed())
    assert len(seen) == DELIVERED_KEPT and f"m{DELIVERED_KEPT + 49}" in seen and "m0" not in seen


def test_due_polls_go_to_one_taker(redis_client: redis.Redis) -> None:
    now = [10_000.0]
    store = FeedStore(redis_client, clock=lambda: now[0])
    store.save_target(Target("user:1", "@a", "a", poll_seconds=300))
    now[0] += 300  # the first read falls anywhere in one interval, so polls spread out
    assert store.take_due_polls() == ["user:1"]
    assert store.take_due_polls() == []  # already moved ahead
