"""The stand-in signs every request exactly as Slack does: slack_sdk's own verifier accepts it."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.signing import signature
from tests.sandboxes.slack.helpers import SECRET, FakeBot, Received, json_reply

verifier = SignatureVerifier(SECRET)


def _is_signed(request: Received) -> bool:
    return verifier.is_valid(
        request.body, request.headers["x-slack-request-timestamp"], request.headers["x-slack-signature"]
    )


def test_slash_command_is_signed_form_with_slack_fields(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    result = sandbox.send_command(text="follow alice", user_id="U0ALICE", channel_id="C0GENERAL")

    assert result.status == 200 and result.ok
    (request,) = fake_bot.received
    assert _is_signed(request)
    assert abs(int(request.headers["x-slack-request-timestamp"]) - time.time()) < 60
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = request.form()
    assert form["command"] == "/ig" and form["text"] == "follow alice"
    assert (form["team_id"], form["team_domain"]) == ("T0SANDBOX", "sandbox")
    assert (form["user_id"], form["user_name"]) == ("U0ALICE", "alice")
    assert (form["channel_id"], form["channel_name"]) == ("C0GENERAL", "general")
    assert form["is_enterprise_install"] == "false" and form["trigger_id"] and form["api_app_id"]
    assert form["response_url"] == result.response_url
    assert result.response_url.startswith(f"{sandbox.base_url}/respond/")


def test_button_click_is_signed_block_actions_payload(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Link your account"}},
        {
            "type": "actions",
            "block_id": "login",
            "elements": [
                {
                    "type": "button",
                    "action_id": "open_instagram",
                    "text": {"type": "plain_text", "text": "Connect"},
                    "url": "https://instagram.example/authorize",
                    "value": "v1",
                }
            ],
        },
    ]
    fake_bot.reply = lambda _r: json_reply(json.dumps({"text": "Link", "blocks": blocks}).encode())
    ack = sandbox.send_command(text="login")
    assert ack.message is not None and ack.message.ephemeral

    result = sandbox.click_button(ack.message, "open_instagram")

    assert result.ok
    request = fake_bot.received[-1]
    assert _is_signed(request)
    payload = json.loads(request.form()["payload"])
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U0ALICE", "username": "alice", "name": "alice", "team_id": "T0SANDBOX"}
    assert payload["team"] == {"id": "T0SANDBOX", "domain": "sandbox"}
    assert payload["channel"] == {"id": "C0GENERAL", "name": "general"}
    assert payload["container"]["is_ephemeral"] is True
    assert payload["container"]["message_ts"] == ack.message.ts
    assert "message" not in payload  # Slack leaves the message out for ephemeral ones
    (action,) = payload["actions"]
    assert action["action_id"] == "open_instagram" and action["block_id"] == "login"
    assert action["type"] == "button" and action["value"] == "v1"
    assert action["url"] == "https://instagram.example/authorize"
    assert payload["response_url"] == result.response_url != ack.response_url


def test_send_signed_can_forge_timestamp_and_signature(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    stale = int(time.time()) - 3600
    sandbox.send_signed(b"a=1", "application/x-www-form-urlencoded", timestamp=stale)
    sandbox.send_signed(b"a=1", "application/x-www-form-urlencoded", signature="v0=forged")

    old, forged = fake_bot.received
    assert old.headers["x-slack-request-timestamp"] == str(stale)
    assert old.headers["x-slack-signature"] == signature(SECRET, stale, b"a=1")
    assert not verifier.is_valid(
        old.body, old.headers["x-slack-request-timestamp"], old.headers["x-slack-signature"]
    )
    assert forged.headers["x-slack-signature"] == "v0=forged" and not _is_signed(forged)


@given(text=st.text(max_size=300), timestamp=st.integers(min_value=0, max_value=2**40))
def test_signature_matches_slack_sdk_for_any_body(text: str, timestamp: int) -> None:
    body = text.encode()  # slack_sdk decodes bodies as UTF-8, so compare on UTF-8 bodies
    assert signature(SECRET, timestamp, body) == verifier.generate_signature(
        timestamp=str(timestamp), body=body
    )
