"""The `graph` backend (today's Instagram) end to end, against the sandbox's Graph API mode."""

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


def _gallery(stack: Stack, channel_id: str = "C0GENERAL") -> object:
    return stack.slack.wait_for(
        lambda m: m.response_type == "in_channel" and m.channel_id == channel_id, timeout=5
    )


def test_link_through_the_dialog_pick_one_of_two_accounts_and_resume(graph: Stack) -> None:
    graph.command("recent 3", user_id="U0ALICE")
    prompt = graph.wait_message("Connect Instagram", user_id="U0ALICE")
    page = graph.approve(login_url(prompt), username="alice")
    assert page.status_code == 200 and "pick" in page.text.lower()
    picker = graph.wait_message("Which one should igbot use?", user_id="U0ALICE")
    assert picker.valid
    studio = next(a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio")
    graph.slack.select_option(picker, "ig_pick_account", studio["id"], user_id="U0ALICE")
    graph.wait_message("Connected as @alice.studio", user_id="U0ALICE")
    gallery = _gallery(graph)
    assert gallery.valid and "@alice.studio" in gallery.all_text()
    assert len([b for b in gallery.blocks if b["type"] == "image"]) == 3
    link = graph.services.links.get(TEAM, "U0ALICE")
    assert link is not None and link.ig_user_id == studio["id"] and link.expires_at > time.time() + 50 * 86400


def test_a_single_account_links_at_once_and_me_shows_it(graph: Stack) -> None:
    graph.command("me", user_id="U0BOB")
    page = graph.approve(login_url(graph.wait_message("Connect Instagram", user_id="U0BOB")), username="bob")
    assert page.status_code == 200 and "@bobs_bakery" in page.text
    graph.wait_message("Connected as @bobs_bakery", user_id="U0BOB")
    graph.command("me", user_id="U0BOB")
    card = graph.wait_message("connected to Instagram as", user_id="U0BOB")
    assert "@bobs_bakery" in card.all_text() and "followers" in card.all_text()


def test_no_professional_account_stores_nothing_and_says_how_to_connect_one(
    graph: Stack, redis_client: redis.Redis
) -> None:
    graph.command("login", user_id="U0CAROL")
    page = graph.approve(
        login_url(graph.wait_message("Connect Instagram", user_id="U0CAROL")), username="carol.private"
    )
    assert "No Instagram professional account" in page.text
    graph.wait_message("professional (business or creator) account", user_id="U0CAROL")
    assert not redis_client.exists(link_key(TEAM, "U0CAROL"))


def test_user_cards_for_business_and_personal_accounts(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    graph.command("user brewlab.coffee")
    card = graph.wait_message("Instagram profile", user_id="U0ALICE")
    assert "@brewlab.coffee" in card.all_text() and "267,788 followers" in card.all_text()
    graph.command("user dan_the_man")
    graph.wait_message("No Instagram account named @dan_the_man", user_id="U0ALICE")
    assert "professional" in graph.slack.messages(user_id="U0ALICE")[-1].all_text()


def test_popular_by_hashtag_counts_what_is_left(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    graph.command("popular #coffee 3")
    gallery = _gallery(graph)
    assert gallery.valid and "#coffee" in gallery.all_text()
    assert len([b for b in gallery.blocks if b["type"] == "image"]) == 3
    graph.wait_message("You can search 29 more new hashtags", user_id="U0ALICE")
    graph.command("popular #coffee 1", channel_id="C0RANDOM")
    _gallery(graph, "C0RANDOM")
    # A tag searched again does not count again.
    graph.slack.wait_for(lambda m: "You can search 29 more" in m.all_text() and m.channel_id == "C0RANDOM")


def test_the_31st_unique_hashtag_is_refused_before_calling_instagram(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    limit = graph.services.instagram.hashtag_limit
    account = graph.services.links.get(TEAM, "U0ALICE")
    assert limit is not None and account is not None
    searched = [t for t in graph.instagram.graph_world.hashtags() if t != "sourdough"][:30]
    for tag in searched:
        assert graph.services.hashtags.use(account.ig_user_id, tag, limit).allowed
    graph.command("popular #sourdough 2")
    refused = graph.wait_message("0 left", user_id="U0ALICE")
    assert "30 different hashtags" in refused.all_text()
    assert not any("sourdough" in str(r) for r in graph.instagram.requests_log())
    graph.command(f"popular #{searched[7]} 1")  # one already searched still works
    _gallery(graph)


def test_popular_without_a_hashtag_explains_and_help_lists_only_what_works(graph: Stack) -> None:
    graph.command("popular 3")
    graph.wait_message("needs a hashtag", user_id="U0ALICE")
    text = graph.command("help").body["text"]
    assert "/ig popular #hashtag" in text and "/ig recent" in text and "/ig user" in text
    assert "/ig follow" not in text and "/ig popular [count]" not in text


def test_follow_opens_the_profile_and_calls_no_api(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    before = len(graph.instagram.requests_log())
    graph.command("follow brewlab.coffee")
    answer = graph.wait_message("doesn't let apps follow", user_id="U0ALICE")
    assert answer.ephemeral and answer.valid
    assert any((b.url or "").endswith("instagram.com/brewlab.coffee/") for b in answer.buttons())
    calls = graph.instagram.requests_log()[before:]
    assert calls and all("business_discovery" in str(c) for c in calls)
    graph.command("unfollow dan_the_man")
    personal = graph.wait_message("Open @dan_the_man's profile", user_id="U0ALICE")
    assert any((b.url or "").endswith("instagram.com/dan_the_man/") for b in personal.buttons())


def test_expired_token_removes_the_link_and_offers_relink(graph: Stack, redis_client: redis.Redis) -> None:
    graph.link_graph("alice", "alice.shop")
    graph.instagram.expire_graph_tokens(username="alice")
    graph.command("recent 2")
    expired = graph.wait_message("connection has expired", user_id="U0ALICE")
    assert login_url(expired)
    assert not redis_client.exists(link_key(TEAM, "U0ALICE"))


def test_rate_limit_shows_the_wait_time_instagram_gives(redis_client: redis.Redis, redis_url: str) -> None:
    now = [time.time()]
    running = start_stack(redis_url, api="graph", graph_rate_limit_per_hour=2, clock=lambda: now[0])
    try:
        running.link_graph("alice", "alice.shop")
        running.command("me")
        running.command("me", channel_id="C0RANDOM")
        assert len(running.slack.wait_for(lambda m: "followers" in m.all_text()).all_text()) > 0
        running.slack.wait_for(lambda m: "followers" in m.all_text() and m.channel_id == "C0RANDOM")
        now[0] += 25 * 60  # the hour's window frees up 35 minutes from now
        running.command("me")
        message = running.wait_message("Instagram is limiting requests", user_id="U0ALICE")
        assert "try again in about 35 minutes" in message.all_text()
    finally:
        running.close()


def test_a_token_expiring_within_a_week_is_a_reminder_dm_not_a_note_on_every_command(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop", expires_at=int(time.time()) + 3 * 86400)
    graph.command("recent 1")
    _gallery(graph)
    assert graph.wait_idle()
    assert not [m for m in graph.slack.messages() if "expires" in m.all_text()]  # the DM: tests/workers
