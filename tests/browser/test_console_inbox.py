"""The console (Debian Chromium via Playwright) shows threads, updates in place, confirm dialogs and modals.

The bot is a small Bolt app: a `reply` button (with a confirm dialog) opens a modal; its submission
answers ``errors`` for "rude" and otherwise posts the reply in the comment's thread and updates it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, request
from playwright.sync_api import Browser, Page, expect
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from bot.threaded_server import RunningServer
from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import SECRET, TOKEN

COMMENT_BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*@bob* on your post: nice pic"}},
    {
        "type": "actions",
        "block_id": "comment_c1",
        "elements": [
            {
                "type": "button",
                "action_id": "reply",
                "text": {"type": "plain_text", "text": "Reply"},
                "value": "c1",
            },
            {
                "type": "button",
                "action_id": "hide",
                "text": {"type": "plain_text", "text": "Hide"},
                "value": "c1",
                "style": "danger",
                "confirm": {
                    "title": {"type": "plain_text", "text": "Hide this comment?"},
                    "text": {"type": "plain_text", "text": "Only you and bob will see it."},
                    "confirm": {"type": "plain_text", "text": "Hide it"},
                    "deny": {"type": "plain_text", "text": "Keep it"},
                },
            },
        ],
    },
]


def modal(parent_ts: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "reply_modal",
        "private_metadata": json.dumps({"ts": parent_ts}),
        "title": {"type": "plain_text", "text": "Reply to @bob"},
        "submit": {"type": "plain_text", "text": "Send reply"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "*@bob*: nice pic"}]},
            {
                "type": "input",
                "block_id": "reply_block",
                "label": {"type": "plain_text", "text": "Your reply"},
                "element": {"type": "plain_text_input", "action_id": "reply_text", "multiline": True},
            },
        ],
    }


@pytest.fixture
def stack(serve: Callable[[Any], RunningServer]) -> Iterator[tuple[SlackSandbox, WebClient]]:
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN)
    sb.start()
    client = WebClient(token=TOKEN, base_url=sb.api_url)
    app = App(signing_secret=SECRET, client=client)

    @app.action("reply")
    def reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal(body["message"]["ts"]))

    @app.action("hide")
    def hide(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="Comment hidden")

    @app.view("reply_modal")
    def submitted(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        text = view["state"]["values"]["reply_block"]["reply_text"]["value"]
        if text == "rude":
            ack(response_action="errors", errors={"reply_block": "Please be kind"})
            return
        ack()
        parent = json.loads(view["private_metadata"])["ts"]
        posted = client.chat_postMessage(channel="C0GENERAL", thread_ts=parent, text=f"Replying: {text}")
        client.chat_update(channel="C0GENERAL", ts=posted["ts"], text=f"Replied: {text}")

    web = Flask("bolt_console")
    handler = SlackRequestHandler(app)
    web.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    sb.bot_url = f"{serve(web).url}/slack/events"
    yield sb, client
    sb.stop()


@pytest.fixture
def page(browser: Browser, stack: tuple[SlackSandbox, WebClient]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.goto(f"{stack[0].base_url}/?team=T0SANDBOX&channel=C0GENERAL&user=U0ALICE")
    expect(opened.locator("body")).to_have_attribute("data-ready", "true")
    yield opened
    context.close()


def test_modal_errors_then_reply_lands_in_the_thread(
    page: Page, stack: tuple[SlackSandbox, WebClient]
) -> None:
    sb, client = stack
    parent = client.chat_postMessage(channel="C0GENERAL", text="New comment", blocks=COMMENT_BLOCKS)["ts"]
    message = page.locator(f'.message[data-ts="{parent}"]')
    message.locator('[data-action-id="reply"]').click()

    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    expect(page.locator("#modal-title")).to_have_text("Reply to @bob")
    expect(dialog).to_have_attribute("data-callback-id", "reply_modal")
    expect(dialog.locator(".block-context")).to_contain_text("@bob")
    field = dialog.locator('textarea.modal-input[data-action-id="reply_text"]')

    page.click("#modal-submit")  # empty: Slack's client refuses it itself
    expect(dialog.locator('.modal-error[data-error-for="reply_block"]')).to_be_visible()
    field.fill("rude")
    page.click("#modal-submit")
    expect(dialog.locator('.modal-error[data-error-for="reply_block"]')).to_have_text("Please be kind")
    expect(field).to_have_value("rude")  # what was typed survives the re-render

    field.fill("Thank you!")
    page.click("#modal-submit")
    expect(page.locator("#modal")).to_have_count(0)

    link = message.locator(f'.thread-link[data-thread-ts="{parent}"]')
    expect(link).to_have_text("1 reply")
    expect(page.locator("#messages")).not_to_contain_text("Replied: Thank you!")  # replies stay in the thread
    link.click()
    thread = page.locator(f'#thread.thread[data-thread-ts="{parent}"]')
    expect(thread).to_be_visible()
    expect(thread.locator(".thread-reply")).to_have_count(1)
    expect(thread.locator(".thread-reply")).to_have_text(
        re.compile("Replied: Thank you!")
    )  # after chat.update

    client.chat_postMessage(channel="C0GENERAL", thread_ts=parent, text="Second reply", reply_broadcast=True)
    expect(thread.locator(".thread-reply")).to_have_count(2)  # live
    expect(link).to_have_text("2 replies")
    expect(page.locator("#messages .broadcast-note")).to_have_count(1)
    page.click("#thread-close")
    expect(page.locator("#thread")).to_be_hidden()
    assert sb.failures() == []


def test_cancel_closes_the_modal(page: Page, stack: tuple[SlackSandbox, WebClient]) -> None:
    sb, client = stack
    parent = client.chat_postMessage(channel="C0GENERAL", text="New comment", blocks=COMMENT_BLOCKS)["ts"]
    page.locator(f'.message[data-ts="{parent}"] [data-action-id="reply"]').click()
    expect(page.locator("#modal")).to_be_visible()
    page.click("#modal-cancel")
    expect(page.locator("#modal")).to_have_count(0)
    assert sb.open_views() == [] and sb.views.all()[0].closed_by == "closed"


def test_confirm_dialog_cancel_does_nothing_confirm_clicks(
    page: Page, stack: tuple[SlackSandbox, WebClient]
) -> None:
    sb, client = stack
    parent = client.chat_postMessage(channel="C0GENERAL", text="New comment", blocks=COMMENT_BLOCKS)["ts"]
    hide = page.locator(f'.message[data-ts="{parent}"] [data-action-id="hide"]')
    expect(hide).to_have_attribute("data-confirm", "true")

    hide.click()
    dialog = page.locator(".confirm-dialog")
    expect(dialog.locator(".confirm-title")).to_have_text("Hide this comment?")
    expect(page.locator("#confirm-cancel")).to_have_text("Keep it")
    page.click("#confirm-cancel")
    expect(dialog).to_have_count(0)
    assert sb.api_calls("chat.update") == []

    hide.click()
    page.click("#confirm-ok")
    updated = page.locator(f'.message[data-ts="{parent}"]')
    expect(updated).to_have_text(re.compile("Comment hidden"))  # replaced in place
    expect(page.locator(f'.message[data-ts="{parent}"]')).to_have_count(1)
