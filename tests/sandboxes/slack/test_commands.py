"""Commands and clicks: what Slack shows from the bot's ack, and how it judges slow or broken bots."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from bot.threaded_server import RunningServer
from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import FakeBot, Received, Reply, json_reply

LOGIN = {
    "text": "Connect Instagram",
    "response_type": "in_channel",
    "blocks": [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "login", "text": {"type": "plain_text", "text": "Connect"}},
            ],
        }
    ],
}


def test_json_ack_with_blocks_is_shown(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda _r: json_reply(json.dumps(LOGIN).encode())

    result = sandbox.send_command(text="login", user_id="U0BOB")

    assert result.body == LOGIN and result.message is not None
    assert (
        result.message.source == "ack" and not result.message.ephemeral and result.message.user_id == "U0BOB"
    )
    assert [b.action_id for b in result.message.buttons()] == ["login"]
    assert sandbox.messages() == [result.message]


def test_empty_ack_shows_nothing_and_plain_text_ack_is_ephemeral(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    assert sandbox.send_command(text="follow bob").message is None
    fake_bot.reply = lambda _r: ("200 OK", [("Content-Type", "text/plain")], b"Working on it")

    message = sandbox.send_command(text="follow bob").message

    assert message is not None and message.text == "Working on it" and message.ephemeral
    assert len(sandbox.messages()) == 1


def test_invented_ids_and_same_user_in_two_teams(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda r: json_reply(json.dumps({"text": f"hi {r.form()['user_name']}"}).encode())

    sandbox.send_command(text="me", team_id="T9NEW", user_id="U9NEW", channel_id="C9NEW")
    sandbox.send_command(text="me", team_id="T0SANDBOX", user_id="U0ALICE")
    sandbox.send_command(text="me", team_id="T0OTHER", user_id="U0ALICE", channel_id="C0OTHERGENERAL")

    invented = fake_bot.received[0].form()
    assert (invented["team_domain"], invented["user_name"], invented["channel_name"]) == (
        "t9new",
        "u9new",
        "c9new",
    )
    assert [m.text for m in sandbox.messages(user_id="U0ALICE")] == ["hi alice", "hi alice.other"]
    assert [m.text for m in sandbox.messages(team_id="T0OTHER")] == ["hi alice.other"]


def test_slow_ack_is_operation_timeout(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    release = threading.Event()

    def slow(_request: Received) -> Reply:
        release.wait(5)
        return json_reply(b'{"text": "too late"}')

    fake_bot.reply = slow
    sandbox.ack_deadline = 0.2  # Slack's 3 s, shortened so the test stays fast
    try:
        result = sandbox.send_command(text="popular")
    finally:
        release.set()

    # Status 0: the stand-in stopped waiting at its deadline (a stand-in that waited on would get the
    # bot's 200 once released or after 5 s); and it did wait the whole deadline first.
    assert (result.status, result.error, result.message) == (0, "operation_timeout", None)
    assert result.elapsed_ms >= 200
    (failure,) = sandbox.failures()
    assert (
        failure.error == "operation_timeout"
        and failure.kind == "command /ig"
        and failure.user_id == "U0ALICE"
    )
    assert sandbox.messages() == []


def test_unreachable_and_failing_bots(
    sandbox: SlackSandbox, fake_bot: FakeBot, serve: Callable[[Any], RunningServer]
) -> None:
    fake_bot.reply = lambda _r: ("500 INTERNAL SERVER ERROR", [], b"crash")
    assert sandbox.send_command(text="x").error == "http_error"

    gone = serve(FakeBot())
    gone.stop()
    sandbox.bot_url = f"{gone.url}/slack/events"
    assert sandbox.send_command(text="x").error == "dispatch_failed"
    assert [f.error for f in sandbox.failures()] == ["http_error", "dispatch_failed"]


def test_click_on_a_channel_message_carries_the_message(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda _r: json_reply(json.dumps(LOGIN).encode())
    shown = sandbox.send_command(text="login").message
    assert shown is not None
    fake_bot.reply = lambda _r: ("200 OK", [("Content-Type", "application/json")], b'{"text": "ignored"}')

    result = sandbox.click_button(shown, "login", user_id="U0DAN")

    payload = json.loads(fake_bot.received[-1].form()["payload"])
    assert payload["message"]["ts"] == shown.ts and payload["message"]["text"] == "Connect Instagram"
    assert payload["user"]["id"] == "U0DAN" and payload["container"]["is_ephemeral"] is False
    assert (
        result.ok and result.message is None and len(sandbox.messages()) == 1
    )  # an action's ack body is ignored


def test_click_refuses_what_a_user_could_not_click(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda _r: json_reply(json.dumps({**LOGIN, "response_type": "ephemeral"}).encode())
    shown = sandbox.send_command(text="login", user_id="U0ALICE").message
    assert shown is not None

    with pytest.raises(ValueError, match="no button 'logout'"):
        sandbox.click_button(shown, "logout")
    with pytest.raises(ValueError, match="ephemeral to U0ALICE; U0BOB cannot see it"):
        sandbox.click_button(shown, "login", user_id="U0BOB")


def test_http_controls_mirror_the_python_api(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda _r: json_reply(json.dumps(LOGIN).encode())
    base = f"{sandbox.base_url}/__sandbox__"

    result = requests.post(f"{base}/command", json={"text": "login", "user_id": "U0BOB"}, timeout=5).json()
    listed = requests.get(f"{base}/messages", params={"user_id": "U0BOB"}, timeout=5).json()
    since = requests.get(f"{base}/messages", params={"since": listed[0]["seq"]}, timeout=5).json()
    click = {"channel_id": "C0GENERAL", "ts": listed[0]["ts"], "action_id": "login"}
    clicked = requests.post(f"{base}/click", json=click, timeout=5).json()

    assert (
        result["status"] == 200
        and result["error"] is None
        and result["message"]["text"] == "Connect Instagram"
    )
    assert [m["all_text"] for m in listed] == ["Connect Instagram\nConnect"] and since == []
    assert (
        clicked["status"] == 200
        and json.loads(fake_bot.received[-1].form()["payload"])["type"] == "block_actions"
    )
    assert requests.get(f"{base}/workspace", timeout=5).json()["teams"][0]["id"] == "T0SANDBOX"
    assert requests.post(f"{base}/reset", timeout=5).json() == {"ok": True} and sandbox.messages() == []
    assert 'id="message-input"' in requests.get(f"{sandbox.base_url}/", timeout=5).text
