"""Link unfurls in the Slack stand-in: link_shared for people's messages, chat.unfurl and its errors."""

from __future__ import annotations

import json

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.unfurls import shared_links
from tests.sandboxes.slack.helpers import TOKEN, FakeBot

LINK = "https://www.instagram.com/p/ABC123/"
CARD = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a photo by @alice"}}]}


@pytest.fixture
def unfurling(sandbox: SlackSandbox) -> SlackSandbox:
    sandbox.bot_scopes = ("commands", "chat:write", "links:read", "links:write")
    return sandbox


def _client(sb: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sb.api_url)


def test_shared_links_match_domains_and_subdomains_once() -> None:
    text = f"see <{LINK}|this> and {LINK} and https://instagr.am/p/X, https://example.com/a https://notinstagram.com/x"
    assert shared_links(text, ("instagram.com", "instagr.am")) == [
        {"domain": "instagram.com", "url": LINK},
        {"domain": "instagr.am", "url": "https://instagr.am/p/X"},
    ]
    many = " ".join(f"https://instagram.com/p/{i}" for i in range(8))
    assert len(shared_links(many, ("instagram.com",))) == 5


def test_a_message_with_links_sends_link_shared(unfurling: SlackSandbox, fake_bot: FakeBot) -> None:
    message = unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", f"look {LINK}")
    assert message.source == "user" and message.sender == "U0BOB"
    (delivery,) = unfurling.deliveries("link_shared")
    event = delivery.event
    assert event["channel"] == "C0GENERAL" and event["user"] == "U0BOB" and event["message_ts"] == message.ts
    assert event["source"] == "conversations_history" and event["unfurl_id"].startswith("C0GENERAL.")
    assert event["links"] == [{"domain": "instagram.com", "url": LINK}] and "thread_ts" not in event
    assert json.loads(fake_bot.received[0].body)["event"]["type"] == "link_shared"
    unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", "no links here https://example.com")
    assert len(unfurling.deliveries("link_shared")) == 1
    reply = unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", LINK, thread_ts=message.ts)
    assert unfurling.deliveries("link_shared")[-1].event["thread_ts"] == message.ts
    assert reply.thread_ts == message.ts


def test_chat_unfurl_attaches_cards_by_ts_or_unfurl_id(unfurling: SlackSandbox, fake_bot: FakeBot) -> None:
    message = unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", f"look {LINK}")
    event = unfurling.deliveries("link_shared")[0].event
    _client(unfurling).chat_unfurl(channel="C0GENERAL", ts=message.ts, unfurls={LINK: CARD})
    assert unfurling.unfurls_of("T0SANDBOX", "C0GENERAL", message.ts) == {LINK: CARD}
    latest = unfurling.latest("C0GENERAL", message.ts)
    assert latest is not None and latest.unfurls == {LINK: CARD}
    legacy = {"title": "Photo", "text": "by alice"}
    _client(unfurling).chat_unfurl(
        unfurl_id=event["unfurl_id"],
        source="conversations_history",
        unfurls={LINK: legacy},
        channel="",
        ts="",
    )
    assert unfurling.unfurls_of("T0SANDBOX", "C0GENERAL", message.ts) == {LINK: legacy}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"unfurls": {"https://www.instagram.com/p/OTHER/": CARD}}, "cannot_unfurl_url"),
        ({"unfurls": "{not json"}, "invalid_unfurls_format"),
        ({"unfurls": {LINK: "text"}}, "cannot_parse_attachment"),
        ({"unfurls": {LINK: {"blocks": [{"type": "nope"}]}}}, "invalid_blocks"),
        ({}, "missing_unfurls"),
        ({"ts": "1.000001", "unfurls": {LINK: CARD}}, "cannot_find_message"),
    ],
)
def test_chat_unfurl_errors(
    unfurling: SlackSandbox, fake_bot: FakeBot, args: dict[str, object], error: str
) -> None:
    message = unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", f"look {LINK}")
    params = {"channel": "C0GENERAL", "ts": message.ts, **args}
    if isinstance(params.get("unfurls"), dict):
        params["unfurls"] = json.dumps(params["unfurls"])
    answer = requests.post(
        f"{unfurling.api_url}chat.unfurl",
        data=params,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).json()
    assert answer["ok"] is False and answer["error"] == error


def test_chat_unfurl_needs_links_write(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    message = sandbox.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", LINK)
    with pytest.raises(SlackApiError) as err:
        _client(sandbox).chat_unfurl(channel="C0GENERAL", ts=message.ts, unfurls={LINK: CARD})
    assert err.value.response["error"] == "missing_scope"
    assert err.value.response["needed"] == "links:write"


def test_user_auth_prompt_is_shown_only_to_the_sharer(unfurling: SlackSandbox, fake_bot: FakeBot) -> None:
    message = unfurling.post_user_message("T0SANDBOX", "C0GENERAL", "U0BOB", LINK)
    _client(unfurling).chat_unfurl(
        channel="C0GENERAL",
        ts=message.ts,
        unfurls={},
        user_auth_required=True,
        user_auth_message="Connect Instagram to see previews",
        user_auth_url="https://bot.example/connect",
    )
    (prompt,) = unfurling.auth_prompts()
    assert (prompt.user_id, prompt.message_ts, prompt.url) == (
        "U0BOB",
        message.ts,
        "https://bot.example/connect",
    )
    shown = unfurling.messages("C0GENERAL", "U0BOB")[-1]
    assert shown.source == "chat.unfurl" and shown.ephemeral and "Connect Instagram" in shown.text
    assert unfurling.unfurls_of("T0SANDBOX", "C0GENERAL", message.ts) == {}


def test_console_posts_user_messages(unfurling: SlackSandbox, fake_bot: FakeBot) -> None:
    answer = requests.post(
        f"{unfurling.base_url}/__sandbox__/user_message",
        json={"channel_id": "C0GENERAL", "user_id": "U0ALICE", "text": LINK},
        timeout=5,
    ).json()
    assert answer["ok"] is True and answer["message"]["sender"] == "U0ALICE"
    assert len(unfurling.deliveries("link_shared")) == 1
    bad = requests.post(
        f"{unfurling.base_url}/__sandbox__/user_message", json={"channel_id": "C0NOPE"}, timeout=5
    )
    assert bad.status_code == 400
