"""An already-expired graph token is no link (issue 11, item 8): one "your Instagram connection has
expired" with the Connect button, no Instagram call with the dead token, and the command finishes by
itself after relinking. A token that expires within the week still gets the relink note."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from bot.storage.keys import link_key
from tests.stack import TEAM, Stack, login_url, start_stack


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack with INSTAGRAM_API=graph."""
    running = start_stack(redis_url, api="graph")
    yield running
    running.close()


def _connect_buttons(stack: Stack, user_id: str) -> int:
    return sum(
        1 for m in stack.slack.messages(user_id=user_id) for b in m.buttons() if b.action_id == "ig_connect"
    )


def test_an_expired_token_is_one_prompt_and_the_command_resumes(
    graph: Stack, redis_client: redis.Redis
) -> None:
    graph.link_graph("alice", "alice.shop", expires_at=int(time.time()) - 60)
    graph.instagram.expire_graph_tokens(username="alice")  # Instagram agrees: the token is dead
    before = len(graph.instagram.requests_log())
    graph.command("recent 2")
    prompt = graph.wait_message("connection has expired", user_id="U0ALICE")
    assert graph.wait_idle()  # the job is done: a second prompt, if any, has been sent by now
    texts = [m.all_text() for m in graph.slack.messages(user_id="U0ALICE")]
    assert not any("expires today" in t for t in texts), texts
    assert _connect_buttons(graph, "U0ALICE") == 1, texts
    assert graph.instagram.requests_log()[before:] == []  # the dead token was never sent
    assert not redis_client.exists(link_key(TEAM, "U0ALICE"))
    page = graph.approve(login_url(prompt), username="bob")  # one account: linked at once
    assert page.status_code == 200
    graph.wait_message("Connected as @bobs_bakery", user_id="U0ALICE")
    gallery = graph.slack.wait_for(lambda m: m.response_type == "in_channel" and m.channel_id == "C0GENERAL")
    assert "@bobs_bakery" in gallery.all_text()


def test_me_with_an_expired_token_says_so_once(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop", expires_at=int(time.time()) - 1)
    before = len(graph.instagram.requests_log())
    graph.command("me")
    graph.wait_message("connection has expired", user_id="U0ALICE")
    assert graph.wait_idle()  # the job is done: a second prompt, if any, has been sent by now
    assert _connect_buttons(graph, "U0ALICE") == 1
    assert graph.instagram.requests_log()[before:] == []


def test_login_with_an_expired_token_does_not_claim_a_connection(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop", expires_at=int(time.time()) - 1)
    graph.command("login")
    prompt = graph.wait_message("Connect", user_id="U0ALICE")
    assert "You're connected" not in prompt.all_text()
    assert "expired" in prompt.all_text()
