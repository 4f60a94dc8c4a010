"""The console's HTTP side: the page and its files, /app_redirect, and the typed-commands log."""

from __future__ import annotations

import json
import re
import socket

import requests

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import FakeBot


def test_the_console_page_and_its_files_are_served_with_a_strict_policy(slack: SlackSandbox) -> None:
    page = requests.get(f"{slack.base_url}/", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for hook in ('id="message-input"', 'id="user-picker"', 'id="team-picker"', 'id="messages"'):
        assert hook in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    script = requests.get(f"{slack.base_url}/console/static/console.js", timeout=5)
    style = requests.get(f"{slack.base_url}/console/static/console.css", timeout=5)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert style.status_code == 200 and style.headers["Content-Type"].startswith("text/css")
    # Message data only ever enters the page as text nodes and attributes, never as parsed HTML.
    assert not re.search(r"\.(inner|outer)HTML\s*\+?=|insertAdjacentHTML|document\.write|eval\(", script.text)
    info = requests.get(f"{slack.base_url}/console/info", timeout=5).json()
    assert info["base_url"] == slack.base_url and info["instance"]


def test_app_redirect_opens_the_console_on_the_channel(slack: SlackSandbox) -> None:
    def location(query: str) -> str:
        answer = requests.get(f"{slack.base_url}/app_redirect?{query}", allow_redirects=False, timeout=5)
        assert answer.status_code == 302
        return str(answer.headers["Location"])

    assert location("team=T0SANDBOX&channel=C0RANDOM") == "/?team=T0SANDBOX&channel=C0RANDOM"
    assert location("channel=G0PRIVATE&app=A0IGBOT") == "/?channel=G0PRIVATE"
    assert location("team=T0SANDBOX&channel=%3Cscript%3E") == "/?team=T0SANDBOX"
    assert location("team=//evil.example&channel=https://evil.example") == "/"
    assert location("") == "/"


def test_typed_commands_are_logged_for_the_console(slack: SlackSandbox, fake_bot: FakeBot) -> None:
    base = f"{slack.base_url}/__sandbox__"
    sent = {"text": "follow  bob", "user_id": "U0BOB", "channel_id": "C0RANDOM"}
    assert requests.post(f"{base}/command", json=sent, timeout=5).json()["status"] == 200
    requests.post(f"{base}/command", json={"text": "me"}, timeout=5)

    entries = requests.get(f"{base}/commands", timeout=5).json()
    assert [(e["kind"], e["text"], e["user_id"], e["channel_id"]) for e in entries] == [
        ("command", "/ig follow  bob", "U0BOB", "C0RANDOM"),
        ("command", "/ig me", "U0ALICE", "C0GENERAL"),
    ]
    assert entries[0]["team_id"] == "T0SANDBOX" and entries[0]["ts"] < entries[1]["ts"]
    later = requests.get(f"{base}/commands", params={"since": entries[0]["seq"]}, timeout=5).json()
    assert [e["text"] for e in later] == ["/ig me"]
    assert requests.get(f"{base}/commands", params={"since": "x"}, timeout=5).status_code == 400
    assert len(fake_bot.received) == 2  # and each went to the bot, signed

    assert requests.post(f"{base}/reset", timeout=5).json() == {"ok": True}
    assert requests.get(f"{base}/commands", timeout=5).json() == []


def test_a_command_the_bot_does_not_answer_shows_slacks_failure(slack: SlackSandbox) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        slack.bot_url = f"http://127.0.0.1:{probe.getsockname()[1]}/slack/events"
    answer = requests.post(f"{slack.base_url}/__sandbox__/command", json={"text": "help"}, timeout=10).json()
    assert answer["error"] == "dispatch_failed"
    entries = requests.get(f"{slack.base_url}/__sandbox__/commands", timeout=5).json()
    assert [e["kind"] for e in entries] == ["command", "failure"]
    assert entries[1]["error"] == "dispatch_failed" and entries[1]["user_id"] == "U0ALICE"
    assert entries[1]["text"].startswith('/ig failed with the error "dispatch_failed"')


def test_a_menu_choice_reaches_the_bot_as_block_actions(slack: SlackSandbox, fake_bot: FakeBot) -> None:
    menu = {
        "type": "static_select",
        "action_id": "ig_pick_account",
        "placeholder": {"type": "plain_text", "text": "Choose"},
        "options": [{"text": {"type": "plain_text", "text": "@one"}, "value": "1"}],
    }
    posted = requests.post(
        f"{slack.base_url}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {slack.bot_token}"},
        json={"channel": "C0GENERAL", "text": "pick", "blocks": [{"type": "actions", "elements": [menu]}]},
        timeout=5,
    ).json()
    choice = {"channel_id": "C0GENERAL", "ts": posted["ts"], "action_id": "ig_pick_account", "value": "1"}
    answer = requests.post(f"{slack.base_url}/__sandbox__/select", json=choice, timeout=5)
    assert answer.status_code == 200 and answer.json()["error"] is None
    action = json.loads(fake_bot.received[-1].form()["payload"])["actions"][0]
    assert action["type"] == "static_select" and action["selected_option"]["value"] == "1"
    missing = requests.post(f"{slack.base_url}/__sandbox__/select", json={**choice, "value": "9"}, timeout=5)
    assert missing.status_code == 400
