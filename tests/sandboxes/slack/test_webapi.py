"""The Web API under /api/: Slack's token checks, errors and the methods the bot uses."""

from __future__ import annotations

import json

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import TOKEN


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def test_token_checks(sandbox: SlackSandbox) -> None:
    api = sandbox.api_url
    missing = requests.post(f"{api}auth.test", timeout=5)
    wrong = requests.post(f"{api}auth.test", headers={"Authorization": "Bearer xoxb-wrong"}, timeout=5)
    as_field = requests.post(f"{api}auth.test", data={"token": TOKEN}, timeout=5)
    unknown = requests.post(f"{api}chat.teleport", data={"token": TOKEN}, timeout=5)

    assert (missing.status_code, missing.json()) == (200, {"ok": False, "error": "not_authed"})
    assert (wrong.status_code, wrong.json()) == (200, {"ok": False, "error": "invalid_auth"})
    assert as_field.json()["ok"] is True
    assert unknown.json()["error"] == "unknown_method"
    assert [c.error for c in sandbox.api_calls()] == ["not_authed", "invalid_auth", None, "unknown_method"]
    assert all("token" not in c.params for c in sandbox.api_calls())


def test_auth_test_names_the_bot(client: WebClient) -> None:
    answer = client.auth_test()
    assert (
        answer["team_id"] == "T0SANDBOX" and answer["user_id"] == "U0IGBOT" and answer["bot_id"] == "B0IGBOT"
    )
    assert answer["url"] == "https://sandbox.slack.com/" and answer["team"] and answer["user"] == "igbot"


def test_post_message_records_a_channel_message(sandbox: SlackSandbox, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    answer = client.chat_postMessage(channel="C0GENERAL", text="hello", blocks=blocks)

    assert answer["ok"] and answer["channel"] == "C0GENERAL" and answer["message"]["text"] == "hello"
    (message,) = sandbox.messages(channel_id="C0GENERAL")
    assert message.source == "chat.postMessage" and not message.ephemeral and message.user_id is None
    assert message.ts == answer["ts"] and message.blocks == blocks and message.all_text() == "hello\n*hi*"


def test_form_encoded_blocks_are_decoded_and_validated(sandbox: SlackSandbox) -> None:
    bad = json.dumps([{"type": "image", "image_url": "https://x.example/a.png"}])
    answer = requests.post(
        f"{sandbox.api_url}chat.postMessage",
        data={"channel": "C0GENERAL", "text": "t", "blocks": bad},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).json()

    assert answer["ok"] is False and answer["error"] == "invalid_blocks"
    (message,) = sandbox.messages()
    assert not message.valid and message.errors == [
        "invalid_blocks: [blocks[0].alt_text] missing required field"
    ]


def test_post_ephemeral_needs_a_channel_member(sandbox: SlackSandbox, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C0GENERAL", user="U0CAROL", text="only you")
    assert answer["message_ts"]
    (message,) = sandbox.messages(user_id="U0CAROL")
    assert message.ephemeral and message.source == "chat.postEphemeral"

    with pytest.raises(SlackApiError) as outsider:
        client.chat_postEphemeral(channel="D0ALICE", user="U0CAROL", text="not yours")
    assert outsider.value.response["error"] == "user_not_in_channel"
    with pytest.raises(SlackApiError) as nobody:
        client.chat_postEphemeral(channel="C0GENERAL", user="U0NOBODY", text="?")
    assert nobody.value.response["error"] == "user_not_found"


def test_private_channel_without_the_bot_is_not_found(client: WebClient) -> None:
    for call in (
        lambda: client.chat_postMessage(channel="G0PRIVATE", text="x"),
        lambda: client.conversations_info(channel="G0PRIVATE"),
        lambda: client.chat_postMessage(channel="C0NOWHERE", text="x"),
    ):
        with pytest.raises(SlackApiError) as err:
            call()
        assert err.value.response["error"] == "channel_not_found"


def test_post_to_a_user_lands_in_their_dm(sandbox: SlackSandbox, client: WebClient) -> None:
    assert client.chat_postMessage(channel="U0ALICE", text="hi alice")["channel"] == "D0ALICE"
    assert client.conversations_info(channel="D0ALICE")["channel"]["is_im"] is True


def test_post_to_a_user_without_a_dm_opens_one(sandbox: SlackSandbox, client: WebClient) -> None:
    """Slack opens the bot's IM with the user and answers with its D... id."""
    assert sandbox.workspace.channel("T0SANDBOX", "D0BOB") is None

    first = client.chat_postMessage(channel="U0BOB", text="hi bob")
    second = client.chat_postMessage(channel="U0BOB", text="again")

    assert first["channel"] == second["channel"] == "D0BOB"
    dm = client.conversations_info(channel="D0BOB")["channel"]
    assert dm["is_im"] is True and dm["is_private"] is True and dm["is_member"] is True
    opened = sandbox.workspace.channel("T0SANDBOX", "D0BOB")
    assert opened is not None and opened.members == {"U0BOB", "U0IGBOT"}
    messages = sandbox.messages(channel_id="D0BOB")
    assert [(m.text, m.ephemeral, m.user_id, m.ts) for m in messages] == [
        ("hi bob", False, None, first["ts"]),
        ("again", False, None, second["ts"]),
    ]
    with pytest.raises(SlackApiError) as nobody:
        client.chat_postMessage(channel="U0NOBODY", text="?")
    assert nobody.value.response["error"] == "channel_not_found"


def test_chat_update_replaces_a_posted_message(sandbox: SlackSandbox, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="v1")["ts"]

    client.chat_update(channel="C0GENERAL", ts=ts, text="v2")

    assert [(m.source, m.ts, m.text) for m in sandbox.messages()] == [
        ("chat.postMessage", ts, "v1"),
        ("chat.update", ts, "v2"),
    ]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C0GENERAL", ts="1.000001", text="v3")
    assert err.value.response["error"] == "message_not_found"


def test_users_info_and_conversations_info(client: WebClient) -> None:
    user = client.users_info(user="U0ALICE")["user"]
    assert (user["id"], user["name"], user["team_id"]) == ("U0ALICE", "alice", "T0SANDBOX")
    assert user["real_name"] and user["profile"]["display_name"] == "alice"
    channel = client.conversations_info(channel="C0GENERAL")["channel"]
    assert channel["name"] == "general" and channel["is_member"] is True
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_same_user_id_in_two_teams_stays_apart(sandbox: SlackSandbox) -> None:
    ours = sandbox.workspace.user("T0SANDBOX", "U0ALICE")
    theirs = sandbox.workspace.user("T0OTHER", "U0ALICE")
    assert ours is not None and theirs is not None and ours.name != theirs.name
