"""Modals: trigger ids, views.open/views.update validation, view_submission to a real Bolt app, controls."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.threaded_server import RunningServer
from igbot_sandboxes.slack import ModalView, SlackSandbox, ViewRefused
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeBot, FakeClock, Received, json_reply


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def reply_modal(**overrides: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "reply_modal",
        "private_metadata": json.dumps({"comment_id": "c1"}),
        "title": plain("Reply to @bob"),
        "submit": plain("Reply"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*@bob*: nice pic"}},
            {
                "type": "input",
                "block_id": "reply_block",
                "label": plain("Your reply"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reply_text",
                    "multiline": True,
                    "max_length": 300,
                },
            },
            {
                "type": "input",
                "block_id": "sign_block",
                "optional": True,
                "label": plain("Signature"),
                "element": {"type": "plain_text_input", "action_id": "sign", "initial_value": "-- igbot"},
            },
        ],
    }
    view.update(overrides)
    return view


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def trigger_of(received: Received) -> str:
    form = received.form()
    return form.get("trigger_id") or str(json.loads(form["payload"])["trigger_id"])


def test_every_trigger_id_is_single_use_and_lives_three_seconds(
    sandbox: SlackSandbox, fake_bot: FakeBot, client: WebClient, clock: FakeClock
) -> None:
    sandbox.send_command(text="inbox", user_id="U0BOB")
    trigger = trigger_of(fake_bot.received[-1])

    opened = client.views_open(trigger_id=trigger, view=reply_modal())
    with pytest.raises(SlackApiError) as again:
        client.views_open(trigger_id=trigger, view=reply_modal())

    assert opened["view"]["id"].startswith("V") and again.value.response["error"] == "exchanged_trigger_id"
    (modal,) = sandbox.open_views()
    assert (modal.user_id, modal.team_id, modal.id) == ("U0BOB", "T0SANDBOX", opened["view"]["id"])

    sandbox.send_command(text="inbox")
    late = trigger_of(fake_bot.received[-1])
    clock.advance(3.01)
    with pytest.raises(SlackApiError) as expired:
        client.views_open(trigger_id=late, view=reply_modal())
    assert expired.value.response["error"] == "expired_trigger_id"

    for forged in ("12345.98765.abcd2358fdea", "not-a-trigger"):
        with pytest.raises(SlackApiError) as invalid:
            client.views_open(trigger_id=forged, view=reply_modal())
        assert invalid.value.response["error"] == "invalid_trigger_id"
    assert [c.error for c in sandbox.api_calls("views.open")] == [
        None,
        "exchanged_trigger_id",
        "expired_trigger_id",
        "invalid_trigger_id",
        "invalid_trigger_id",
    ]


def test_a_request_names_its_trigger_and_the_stand_in_says_when_views_open_used_it(
    sandbox: SlackSandbox, fake_bot: FakeBot, client: WebClient, clock: FakeClock
) -> None:
    result = sandbox.send_command(text="inbox", user_id="U0BOB")
    assert result.trigger_id == trigger_of(fake_bot.received[-1])
    assert sandbox.triggers.exchanged_after(result.trigger_id) is None
    clock.advance(2.5)
    client.views_open(trigger_id=result.trigger_id, view=reply_modal())
    assert sandbox.triggers.exchanged_after(result.trigger_id) == pytest.approx(2.5)

    late = sandbox.send_command(text="inbox", user_id="U0BOB")
    clock.advance(3.01)
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id=late.trigger_id, view=reply_modal())
    assert sandbox.triggers.exchanged_after(late.trigger_id) is None
    assert sandbox.triggers.exchanged_after("never-issued") is None


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"type": "home"}, "/view/type"),
        ({"title": plain("x" * 25)}, "/view/title/text"),
        ({"submit": plain("s" * 25)}, "/view/submit/text"),
        ({"close": {"type": "mrkdwn", "text": "Cancel"}}, "/view/close/type"),
        ({"submit": None}, "/view/submit"),
        ({"callback_id": "c" * 256}, "/view/callback_id"),
        ({"private_metadata": "m" * 3001}, "/view/private_metadata"),
        ({"blocks": [{"type": "divider"}] * 101}, "/view/blocks"),
        ({"blocks": [{"type": "input", "element": {"type": "plain_text_input"}}]}, "/view/blocks/0/label"),
        ({"blocks": [{"type": "input", "label": plain("L")}]}, "/view/blocks/0/element"),
        (
            {
                "blocks": [
                    {
                        "type": "input",
                        "label": plain("L"),
                        "element": {"type": "plain_text_input", "max_length": 3001},
                    }
                ]
            },
            "/view/blocks/0/element/max_length",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "input",
                        "label": plain("L"),
                        "element": {"type": "plain_text_input", "multiline": "yes"},
                    }
                ]
            },
            "/view/blocks/0/element/multiline",
        ),
    ],
)
def test_views_open_validates_the_view_like_slack(
    sandbox: SlackSandbox, client: WebClient, change: dict[str, Any], pointer: str
) -> None:
    trigger = sandbox.triggers.issue("T0SANDBOX", "U0ALICE")
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id=trigger, view=reply_modal(**change))
    answer = refused.value.response
    assert answer["error"] == "invalid_arguments"
    assert any(
        m.startswith("[ERROR] ") and m.endswith(f"[json-pointer:{pointer}]")
        for m in answer["response_metadata"]["messages"]
    ), answer["response_metadata"]
    assert sandbox.open_views() == []
    # a refused view does not spend the trigger
    assert client.views_open(trigger_id=trigger, view=reply_modal())["ok"]


def test_views_open_answers_slacks_view_object_and_update_replaces_it(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    trigger = sandbox.triggers.issue("T0SANDBOX", "U0ALICE")
    view = client.views_open(trigger_id=trigger, view=json.dumps(reply_modal()))["view"]

    assert view["team_id"] == "T0SANDBOX" and view["state"] == {"values": {}} and view["hash"]
    assert view["callback_id"] == "reply_modal" and json.loads(view["private_metadata"]) == {
        "comment_id": "c1"
    }
    assert view["root_view_id"] == view["id"] and view["blocks"][0]["block_id"]  # generated, like Slack

    with pytest.raises(SlackApiError) as conflict:
        client.views_update(view_id=view["id"], hash="stale", view=reply_modal())
    assert conflict.value.response["error"] == "hash_conflict"
    updated = client.views_update(
        view_id=view["id"], hash=view["hash"], view=reply_modal(title=plain("Sent"))
    )
    assert updated["view"]["id"] == view["id"] and updated["view"]["hash"] != view["hash"]
    assert sandbox.open_views("U0ALICE")[0].title == "Sent"
    with pytest.raises(SlackApiError) as missing:
        client.views_update(view_id="V0NOSUCH", view=reply_modal())
    assert missing.value.response["error"] == "not_found"


@pytest.fixture
def bolt(sandbox: SlackSandbox, serve: Callable[[Any], RunningServer]) -> dict[str, list[dict[str, Any]]]:
    """A Bolt app opening the reply modal from `/ig inbox` and judging its submissions."""
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=sandbox.api_url))
    seen: dict[str, list[dict[str, Any]]] = {"submissions": [], "closed": []}

    @app.command("/ig")
    def ig(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=reply_modal(notify_on_close=True))

    @app.view("reply_modal")
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        seen["submissions"].append(body)
        text = view["state"]["values"]["reply_block"]["reply_text"]["value"]
        if text == "rude":
            ack(response_action="errors", errors={"reply_block": "Be kind"})
        elif text == "more":
            ack(response_action="update", view=reply_modal(title=plain("One more thing")))
        elif text == "clear":
            ack(response_action="clear")
        else:
            ack()

    @app.view_closed("reply_modal")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen["closed"].append(body)

    web = Flask("bolt_views")
    handler = SlackRequestHandler(app)
    web.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    sandbox.bot_url = f"{serve(web).url}/slack/events"
    return seen


def open_modal(sandbox: SlackSandbox, user_id: str = "U0ALICE") -> ModalView:
    assert sandbox.send_command(text="inbox", user_id=user_id).ok
    return sandbox.wait_view(lambda v: v.user_id == user_id and v.callback_id == "reply_modal")


def test_submission_reaches_bolts_view_listener_in_slacks_shape(
    sandbox: SlackSandbox, bolt: dict[str, list[dict[str, Any]]]
) -> None:
    modal = open_modal(sandbox)

    result = sandbox.submit_view(modal, {"reply_text": "Thanks!"})

    assert result.ok and result.raw_text == ""
    (body,) = bolt["submissions"]
    assert body["type"] == "view_submission" and body["response_urls"] == []
    assert body["team"]["id"] == "T0SANDBOX" and body["user"]["id"] == "U0ALICE" and body["trigger_id"]
    assert body["api_app_id"] and body["token"]
    view = body["view"]
    assert (view["id"], view["callback_id"], view["hash"]) == (modal.id, "reply_modal", modal.hash)
    assert json.loads(view["private_metadata"]) == {"comment_id": "c1"}
    assert view["state"]["values"] == {
        "reply_block": {"reply_text": {"type": "plain_text_input", "value": "Thanks!"}},
        "sign_block": {"sign": {"type": "plain_text_input", "value": "-- igbot"}},
    }
    assert sandbox.open_views() == [] and sandbox.views.get(modal.id).closed_by == "submitted"  # type: ignore[union-attr]


def test_response_action_errors_keeps_the_modal_open_then_update_and_clear(
    sandbox: SlackSandbox, bolt: dict[str, list[dict[str, Any]]]
) -> None:
    modal = open_modal(sandbox)

    assert sandbox.submit_view(modal, {"reply_text": "rude"}).ok
    (still,) = sandbox.open_views("U0ALICE")
    assert still.id == modal.id and still.errors == {"reply_block": "Be kind"}

    assert sandbox.submit_view(modal, {"reply_text": "more"}).ok
    (updated,) = sandbox.open_views("U0ALICE")
    assert updated.id == modal.id and updated.title == "One more thing" and updated.errors == {}

    assert sandbox.submit_view(modal, {"reply_text": "clear"}).ok
    assert sandbox.open_views() == [] and sandbox.views.get(modal.id).closed_by == "cleared"  # type: ignore[union-attr]
    assert sandbox.failures() == []


def test_the_client_refuses_an_empty_required_field_and_a_too_long_text(
    sandbox: SlackSandbox, bolt: dict[str, list[dict[str, Any]]]
) -> None:
    modal = open_modal(sandbox)

    with pytest.raises(ViewRefused) as empty:
        sandbox.submit_view(modal, {"reply_text": ""})
    with pytest.raises(ViewRefused) as long:
        sandbox.submit_view(modal, {"reply_text": "x" * 301})
    with pytest.raises(ValueError, match="no input"):
        sandbox.submit_view(modal, {"nope": "x"})
    with pytest.raises(ValueError, match="cannot see it"):
        sandbox.submit_view(modal, {"reply_text": "hi"}, user_id="U0BOB")

    assert list(empty.value.errors) == ["reply_block"] and list(long.value.errors) == ["reply_block"]
    assert bolt["submissions"] == [] and sandbox.open_views() == [modal]


def test_closing_sends_view_closed_only_with_notify_on_close(
    sandbox: SlackSandbox, bolt: dict[str, list[dict[str, Any]]], client: WebClient
) -> None:
    modal = open_modal(sandbox)
    result = sandbox.close_view(modal)

    assert result is not None and result.ok
    (closed,) = bolt["closed"]
    assert (
        closed["type"] == "view_closed" and closed["view"]["id"] == modal.id and closed["is_cleared"] is False
    )
    assert sandbox.open_views() == []

    quiet = client.views_open(trigger_id=sandbox.triggers.issue("T0SANDBOX", "U0BOB"), view=reply_modal())
    assert sandbox.close_view(quiet["view"]["id"]) is None and len(bolt["closed"]) == 1


def test_a_late_submission_ack_is_a_failure_and_the_view_stays_open(
    serve: Callable[[Any], RunningServer],
) -> None:
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, ack_deadline=0.3)
    sb.start()
    try:
        bot = FakeBot(reply=lambda _r: (time.sleep(0.6), ("200 OK", [], b""))[1])
        sb.bot_url = f"{serve(bot).url}/slack/events"
        modal = sb.views.open("T0SANDBOX", "U0ALICE", reply_modal())

        result = sb.submit_view(modal, {"reply_text": "hi"})

        assert result.error == "operation_timeout"
        assert sb.open_views() == [modal] and sb.failures()[0].kind == "view_submission reply_modal"
    finally:
        sb.stop()


def test_controls_list_submit_and_close_views(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    base = f"{sandbox.base_url}/__sandbox__"
    modal = sandbox.views.open("T0SANDBOX", "U0ALICE", reply_modal())
    fake_bot.reply = lambda _r: json_reply(b'{"response_action": "errors", "errors": {"reply_block": "No"}}')

    listed = requests.get(f"{base}/views", params={"user_id": "U0ALICE"}, timeout=5).json()
    refused = requests.post(f"{base}/submit_view", json={"view_id": modal.id, "values": {}}, timeout=5)
    errors = requests.post(
        f"{base}/submit_view", json={"view_id": modal.id, "values": {"reply_text": "x"}}, timeout=5
    ).json()
    fake_bot.reply = lambda _r: ("200 OK", [], b"")
    closed = requests.post(f"{base}/close_view", json={"view_id": modal.id}, timeout=5).json()
    gone = requests.post(f"{base}/close_view", json={"view_id": modal.id}, timeout=5)

    assert [v["id"] for v in listed] == [modal.id] and listed[0]["view"]["title"]["text"] == "Reply to @bob"
    assert refused.status_code == 400 and refused.json()["errors"] == {"reply_block": ANY_TEXT}
    assert errors["ok"] and errors["view"]["open"] and errors["view"]["errors"] == {"reply_block": "No"}
    assert closed == {"ok": True, "notified": False, "result": None} and gone.status_code == 404
    assert requests.get(f"{base}/views", timeout=5).json() == []
    assert len(requests.get(f"{base}/views", params={"all": "1"}, timeout=5).json()) == 1


class _AnyText:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)


ANY_TEXT: Any = _AnyText()
