"""The inbox's Reply modal end to end (issue 20, item 3): opened from the web tier right after the click's
ack, with the click's 3-second trigger, whatever the worker tier's backlog; what it says instead when the
comment cannot be answered or Slack does not open it; refusals told after the ack; Socket Mode too.
Real HTTP everywhere, a real Redis and `igbot worker` processes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from bot.features.inbox.actions import NOT_OPENED
from bot.slack.responder import IN_REQUEST_TIMEOUT_SECONDS
from bot.web.socket_mode import SocketModeRunner
from igbot_sandboxes.slack.socket import SocketHub
from tests.stack import Stack, start_stack

CHANNEL = "C0GENERAL"
BACKLOG = 130  # slow jobs queued ahead of the click
SLOW_MS = 500  # each one waits this long for Instagram: with 8 worker threads, about 8 s of backlog


def _stack(redis_url: str, **kw: Any) -> Stack:
    running = start_stack(redis_url, api="graph", **kw)
    running.slack.set_post_rate(None)  # the channel's 1 message/s is not what these tests are about
    return running


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    running = _stack(redis_url)
    yield running
    running.close()


def _comment(stack: Stack, text: str) -> tuple[Any, str, str]:
    """Bob's inbox on in #general and a comment on his first post: (its message, media id, comment id)."""
    stack.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    stack.command("inbox", user_id="U0BOB", channel_id=CHANNEL)
    stack.wait_message("Inbox on", user_id="U0BOB", timeout=10)
    account = next(a for a in stack.instagram.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    media = stack.instagram.graph_world.media_of(str(account["id"]))[0].id
    comment = stack.instagram.add_comment(media, "chloemurphy", text)
    top = stack.slack.wait_for(lambda m: text in m.all_text() and m.thread_ts is None, timeout=10)
    stack.instagram.wait_webhooks_idle(timeout=10)
    assert stack.wait_idle()
    return top, media, str(comment["id"])


def _reply_view(stack: Stack, user_id: str = "U0BOB", timeout: float = 10) -> Any:
    return stack.slack.wait_view(
        lambda v: v.user_id == user_id and v.callback_id == "ig_inbox_reply", timeout=timeout
    )


def _replies(stack: Stack, media: str, comment_id: str) -> list[str]:
    comments = {c["id"]: c for c in stack.instagram.comments_of(media)}
    return [r["text"] for r in comments[comment_id]["replies"]]


def test_reply_opens_at_once_behind_a_backlog_of_slow_jobs(graph: Stack) -> None:
    top, media, comment_id = _comment(graph, "open on Sundays?")
    assert graph.workers is not None
    graph.workers.stop()  # the backlog is queued while no worker runs, so that all of it waits
    graph.instagram.inject_faults(BACKLOG, status=None, latency_ms=SLOW_MS, path_prefix="/graph")
    for _ in range(BACKLOG):
        assert graph.command("me", user_id="U0BOB").ok  # each job reads the account from a slow Instagram
    graph.workers.start()
    graph.wait_workers()
    waiting = graph.pending_jobs()
    assert waiting >= 100, waiting

    click = graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
    assert click.ok, click.error
    view = _reply_view(graph)  # the stand-in opens a view only for a trigger used within its 3 s
    used_after = graph.slack.triggers.exchanged_after(click.trigger_id)
    assert used_after is not None, "views.open did not use the click's trigger"
    behind = graph.pending_jobs()
    print(
        f"views.open used the click's trigger {used_after:.3f} s after it, {behind} of {waiting} jobs waiting"
    )
    assert "chloemurphy" in str(view.view["blocks"]) and "open on Sundays?" in str(view.view["blocks"])

    graph.slack.submit_view(view, {"text": "Yes, 9 to 1!"}, user_id="U0BOB")
    assert graph.slack.open_views() == []  # accepted: the reply is queued behind the backlog
    note = graph.slack.wait_for(
        lambda m: "replied" in m.all_text() and m.thread_ts == top.ts, timeout=BACKLOG * SLOW_MS / 1000
    )
    assert "Yes, 9 to 1!" in note.all_text() and "<@U0BOB>" in note.all_text()
    assert _replies(graph, media, comment_id) == ["Yes, 9 to 1!"]
    assert graph.worker_errors() == []
    assert graph.slack.api_calls("auth.test") == []  # the web tier's Bolt never asks who it is


def test_reply_on_a_hidden_or_deleted_comment_says_so_and_opens_nothing(graph: Stack) -> None:
    top, _, comment_id = _comment(graph, "cheaper next door")
    graph.slack.click_button(top, "ig_inbox_hide", user_id="U0BOB")
    graph.slack.wait_for(lambda m: "Hidden by <@U0BOB>" in m.all_text(), timeout=10)
    # Bob's Slack still shows the message as it was, with its Reply button.
    graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
    told = graph.slack.wait_for(lambda m: "That comment is hidden" in m.all_text(), timeout=10)
    assert told.ephemeral and told.user_id == "U0BOB" and "can't be answered" in told.all_text()
    graph.slack.click_button(top, "ig_inbox_delete", user_id="U0BOB")
    graph.slack.wait_for(lambda m: "Deleted by <@U0BOB>" in m.all_text(), timeout=10)
    graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
    told = graph.slack.wait_for(lambda m: "That comment is deleted" in m.all_text(), timeout=10)
    assert told.ephemeral and told.user_id == "U0BOB"
    assert graph.wait_idle()
    assert graph.slack.open_views() == [] and graph.slack.api_calls("views.open") == []
    assert graph.services.inbox.comment(comment_id) is not None  # known, just not answerable


def test_a_reply_box_slack_did_not_open_is_told_privately_and_nothing_is_queued(
    graph: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.features.inbox.actions")
    top, _, _ = _comment(graph, "hello?")
    graph.slack.triggers.lifetime = 0.0  # every trigger has expired by the time views.open comes
    click = graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
    assert click.ok
    told = graph.slack.wait_for(lambda m: NOT_OPENED in m.all_text(), timeout=10)
    assert told.ephemeral and told.user_id == "U0BOB"
    (call,) = graph.slack.api_calls("views.open")
    assert call.error == "expired_trigger_id" and call.params["trigger_id"] == click.trigger_id
    assert graph.slack.open_views() == []
    assert graph.pending_jobs() == 0
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.features.inbox.actions"]
    assert logged == ["views.open refused the Reply modal (expired_trigger_id)"]  # Slack's code only


def test_a_click_refused_as_busy_is_told_after_its_ack(redis_client: redis.Redis, redis_url: str) -> None:
    running = _stack(redis_url, queue_limit=3)
    try:
        top, media, comment_id = _comment(running, "are you there?")
        assert running.workers is not None
        running.workers.stop()
        for _ in range(3):  # the queue is full: the next click is refused
            assert running.command("me", user_id="U0BOB").ok
        running.slack.response_urls.answer_delay = 60  # Slack takes the refusal but answers late
        try:
            click = running.slack.click_button(top, "ig_inbox_hide", user_id="U0BOB")
            told = running.wait_message("igbot is busy", user_id="U0BOB", timeout=10)
        finally:
            running.slack.response_urls.answer_delay = 0
        # The ack did not wait for that post: the web tier would have waited up to its own timeout.
        assert click.ok and click.elapsed_ms < IN_REQUEST_TIMEOUT_SECONDS * 1000, click.elapsed_ms
        assert told.ephemeral
        assert {c["id"]: c for c in running.instagram.comments_of(media)}[comment_id]["hidden"] is False
    finally:
        running.close()


def test_reply_over_socket_mode(graph: Stack) -> None:
    top, media, comment_id = _comment(graph, "do you deliver?")
    hub = SocketHub()
    hub.start()
    graph.slack.socket = hub
    runner = SocketModeRunner(graph.igbot.bolt, graph.slack.app_token, ping_interval=2.0)
    try:
        runner.start()
        assert runner.wait_connected(10)
        assert hub.wait_until(lambda h: h.connected(), 5)
        click = graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
        assert click.ok
        view = _reply_view(graph)
        assert graph.slack.triggers.exchanged_after(click.trigger_id) is not None
        graph.slack.submit_view(view, {"text": "Within 5 km."}, user_id="U0BOB")
        graph.slack.wait_for(lambda m: "replied" in m.all_text() and m.thread_ts == top.ts, timeout=10)
        assert _replies(graph, media, comment_id) == ["Within 5 km."]
        assert [d.envelope_type for d in hub.deliveries()].count("interactive") == 2
        assert all(d.acked for d in hub.deliveries())
    finally:
        runner.stop()
        hub.stop()
