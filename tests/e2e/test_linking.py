"""Linking an Instagram account from Slack, end to end, and the callback's failure pages."""

from __future__ import annotations

import redis

from bot.storage.keys import link_key
from tests.stack import TEAM, Stack, login_url


def test_follow_while_unlinked_resumes_after_approval(stack: Stack, redis_client: redis.Redis) -> None:
    ack = stack.command("follow carol.private", user_id="U0ALICE")
    assert ack.status == 200
    prompt = stack.wait_message("Connect Instagram", user_id="U0ALICE")
    assert prompt.ephemeral and prompt.valid
    assert "/ig follow" in prompt.all_text()

    page = stack.approve(login_url(prompt), username="alice")
    assert page.status_code == 200
    assert "Slack user @alice" in page.text and "Instagram account @alice" in page.text

    connected = stack.wait_message("Connected as @alice", user_id="U0ALICE")
    assert connected.ephemeral and "<@U0ALICE>" in connected.all_text()
    assert "Now finishing `/ig follow carol.private`" in connected.all_text()
    result = stack.wait_message("follow request was sent", user_id="U0ALICE")
    assert result.ephemeral and result.valid
    assert "carol.private" in stack.instagram.follows_of("alice")["requested"]
    assert redis_client.exists(link_key(TEAM, "U0ALICE"))


def test_login_when_already_linked_names_the_account_and_offers_relink(stack: Stack) -> None:
    stack.link("bob", user_id="U0BOB")
    stack.command("login", user_id="U0BOB")
    message = stack.wait_message("connected to Instagram as", user_id="U0BOB")
    assert "@bob" in message.all_text()
    assert login_url(message)


def test_relinking_replaces_the_account(stack: Stack) -> None:
    stack.link("bob", user_id="U0ALICE")
    stack.command("login", user_id="U0ALICE")
    prompt = stack.wait_message("connect again", user_id="U0ALICE")
    assert stack.approve(login_url(prompt), username="dan_the_man").status_code == 200
    stack.wait_message("Connected as @dan_the_man", user_id="U0ALICE")
    link = stack.services.links.get(TEAM, "U0ALICE")
    assert link is not None and link.ig_username == "dan_the_man"


def test_cancel_on_the_approval_page_stores_nothing(stack: Stack, redis_client: redis.Redis) -> None:
    stack.command("login", user_id="U0ALICE")
    prompt = stack.wait_message("Connect Instagram", user_id="U0ALICE")
    page = stack.approve(login_url(prompt), username="alice", decision="cancel")
    assert page.status_code == 200
    assert "not linked" in page.text
    stack.wait_message("wasn't connected", user_id="U0ALICE")
    assert redis_client.keys("igbot:link:*") == []


def test_a_used_state_is_refused(stack: Stack, redis_client: redis.Redis) -> None:
    stack.command("login", user_id="U0ALICE")
    url = login_url(stack.wait_message("Connect Instagram", user_id="U0ALICE"))
    assert stack.approve(url).status_code == 200
    stack.services.links.delete(TEAM, "U0ALICE")
    again = stack.approve(url)
    assert again.status_code == 400
    assert "expired or was already used" in again.text
    assert redis_client.keys("igbot:link:*") == []


def test_unknown_and_expired_states_are_refused(stack: Stack, redis_client: redis.Redis) -> None:
    callback = stack.igbot.settings.redirect_uri
    unknown = stack.approve_raw(f"{callback}?code=abc&state=not-a-state")
    assert unknown.status_code == 400 and "expired or was already used" in unknown.text
    missing = stack.approve_raw(f"{callback}?code=abc")
    assert missing.status_code == 400

    stack.command("login", user_id="U0ALICE")
    url = login_url(stack.wait_message("Connect Instagram", user_id="U0ALICE"))
    [key] = redis_client.keys("igbot:state:*")
    redis_client.expireat(key, 1)  # a timestamp in the past: Redis expires the key now
    page = stack.approve(url)
    assert page.status_code == 400
    assert redis_client.keys("igbot:link:*") == []


def test_callback_pages_escape_what_they_echo(stack: Stack) -> None:
    callback = stack.igbot.settings.redirect_uri
    page = stack.approve_raw(f"{callback}?state=%3Cscript%3Ealert(1)%3C/script%3E&error=%3Cb%3E")
    assert page.status_code == 400
    assert "<script>" not in page.text and "<b>" not in page.text
