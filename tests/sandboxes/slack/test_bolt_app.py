"""A real Bolt app, served over HTTP, talks to the stand-in exactly as it would talk to Slack."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from bot.threaded_server import RunningServer
from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import SECRET, TOKEN

PHOTO_BLOCKS = [
    {"type": "image", "image_url": "https://cdn.example/p.jpg", "alt_text": "a cat on a sofa"},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "like",
                "text": {"type": "plain_text", "text": "Like"},
                "value": "p1",
            }
        ],
    },
]


@pytest.fixture
def bolt_app(sandbox: SlackSandbox, serve: Callable[[Any], RunningServer]) -> App:
    """A Bolt app with a `/ig` command and a `like` button, served on loopback as the sandbox's bot."""
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=sandbox.api_url))

    @app.command("/ig")
    def ig(ack: Ack, respond: Respond, command: dict[str, Any], client: WebClient) -> None:
        ack(f"Working on `{command['text']}`…")
        respond(text="Popular photos", blocks=PHOTO_BLOCKS, response_type="in_channel")
        client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text="psst")

    @app.action("like")
    def like(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        respond(text=f"Liked {body['actions'][0]['value']}", replace_original=True)

    web = Flask("bolt_under_test")
    handler = SlackRequestHandler(app)
    web.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    sandbox.bot_url = f"{serve(web).url}/slack/events"
    return app


def test_bolt_command_ack_and_respond_are_both_recorded(sandbox: SlackSandbox, bolt_app: App) -> None:
    result = sandbox.send_command(text="popular 1", user_id="U0BOB", channel_id="C0RANDOM")

    assert result.ok and result.status == 200 and result.elapsed_ms < 3000
    assert result.message is not None and result.message.source == "ack"
    assert result.message.text == "Working on `popular 1`…" and result.message.ephemeral
    posted = sandbox.wait_for(lambda m: m.source == "response_url")
    assert (posted.team_id, posted.channel_id, posted.user_id) == ("T0SANDBOX", "C0RANDOM", "U0BOB")
    assert posted.response_type == "in_channel" and not posted.ephemeral and posted.valid
    assert "a cat on a sofa" in posted.all_text()
    ephemeral = sandbox.wait_for(lambda m: m.source == "chat.postEphemeral")
    assert ephemeral.user_id == "U0BOB" and ephemeral.text == "psst"
    (auth_test,) = sandbox.api_calls("auth.test")
    assert auth_test.ok and auth_test.team_id == "T0SANDBOX"


def test_bolt_button_click_replaces_the_original_message(sandbox: SlackSandbox, bolt_app: App) -> None:
    sandbox.send_command(text="popular 1")
    photos = sandbox.wait_for(lambda m: m.source == "response_url")

    assert sandbox.click_button(photos, "like", user_id="U0CAROL").ok

    liked = sandbox.wait_for(lambda m: m.text == "Liked p1")
    assert liked.replace_original and liked.ts == photos.ts and liked.user_id == "U0CAROL"


def test_bolt_rejects_forged_and_stale_requests(sandbox: SlackSandbox, bolt_app: App) -> None:
    body, form = (
        b"command=%2Fig&text=help&team_id=T0SANDBOX&user_id=U0ALICE",
        "application/x-www-form-urlencoded",
    )

    assert sandbox.send_signed(body, form, signature="v0=" + "0" * 64).status_code == 401
    assert sandbox.send_signed(body, form, timestamp=int(time.time()) - 600).status_code == 401
    assert sandbox.messages() == []
