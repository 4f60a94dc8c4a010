"""Threads: replies with thread_ts, reply_broadcast, chat.update in threads, clicks in threads; confirm."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox, validate_message
from tests.sandboxes.slack.helpers import TOKEN, FakeBot

BUTTON = {
    "type": "actions",
    "block_id": "moderate",
    "elements": [
        {
            "type": "button",
            "action_id": "hide",
            "text": {"type": "plain_text", "text": "Hide"},
            "value": "c1",
            "style": "danger",
            "confirm": {
                "title": {"type": "plain_text", "text": "Hide this comment?"},
                "text": {"type": "mrkdwn", "text": "*@bob* will not be told."},
                "confirm": {"type": "plain_text", "text": "Hide"},
                "deny": {"type": "plain_text", "text": "Keep"},
                "style": "danger",
            },
        }
    ],
}


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def test_replies_form_a_thread_oldest_first(sandbox: SlackSandbox, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="New comment by @bob")["ts"]
    first = client.chat_postMessage(channel="C0GENERAL", text="reply 1", thread_ts=parent)
    second = client.chat_postMessage(
        channel="C0GENERAL", text="reply 2", thread_ts=parent, reply_broadcast=True
    )
    client.chat_postMessage(channel="C0RANDOM", text="elsewhere")

    replies = sandbox.thread("C0GENERAL", parent)

    assert [m.text for m in replies] == ["reply 1", "reply 2"]
    assert [m.thread_ts for m in replies] == [parent, parent] and [m.reply_broadcast for m in replies] == [
        False,
        True,
    ]
    assert sandbox.latest("C0GENERAL", parent).thread_ts is None  # type: ignore[union-attr]
    assert first["message"]["thread_ts"] == parent and "subtype" not in first["message"]
    assert second["message"]["subtype"] == "thread_broadcast"
    assert replies[0].to_slack("U0IGBOT", "B0IGBOT")["thread_ts"] == parent
    # a reply to a reply is filed in the parent's thread
    nested = client.chat_postMessage(channel="C0GENERAL", text="reply 3", thread_ts=first["ts"])
    assert nested["message"]["thread_ts"] == parent and len(sandbox.thread("C0GENERAL", parent)) == 3


def test_thread_ts_of_nothing_is_accepted_and_a_malformed_one_refused(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    orphan = client.chat_postMessage(channel="C0GENERAL", text="lost", thread_ts="1500000000.000100")
    with pytest.raises(SlackApiError) as malformed:
        client.chat_postMessage(channel="C0GENERAL", text="bad", thread_ts="0")
    elsewhere = client.chat_postMessage(channel="C0GENERAL", text="top")["ts"]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0RANDOM", text="x", thread_ts="abc")

    assert orphan["ok"] and orphan["message"]["thread_ts"] == "1500000000.000100"
    (lost,) = sandbox.thread("C0GENERAL", "1500000000.000100")
    assert any(w.startswith("thread_not_found") for w in lost.warnings)
    assert malformed.value.response["error"] == "invalid_thread_ts"
    assert sandbox.thread("C0GENERAL", elsewhere) == []
    # the parent must be in the same channel
    other = client.chat_postMessage(channel="C0RANDOM", text="in random", thread_ts=elsewhere)
    assert other["ok"] and any(
        w.startswith("thread_not_found") for w in sandbox.latest("C0RANDOM", other["ts"]).warnings
    )  # type: ignore[union-attr]


def test_chat_update_keeps_a_reply_in_its_thread(sandbox: SlackSandbox, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="comment")["ts"]
    reply = client.chat_postMessage(channel="C0GENERAL", text="Replying…", thread_ts=parent)["ts"]

    updated = client.chat_update(channel="C0GENERAL", ts=reply, text="Replied ✅")
    parent_updated = client.chat_update(channel="C0GENERAL", ts=parent, text="comment (answered)")

    assert updated["message"]["thread_ts"] == parent
    latest = sandbox.latest("C0GENERAL", reply)
    assert latest is not None and latest.text == "Replied ✅" and latest.thread_ts == parent
    assert [m.text for m in sandbox.thread("C0GENERAL", parent)] == ["Replied ✅"]
    assert parent_updated["message"]["reply_count"] == 1 and parent_updated["message"]["thread_ts"] == parent
    assert sandbox.latest("C0GENERAL", parent).text == "comment (answered)"  # type: ignore[union-attr]
    assert sandbox.latest("C0GENERAL", "1.000001") is None


def test_a_click_in_a_thread_names_the_thread(
    sandbox: SlackSandbox, fake_bot: FakeBot, client: WebClient
) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="comment", blocks=[BUTTON])["ts"]
    client.chat_postMessage(channel="C0GENERAL", text="mod tools", blocks=[BUTTON], thread_ts=parent)
    (reply,) = sandbox.thread("C0GENERAL", parent)

    assert sandbox.click_button(reply, "hide").ok
    in_thread = json.loads(fake_bot.received[-1].form()["payload"])
    assert sandbox.click_button(sandbox.latest("C0GENERAL", parent), "hide").ok  # type: ignore[arg-type]
    on_parent = json.loads(fake_bot.received[-1].form()["payload"])

    assert in_thread["container"]["thread_ts"] == parent and in_thread["message"]["thread_ts"] == parent
    assert in_thread["message"]["ts"] == reply.ts
    assert "thread_ts" not in on_parent["container"] and on_parent["message"]["reply_count"] == 1
    # the response URL of the click in the thread answers into the thread
    response_url = in_thread["response_url"]
    assert requests.post(response_url, json={"text": "Hidden"}, timeout=5).json() == {"ok": True}
    hidden = sandbox.wait_for(lambda m: m.text == "Hidden")
    assert hidden.thread_ts == parent and hidden.ephemeral


def test_confirm_objects_are_validated() -> None:
    def with_confirm(**confirm: Any) -> dict[str, Any]:
        button = {**BUTTON["elements"][0], "confirm": {**BUTTON["elements"][0]["confirm"], **confirm}}  # type: ignore[index]
        return {"text": "t", "blocks": [{**BUTTON, "elements": [button]}]}

    assert validate_message(with_confirm()) == []
    problems = {
        "title": validate_message(with_confirm(title={"type": "plain_text", "text": "t" * 101})),
        "text": validate_message(with_confirm(text={"type": "mrkdwn", "text": "t" * 301})),
        "confirm": validate_message(with_confirm(confirm={"type": "plain_text", "text": "c" * 31})),
        "deny": validate_message(with_confirm(deny=None)),
        "style": validate_message(with_confirm(style="loud")),
        "mrkdwn title": validate_message(with_confirm(title={"type": "mrkdwn", "text": "t"})),
    }
    for name, errors in problems.items():
        assert len(errors) == 1 and "blocks[0].elements[0].confirm" in errors[0], (name, errors)


def test_a_bad_confirm_object_refuses_the_message(sandbox: SlackSandbox, client: WebClient) -> None:
    bad = {
        **BUTTON,
        "elements": [{**BUTTON["elements"][0], "confirm": {"title": {"type": "plain_text", "text": "?"}}}],
    }  # type: ignore[dict-item]
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="t", blocks=[bad])
    assert refused.value.response["error"] == "invalid_blocks"


def test_thread_control_lists_replies(sandbox: SlackSandbox, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="p")["ts"]
    client.chat_postMessage(channel="C0GENERAL", text="r", thread_ts=parent)
    got = requests.get(
        f"{sandbox.base_url}/__sandbox__/thread", params={"channel_id": "C0GENERAL", "ts": parent}, timeout=5
    ).json()
    assert [(m["text"], m["thread_ts"]) for m in got] == [("r", parent)]
