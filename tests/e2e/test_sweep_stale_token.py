"""A command still holding an old token must not delete the link the user has made again meanwhile
(issue 11, item 6). The race is made deterministic with the sandbox: it holds the first command's
answer (an injected latency, then 190 "token invalid") until the test has relinked the user."""

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


def _held(stack: Stack, path_part: str, timeout: float = 5.0) -> None:
    """Wait until the sandbox has received a request to ``path_part`` and not answered it yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(path_part in r["path"] and r["status"] is None for r in stack.instagram.requests_log()):
            return
        time.sleep(0.02)  # polling the sandbox's request log
    raise AssertionError(f"no held request to {path_part}: {stack.instagram.requests_log()[-5:]}")


def test_an_old_token_failing_after_a_relink_keeps_the_new_link(
    graph: Stack, redis_client: redis.Redis
) -> None:
    graph.link_graph("alice", "alice.shop")
    shop = next(a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.shop")
    media = f"/{shop['id']}/media"
    graph.instagram.inject_faults(
        1, latency_ms=1500, path_prefix=f"/graph/v25.0{media}", error_code=190, error_subcode=460
    )
    graph.command("recent 2", channel_id="C0RANDOM")
    _held(graph, media)  # the command has read its link and is waiting for Instagram
    graph.link_graph("alice", "alice.shop")  # ... while the user connects again
    answer = graph.slack.wait_for(lambda m: m.user_id == "U0ALICE" and m.channel_id == "C0RANDOM", timeout=10)
    assert redis_client.exists(link_key(TEAM, "U0ALICE")), "the new link was deleted by the old command"
    assert "connected again since" in answer.all_text(), answer.all_text()
    assert not any(b.action_id == "ig_connect" for b in answer.buttons())  # no pointless login prompt
    graph.command("recent 1")  # the new link works
    gallery = graph.slack.wait_for(lambda m: m.response_type == "in_channel" and m.channel_id == "C0GENERAL")
    assert "@alice.shop" in gallery.all_text()


def test_the_token_that_failed_is_still_removed(graph: Stack, redis_client: redis.Redis) -> None:
    graph.link_graph("alice", "alice.shop")
    graph.instagram.revoke_graph_tokens(username="alice")
    graph.command("recent 2")
    expired = graph.wait_message("connection has expired", user_id="U0ALICE")
    assert login_url(expired)
    assert not redis_client.exists(link_key(TEAM, "U0ALICE"))


def _menu(stack: Stack) -> object:
    """Alice logs in through the dialog; her two professional accounts bring the menu."""
    stack.command("login")
    prompt = stack.wait_message("Connect Instagram", user_id="U0ALICE")
    assert stack.approve(login_url(prompt), username="alice").status_code == 200
    return stack.wait_message("Which one should igbot use?", user_id="U0ALICE")


def _pick_while_relinking(stack: Stack, **fault: object) -> list[object]:
    """Pick alice.studio in the old menu; while its check of the accounts is held at the sandbox, link
    the same Slack user to bob's bobs_bakery. Returns the messages the pick produced."""
    menu = _menu(stack)
    studio = next(a for a in stack.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio")
    stack.instagram.inject_faults(1, latency_ms=1500, path_prefix="/graph/v25.0/me/accounts", **fault)
    seen = len(stack.slack.messages(user_id="U0ALICE"))
    stack.slack.select_option(menu, "ig_pick_account", studio["id"], user_id="U0ALICE")
    _held(stack, "/me/accounts")
    stack.link_graph("bob", "bobs_bakery")
    stack.slack.wait_for(
        lambda m: m.user_id == "U0ALICE" and len(stack.slack.messages(user_id="U0ALICE")) > seen
    )
    return stack.slack.messages(user_id="U0ALICE")[seen:]


def test_an_old_menu_whose_token_fails_leaves_the_new_link_alone(
    graph: Stack, redis_client: redis.Redis
) -> None:
    said = _pick_while_relinking(graph, error_code=190, error_subcode=460)
    assert redis_client.hget(link_key(TEAM, "U0ALICE"), "ig_username") == "bobs_bakery", [
        m.all_text()
        for m in said  # type: ignore[attr-defined]
    ]


def test_an_old_menu_never_writes_its_choice_into_the_new_link(
    graph: Stack, redis_client: redis.Redis
) -> None:
    said = _pick_while_relinking(graph, status=None)
    assert redis_client.hget(link_key(TEAM, "U0ALICE"), "ig_username") == "bobs_bakery", [
        m.all_text()
        for m in said  # type: ignore[attr-defined]
    ]
    assert not any("Connected as @alice.studio" in m.all_text() for m in said)  # type: ignore[attr-defined]
