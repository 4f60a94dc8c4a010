"""Answers that reach the person although Slack refuses the first try, and the expiry reminder DM,
on the real wire path with `igbot worker` processes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
import requests

from bot.storage.reminders import KEY as REMINDERS
from tests.stack import TEAM, Stack, start_stack


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    running = start_stack(redis_url, api="graph")
    yield running
    running.close()


def test_a_gallery_slack_cannot_show_arrives_as_plain_text(stack: Stack) -> None:
    stack.instagram.inject_faults(50, status=404, path_prefix="/media/")  # Slack cannot download them
    stack.command("popular 2", user_id="U0BOB")
    refused = stack.slack.wait_for(lambda m: not m.valid and m.user_id == "U0BOB", timeout=10)
    assert any("downloading image failed" in e for e in refused.errors)
    shown = stack.slack.wait_for(lambda m: m.valid and m.user_id == "U0BOB", timeout=10)
    assert shown.response_type == "in_channel" and not shown.blocks
    assert "popular Instagram" in shown.text
    assert stack.wait_idle()
    assert len([m for m in stack.slack.messages() if m.valid and m.user_id == "U0BOB"]) == 1


def test_a_spent_response_url_is_answered_through_the_web_api(
    redis_client: redis.Redis, redis_url: str
) -> None:
    running = start_stack(redis_url, workers=0)
    try:
        running.link("alice")
        result = running.command("follow dan_the_man")
        for _ in range(5):  # the response URL's five uses, spent before the worker answers
            requests.post(result.response_url, json={"text": "earlier answer"}, timeout=5)
        running.workers.start()  # type: ignore[union-attr]
        message = running.wait_message("You now follow @dan_the_man", user_id="U0ALICE", timeout=15)
        assert message.source == "chat.postEphemeral" and message.channel_id == "C0GENERAL"
    finally:
        running.close()


def test_an_expiring_connection_gets_one_direct_message(graph: Stack) -> None:
    expires_at = int(time.time()) + 3 * 86400
    graph.link_graph("alice", "alice.shop", expires_at=expires_at)
    graph.services.reminders.schedule(TEAM, "U0ALICE", expires_at)  # as the callback does after a link
    dm = graph.slack.wait_for(lambda m: "expires in 2 days" in m.text, timeout=15)
    assert dm.source == "chat.postMessage" and dm.channel_id.startswith("D")
    assert "`/ig login`" in dm.text and "@alice.shop" in dm.text
    assert graph.wait_idle()
    assert len([m for m in graph.slack.messages() if "expires" in m.text]) == 1
    assert graph.igbot.tier.redis.zscore(REMINDERS, f"{TEAM}:U0ALICE:day") == expires_at - 86400


def test_linking_on_graph_schedules_both_reminders_and_logout_removes_them(graph: Stack) -> None:
    from tests.stack import login_url

    graph.command("login")
    prompt = graph.wait_message("Connect", user_id="U0ALICE")
    page = graph.approve(login_url(prompt), "bob")
    assert page.status_code == 200
    graph.wait_message("Connected as @bobs_bakery", user_id="U0ALICE")
    client = graph.igbot.tier.redis
    assert {m for m in client.zrange(REMINDERS, 0, -1)} == {f"{TEAM}:U0ALICE:week", f"{TEAM}:U0ALICE:day"}
    graph.command("logout")
    graph.wait_message("forgot", user_id="U0ALICE")
    assert client.zrange(REMINDERS, 0, -1) == []
