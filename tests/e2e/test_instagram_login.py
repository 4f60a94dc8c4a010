"""The `instagram-login` backend (Instagram API with Instagram Login) end to end, against the sandbox's
Instagram Login pages and its graph.instagram.com routes: log in with Instagram itself, then what works
in this mode, and an honest answer for what this API cannot do."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from tests.stack import CLIENT_ID, CLIENT_SECRET, TEAM, Stack, login_url, start_stack


@pytest.fixture(params=["flat", "wrapped"])
def iglogin(request: pytest.FixtureRequest, redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack with INSTAGRAM_API=instagram-login; the sandbox's Instagram app is igbot's, and its code
    exchange answers in the shape of the parameter."""
    running = start_stack(
        redis_url,
        api="instagram-login",
        instagram_app_id=CLIENT_ID,
        instagram_app_secret=CLIENT_SECRET,
        instagram_login_exchange_shape=request.param,
    )
    yield running
    running.close()


def test_log_in_with_instagram_then_me_recent_and_an_honest_follow(iglogin: Stack) -> None:
    iglogin.command("me", user_id="U0BOB")
    prompt = iglogin.wait_message("Connect Instagram", user_id="U0BOB")
    assert "/instagram-login/oauth/authorize?" in login_url(prompt)
    page = iglogin.approve(login_url(prompt), username="bobs_bakery", decision="allow")
    assert page.status_code == 200 and "@bobs_bakery" in page.text
    iglogin.wait_message("Connected as @bobs_bakery", user_id="U0BOB")
    link = iglogin.services.links.get(TEAM, "U0BOB")
    assert link is not None and link.ig_username == "bobs_bakery" and link.ig_user_id
    assert link.expires_at is not None and link.expires_at > time.time() + 50 * 86400  # the 60-day token

    iglogin.command("me", user_id="U0BOB")
    card = iglogin.wait_message("connected to Instagram as", user_id="U0BOB")
    assert "@bobs_bakery" in card.all_text() and "followers" in card.all_text()

    iglogin.command("recent 2", user_id="U0BOB")
    gallery = iglogin.slack.wait_for(
        lambda m: m.response_type == "in_channel" and "@bobs_bakery" in m.all_text(), timeout=10
    )
    assert gallery.valid and len([b for b in gallery.blocks if b["type"] == "image"]) == 2

    before = len(iglogin.instagram.requests_log())
    assert before > 0  # the log sees this mode's calls
    iglogin.command("follow brewlab.coffee", user_id="U0BOB")
    answer = iglogin.wait_message("doesn't let apps follow", user_id="U0BOB")
    assert answer.ephemeral and answer.valid
    assert any((b.url or "").endswith("instagram.com/brewlab.coffee/") for b in answer.buttons())
    assert iglogin.instagram.requests_log()[before:] == []  # nothing asked of an API that cannot


def test_help_lists_only_what_works_here(iglogin: Stack) -> None:
    text = iglogin.command("help").body["text"]
    assert "/ig me" in text and "/ig recent" in text
    assert "/ig follow" not in text and "/ig popular" not in text and "/ig user" not in text
