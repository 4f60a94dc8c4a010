"""`/me/accounts` is read to its last page, within bounds (issue 11, item 11): a Facebook user whose
Instagram account is on a later answer page can link it, from the callback and from the menu."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from bot.instagram.graph.backend import ACCOUNT_PAGES
from bot.storage.keys import link_key
from tests.stack import TEAM, Stack, login_url, start_stack


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack with INSTAGRAM_API=graph."""
    running = start_stack(redis_url, api="graph")
    yield running
    running.close()


def _accounts_calls(stack: Stack) -> int:
    return sum(1 for r in stack.instagram.requests_log() if r["path"].endswith("/me/accounts"))


def test_an_account_on_the_second_page_links_at_once(graph: Stack, redis_client: redis.Redis) -> None:
    graph.instagram.add_graph_pages("bob", 29)  # bobs_bakery is now on the 30th Page: answer page 2
    graph.command("me", user_id="U0BOB")
    page = graph.approve(login_url(graph.wait_message("Connect Instagram", user_id="U0BOB")), username="bob")
    assert page.status_code == 200 and "@bobs_bakery" in page.text, page.text[:500]
    graph.wait_message("Connected as @bobs_bakery", user_id="U0BOB")
    assert redis_client.hget(link_key(TEAM, "U0BOB"), "ig_username") == "bobs_bakery"


def test_the_menu_offers_and_accepts_accounts_on_later_pages(graph: Stack) -> None:
    graph.instagram.add_graph_pages("alice", 40)  # both of alice's accounts after 40 Pages without one
    graph.command("recent 2")
    page = graph.approve(
        login_url(graph.wait_message("Connect Instagram", user_id="U0ALICE")), username="alice"
    )
    assert page.status_code == 200 and "pick" in page.text.lower()
    picker = graph.wait_message("Which one should igbot use?", user_id="U0ALICE")
    assert "alice.shop" in str(picker.payload) and "alice.studio" in str(picker.payload)
    studio = next(a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio")
    graph.slack.select_option(picker, "ig_pick_account", studio["id"], user_id="U0ALICE")
    graph.wait_message("Connected as @alice.studio", user_id="U0ALICE")
    gallery = graph.slack.wait_for(lambda m: m.response_type == "in_channel" and m.channel_id == "C0GENERAL")
    assert "@alice.studio" in gallery.all_text()


def test_paging_is_bounded(graph: Stack, redis_client: redis.Redis) -> None:
    graph.instagram.add_graph_pages("bob", 1000)  # 41 answer pages of 25: far more than igbot reads
    graph.command("login", user_id="U0BOB")
    before = _accounts_calls(graph)
    page = graph.approve(login_url(graph.wait_message("Connect Instagram", user_id="U0BOB")), username="bob")
    assert page.status_code == 200 and "No Instagram professional account" in page.text
    assert _accounts_calls(graph) - before == ACCOUNT_PAGES
    assert not redis_client.exists(link_key(TEAM, "U0BOB"))
