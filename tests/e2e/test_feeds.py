"""Channel feeds on the real wire path (issue 12): Slack stand-in -> web -> Redis -> `igbot worker` ->
sandbox Instagram, which pushes signed real-time notifications (API v1) or is read on a schedule
(Graph API); the posts arrive in the channel through chat.postMessage, each once, in order."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator

import pytest
import redis
import requests

from bot.storage.feeds import POLLS
from tests.stack import CLIENT_SECRET, WEBHOOK_VERIFY_TOKEN, Stack, login_url, start_stack

GENERAL = "C0GENERAL"


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    running = start_stack(redis_url, api="graph")
    yield running
    running.close()


def _posts(stack: Stack, channel: str = GENERAL) -> list[str]:
    """The feed posts recorded in ``channel``, oldest first (their notification text)."""
    return [
        m.all_text()
        for m in stack.slack.messages(channel_id=channel)
        if m.source == "chat.postMessage" and "posted on Instagram" in m.text
    ]


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)  # polling what the Slack stand-in recorded


def _subscribe(stack: Stack, target: str, channel: str = GENERAL, user_id: str = "U0ALICE") -> str:
    seen = len(stack.slack.messages())
    stack.command(f"subscribe {target}", channel_id=channel, user_id=user_id)
    answer = stack.slack.wait_for(
        lambda m: m.seq > seen and m.user_id == user_id and m.source == "response_url"
    )
    return answer.all_text()


def _poll_now(stack: Stack) -> None:
    """Make every polled target due now (what the schedule does after its interval)."""
    client = stack.igbot.tier.redis
    for target in client.zrange(POLLS, 0, -1):
        client.zadd(POLLS, {target: 0})


def test_a_tag_feed_gets_each_new_post_once_in_order_until_unsubscribed(stack: Stack) -> None:
    stack.link("alice")
    answer = _subscribe(stack, "#sunset")
    assert "Subscribed" in answer
    announce = stack.slack.wait_for(
        lambda m: m.source == "chat.postMessage" and "subscribed this channel" in m.text
    )
    assert "<@U0ALICE>" in announce.text and "#sunset" in announce.text
    stack.instagram.add_media("bob", caption="First light", tags=["sunset"])
    _wait(lambda: len(_posts(stack)) == 1, "the first post did not arrive")
    stack.instagram.add_media("dan_the_man", caption="Second glow", tags=["sunset"])
    stack.instagram.add_media("bob", caption="Not this one", tags=["coffee"])
    _wait(lambda: len(_posts(stack)) == 2, "the second post did not arrive")
    stack.instagram.wait_pushes_idle()
    assert stack.wait_idle()
    posts = _posts(stack)
    assert "First light" in posts[0] and "Second glow" in posts[1] and len(posts) == 2
    stack.command("unsubscribe #sunset")
    stack.wait_message("Unsubscribed", user_id="U0ALICE")
    assert not stack.instagram.subscriptions()  # the last feed of the tag took Instagram's subscription
    stack.instagram.add_media("bob", caption="After the end", tags=["sunset"])
    stack.instagram.wait_pushes_idle()
    assert stack.wait_idle()
    assert len(_posts(stack)) == 2


def test_my_own_account_a_place_and_an_area_are_pushed(stack: Stack) -> None:
    stack.link("alice")
    assert "Subscribed" in _subscribe(stack, "me")
    place = stack.instagram.world.locations[0]
    assert "Subscribed" in _subscribe(stack, f"place {place.name}", channel="C0RANDOM")
    assert "Subscribed" in _subscribe(
        stack, f"near {place.latitude},{place.longitude} 500", channel="C0RANDOM"
    )
    stack.instagram.add_media("alice", caption="My own post")
    _wait(lambda: any("My own post" in p for p in _posts(stack)), "my own post did not arrive")
    stack.instagram.add_media("bob", caption="At the place", location_id=place.id)
    _wait(lambda: len([p for p in _posts(stack, "C0RANDOM") if "At the place" in p]) == 2, "place and area")
    assert stack.wait_idle()
    assert len([p for p in _posts(stack, "C0RANDOM") if "At the place" in p]) == 2  # once per feed


def test_another_account_is_read_on_a_schedule(stack: Stack) -> None:
    stack.link("alice")
    assert "Subscribed" in _subscribe(stack, "@dan_the_man")
    announce = [m for m in stack.slack.messages(channel_id=GENERAL) if "subscribed this channel" in m.text]
    assert "checked every 5 minutes" in announce[-1].text
    stack.instagram.add_media("dan_the_man", caption="Polled post")
    _poll_now(stack)
    _wait(lambda: any("Polled post" in p for p in _posts(stack)), "the polled post did not arrive")
    _poll_now(stack)
    assert stack.wait_idle()
    time_to_settle = time.monotonic() + 3
    while time.monotonic() < time_to_settle and stack.pending_jobs():
        time.sleep(0.05)
    assert len([p for p in _posts(stack) if "Polled post" in p]) == 1


def test_graph_feeds_of_me_another_account_and_a_tag(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    assert "Subscribed" in _subscribe(graph, "me")
    assert "Subscribed" in _subscribe(graph, "@bobs_bakery")
    tag_answer = _subscribe(graph, "#sourdough")
    assert "weekly hashtag slots" in tag_answer
    graph.instagram.add_graph_media("alice.shop", caption="Shop news")
    graph.instagram.add_graph_media("bobs_bakery", caption="Fresh #sourdough today", hashtags=["sourdough"])
    _poll_now(graph)
    _wait(lambda: any("Shop news" in p for p in _posts(graph)), "the account's own post")
    _wait(lambda: len([p for p in _posts(graph) if "sourdough" in p.lower()]) == 2, "bob's post via @ and #")
    assert graph.wait_idle()


def test_graph_has_no_place_feed_and_says_so(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    graph.command("subscribe place Dolores Park")
    graph.wait_message("no feed of places or areas", user_id="U0ALICE")


def _signed_post(stack: Stack, body: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    return requests.post(f"{stack.bot.url}/instagram/webhook", data=body, headers=headers, timeout=5)


def test_forged_replayed_and_wrong_token_pushes_change_nothing(stack: Stack) -> None:
    stack.link("alice")
    _subscribe(stack, "#sunset")
    stack.instagram.add_media("bob", caption="Real one", tags=["sunset"])
    _wait(lambda: len(_posts(stack)) == 1, "the real post did not arrive")
    delivered = [p for p in stack.instagram.pushes() if p.outcome == "delivered"]
    body = delivered[-1].body.encode()
    good = hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert _signed_post(stack, body, "0" * 40).status_code == 403
    assert _signed_post(stack, body, None).status_code == 403
    replay = _signed_post(stack, body, good)  # a retry or a replay: read again, nothing new to post
    assert replay.status_code == 200
    handshake = {"hub.mode": "subscribe", "hub.challenge": "12345", "hub.verify_token": "wrong"}
    assert requests.get(f"{stack.bot.url}/instagram/webhook", params=handshake, timeout=5).status_code == 403
    handshake["hub.verify_token"] = WEBHOOK_VERIFY_TOKEN
    assert requests.get(f"{stack.bot.url}/instagram/webhook", params=handshake, timeout=5).text == "12345"
    assert stack.wait_idle()
    assert len(_posts(stack)) == 1


def test_a_feed_pauses_when_its_link_goes_and_resumes_after_relinking(stack: Stack) -> None:
    stack.link("alice")
    _subscribe(stack, "#sunset")
    stack.command("logout")
    bye = stack.wait_message("forgot", user_id="U0ALICE")
    assert "#sunset" in bye.all_text() and "pause" in bye.all_text()
    told = [m for m in stack.slack.messages(channel_id=GENERAL) if "is paused" in m.text]
    assert len(told) == 1 and "<@U0ALICE>" in told[0].text
    stack.instagram.add_media("bob", caption="While paused", tags=["sunset"])
    stack.instagram.wait_pushes_idle()
    assert stack.wait_idle()
    assert not _posts(stack)
    stack.command("subscriptions")
    assert "paused" in stack.wait_message("This channel's Instagram feeds", user_id="U0ALICE").all_text()
    stack.command("login")
    prompt = stack.wait_message("Connect Instagram", user_id="U0ALICE")
    assert stack.approve(login_url(prompt), "alice").status_code == 200
    stack.wait_message("run again", user_id="U0ALICE")
    stack.instagram.add_media("bob", caption="Back again", tags=["sunset"])
    _wait(lambda: any("Back again" in p for p in _posts(stack)), "the resumed feed got nothing")


@pytest.mark.parametrize("fault", ["removed", "archived"])
def test_a_channel_igbot_cannot_post_to_pauses_the_feed_and_tells_its_maker(stack: Stack, fault: str) -> None:
    stack.link("alice")
    _subscribe(stack, "#sunset")
    if fault == "removed":
        stack.slack.set_bot_member(GENERAL, False)
    else:
        stack.slack.set_archived(GENERAL, True)
    stack.instagram.add_media("bob", caption="Nowhere to go", tags=["sunset"])
    dm = stack.slack.wait_for(lambda m: m.channel_id.startswith("D") and "is paused" in m.text, timeout=15)
    assert "#sunset" in dm.text
    if fault == "removed":
        stack.slack.set_bot_member(GENERAL, True)
    else:
        stack.slack.set_archived(GENERAL, False)
    assert "Subscribed" in _subscribe(stack, "#sunset")  # subscribing again resumes it
    stack.instagram.add_media("bob", caption="Back in", tags=["sunset"])
    _wait(lambda: any("Back in" in p for p in _posts(stack)), "the resumed feed got nothing")


def test_a_channel_without_igbot_is_told_to_invite_it(stack: Stack) -> None:
    stack.link("alice")
    answer = _subscribe(stack, "#sunset", channel="G0PRIVATE")
    assert "/invite @igbot" in answer
    assert stack.services.feeds.of_channel("T0SANDBOX", "G0PRIVATE") == []


def test_a_worker_killed_while_delivering_loses_and_duplicates_nothing(stack: Stack) -> None:
    stack.link("alice")
    _subscribe(stack, "#sunset")
    stack.instagram.inject_faults(1, status=None, latency_ms=3000, path_prefix="/v1/tags/")  # a slow read
    stack.instagram.add_media("bob", caption="Survives a crash", tags=["sunset"])
    _wait(
        lambda: any(str(r["path"]).startswith("/v1/tags/") for r in stack.instagram.requests_log()), "no read"
    )
    (victim,) = stack.workers.pids  # type: ignore[union-attr]
    stack.workers.kill(victim)  # type: ignore[union-attr]  # mid-delivery; another worker takes its place
    _wait(lambda: any("Survives a crash" in p for p in _posts(stack)), "the post was lost", timeout=60)
    assert stack.wait_idle(30)
    assert len([p for p in _posts(stack) if "Survives a crash" in p]) == 1


def test_a_graph_tag_feed_past_the_weekly_hashtag_limit_is_refused(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    link = graph.services.links.get("T0SANDBOX", "U0ALICE")
    limit = graph.services.instagram.hashtag_limit
    for i in range(limit.tags):
        graph.services.hashtags.record(link.ig_user_id, f"tag{i}", f"id{i}", limit)
    answer = _subscribe(graph, "#sourdough")
    assert "30" in answer and "Subscribed" not in answer
    assert graph.services.feeds.of_channel("T0SANDBOX", GENERAL) == []


def test_a_burst_of_posts_never_floods_the_channel(stack: Stack) -> None:
    stack.link("alice")
    _subscribe(stack, "@dan_the_man")  # polled: five posts wait for one read
    for i in range(5):
        stack.instagram.add_media("dan_the_man", caption=f"Burst {i}")
    _poll_now(stack)
    _wait(
        lambda: any("more new posts" in m.text for m in stack.slack.messages(channel_id=GENERAL)), "summary"
    )
    assert stack.wait_idle()
    posts = [p for p in _posts(stack) if "Burst" in p]
    assert [p.split("Burst ")[1][0] for p in posts] == ["0", "1", "2"]  # the oldest three, in order
    summary = [m for m in stack.slack.messages(channel_id=GENERAL) if "more new posts" in m.text]
    assert len(summary) == 1 and "2 more new posts" in summary[0].text
    _poll_now(stack)
    assert stack.wait_idle()
    assert len([p for p in _posts(stack) if "Burst" in p]) == 3  # the summed-up ones count as delivered
