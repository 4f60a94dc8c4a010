"""One Instagram object that cannot be read or shown never sinks the others (issue 20, item 2): the inbox
read, the graph inbox, a feed delivery and a map over several places skip (or show plainly) the one bad
item with one log line and no traceback, and carry on with the rest in the same run. The sandbox deletes
a post between the bot's listing and its read, as its owner could; everything goes over the real wire
(signed Slack requests, real HTTP to the sandboxes, Redis, an `igbot worker` process). The reliability
harness (`make_stack`) also checks at the end that nothing logged an error or a traceback, in the web
tier or the workers, and that every job finished."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.storage import feeds as feed_store
from bot.storage import inbox as inbox_store
from tests.stack import Stack

CHANNEL = "C0GENERAL"


@pytest.fixture
def v1(make_stack: Callable[..., Stack]) -> Stack:
    running = make_stack()
    running.slack.set_post_rate(None)  # Slack's 1 message a second per channel is not the point here
    return running


@pytest.fixture
def graph(make_stack: Callable[..., Stack]) -> Stack:
    running = make_stack(api="graph")
    running.slack.set_post_rate(None)
    return running


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)  # polling what the stand-ins and Redis recorded


def _worker_lines(stack: Stack, containing: str) -> list[str]:
    assert stack.worker_log is not None
    return [line for line in stack.worker_log.read_text(errors="replace").splitlines() if containing in line]


def _requests(stack: Stack, path: str) -> list[dict[str, Any]]:
    return [r for r in stack.instagram.requests_log() if r["path"] == path]


def _inbox_on(stack: Stack) -> None:
    stack.command("inbox", user_id="U0BOB", channel_id=CHANNEL)
    stack.wait_message("Inbox on", user_id="U0BOB", timeout=10)


def _texts(stack: Stack) -> list[str]:
    return [m.all_text() for m in stack.slack.messages(channel_id=CHANNEL) if m.source == "chat.postMessage"]


def test_a_post_deleted_between_the_list_and_the_read_skips_only_that_post(v1: Stack) -> None:
    v1.link("bob", user_id="U0BOB")
    _inbox_on(v1)
    bob = v1.instagram.world.user_by_username("bob")
    account = str(bob.id)
    client = v1.igbot.tier.redis
    # The read `/ig inbox` asked for is taken (due again in a minute): from here on only this test reads.
    _wait(lambda: (client.zscore(inbox_store.POLLS, account) or 0) > time.time(), "the first read never ran")
    assert v1.wait_idle()
    gone, kept, other = [m.id for m in v1.instagram.world.media_of(account)][:3]  # newest first
    v1.instagram.add_comment(gone, "chloemurphy", "on the post about to go")
    v1.instagram.add_comment(kept, "chloemurphy", "first survivor")
    v1.instagram.add_comment(other, "aishasilva", "second survivor")
    v1.instagram.delete_media(gone, when="read")  # listed by the read, deleted before its comments are
    listed_before = len(_requests(v1, "/v1/users/self/media/recent"))
    read_before = len(_requests(v1, f"/v1/media/{gone}/comments"))

    client.zadd(inbox_store.POLLS, {account: 0})  # due now
    _wait(
        lambda: all(any(t in m for m in _texts(v1)) for t in ("first survivor", "second survivor")),
        "the other posts' comments did not arrive in the same read",
    )
    assert v1.wait_idle()
    assert not any("about to go" in m for m in _texts(v1))
    assert len(_requests(v1, "/v1/users/self/media/recent")) == listed_before + 1  # one read, no retry
    assert len(_requests(v1, f"/v1/media/{gone}/comments")) == read_before + 1
    skipped = _worker_lines(v1, f"skipped post {gone}")
    assert len(skipped) == 1 and "NotFound" in skipped[0] and " INFO " in skipped[0], skipped
    assert "access_token" not in skipped[0] and "http" not in skipped[0]
    assert v1.worker_errors() == []

    # The listing itself refused (not one post): that read is skipped with one line, the next one reads.
    v1.instagram.inject_faults(1, status=400, error_type="APINotAllowedError", path_prefix="/v1/users/self")
    client.zadd(inbox_store.POLLS, {account: 0})
    _wait(lambda: bool(_worker_lines(v1, "Instagram refused the read")), "the refused read was not noted")
    assert v1.wait_idle()
    assert len(_worker_lines(v1, "Instagram refused the read (NotAllowed)")) == 1
    assert v1.worker_errors() == []


def test_a_graph_comment_whose_post_is_gone_when_read_back_is_skipped_alone(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    account = next(a for a in graph.instagram.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    gone, kept = [m.id for m in graph.instagram.graph_world.media_of(str(account["id"]))][:2]
    graph.instagram.delete_media(gone, when="read")  # deleted after Meta announced the comment
    lost = graph.instagram.add_comment(gone, "chloemurphy", "on the post about to go")
    graph.instagram.add_comment(kept, "aishasilva", "the survivor")
    _wait(lambda: any("the survivor" in m for m in _texts(graph)), "the other comment did not arrive")
    graph.instagram.wait_webhooks_idle(timeout=10)
    assert graph.wait_idle()

    assert not any("about to go" in m for m in _texts(graph))
    assert len(_requests(graph, f"/graph/v25.0/{lost['id']}")) == 1  # gone is gone: not retried
    skipped = _worker_lines(graph, "could not be read back")
    assert len(skipped) == 1 and "NotFound" in skipped[0], skipped
    assert _worker_lines(graph, "did not answer") == []
    assert graph.worker_errors() == []


def _subscribe_polled(stack: Stack, name: str) -> None:
    seen = len(stack.slack.messages())
    stack.command(f"subscribe @{name}", user_id="U0ALICE", channel_id=CHANNEL)
    answer = stack.slack.wait_for(
        lambda m: m.seq > seen and m.user_id == "U0ALICE" and m.source == "response_url"
    )
    assert "Subscribed" in answer.all_text()


def _poll_feeds_now(stack: Stack) -> None:
    client = stack.igbot.tier.redis
    for target in client.zrange(feed_store.POLLS, 0, -1):
        client.zadd(feed_store.POLLS, {target: 0})


def _feed_posts(stack: Stack) -> list[Any]:
    return [
        m
        for m in stack.slack.messages(channel_id=CHANNEL)
        if m.source == "chat.postMessage" and m.valid and "posted on Instagram" in m.text
    ]


def test_a_feed_post_whose_picture_slack_refuses_comes_without_it_and_the_rest_follow(v1: Stack) -> None:
    v1.link("alice")
    _subscribe_polled(v1, "dan_the_man")
    assert v1.wait_idle()
    bad = v1.instagram.add_media("dan_the_man", caption="Picture nobody can fetch")
    v1.instagram.add_media("dan_the_man", caption="A fine picture")
    # Instagram's CDN refuses the older post's picture (an expired signed URL): Slack can't download it.
    v1.instagram.inject_faults(
        100, status=403, error_type="APINotAllowedError", path_prefix=f"/media/{bad.id}/"
    )

    _poll_feeds_now(v1)
    _wait(lambda: len(_feed_posts(v1)) == 2, "the feed stalled on the post Slack refused")
    assert v1.wait_idle()
    first, second = _feed_posts(v1)
    assert "Picture nobody can fetch" in first.all_text() and "A fine picture" in second.all_text()
    assert not any(b.get("type") == "image" for b in first.blocks)
    assert "Open on Instagram" in first.all_text()
    assert any(b.get("type") == "image" for b in second.blocks)
    plain = _worker_lines(v1, f"feed post {bad.id}")
    assert len(plain) == 1 and "without its picture" in plain[0], plain
    assert v1.worker_errors() == [] and _worker_lines(v1, "Retries exceeded") == []


def test_a_feed_target_instagram_will_not_show_is_skipped_with_one_line(v1: Stack) -> None:
    v1.link("alice")
    _subscribe_polled(v1, "dan_the_man")
    assert v1.wait_idle()
    dan = v1.instagram.world.user_by_username("dan_the_man")
    v1.instagram.inject_faults(
        1, status=400, error_type="APINotAllowedError", path_prefix=f"/v1/users/{dan.id}/media/recent"
    )
    _poll_feeds_now(v1)
    _wait(lambda: bool(_worker_lines(v1, "feed read skipped")), "the refused read was not noted")
    assert v1.wait_idle()
    noted = _worker_lines(v1, "feed read skipped")
    assert len(noted) == 1 and "NotAllowed" in noted[0], noted
    assert v1.worker_errors() == []
    v1.instagram.add_media("dan_the_man", caption="After the refusal")
    _poll_feeds_now(v1)  # the next read works again
    _wait(lambda: any("After the refusal" in m.all_text() for m in _feed_posts(v1)), "the feed did not go on")


def test_a_map_with_one_place_that_cannot_be_read_shows_the_other_places(v1: Stack) -> None:
    world = v1.instagram.world
    places = {loc.name: loc for loc in world.locations if loc.name.endswith(" Bridge")}
    assert len(places) == 3  # "Bridge" matches Brooklyn, Golden Gate and Tower Bridge: all three are read
    gone = places["Brooklyn Bridge"]
    v1.instagram.inject_faults(
        1,
        status=400,
        error_type="APINotFoundError",
        error_message="invalid location id",
        path_prefix=f"/v1/locations/{gone.id}/media/recent",
    )
    v1.command("map Bridge", user_id="U0ALICE", channel_id=CHANNEL)
    shown = v1.slack.wait_for(lambda m: m.valid and ":world_map:" in m.all_text(), timeout=20)
    assert v1.wait_idle()
    by_shortcode = {m.shortcode: m for m in world.media}
    linked = [
        by_shortcode[part.split("/p/", 1)[1].split("/", 1)[0]]
        for part in shown.all_text().split("<")
        if "/p/" in part
    ]
    assert linked, shown.all_text()
    assert {m.location_id for m in linked} <= {places["Golden Gate Bridge"].id, places["Tower Bridge"].id}
    assert "Brooklyn" not in shown.all_text()
    skipped = _worker_lines(v1, f"skipped place {gone.id}")
    assert len(skipped) == 1 and "NotFound" in skipped[0], skipped
    assert v1.worker_errors() == []
