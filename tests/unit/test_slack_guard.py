"""`bot.web.slack_guard`: one parse per Slack request on the ack path, and listeners reading ids from Bolt.

The guard parses a verified body once and hands Bolt that parsed object in the one `BoltRequest` it
dispatches: no second decode of an interaction's ``payload``, no parse by Bolt, none for a lazy listener.
Every JSON decode (`json.JSONDecoder.decode`, under any ``json.loads``) and every form parse
(``parse_qsl``, wherever a module bound it) in this process is recorded while one request is answered.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult

from bot.slack.invocation import Invocation
from bot.web.after_ack import AfterAck
from bot.web.slack_guard import SlackRequestGuard
from igbot_sandboxes.slack.signing import signed_headers

SECRET = "unit-signing-secret"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Parses:
    """What was parsed while a request was answered."""

    forms: list[str] = field(default_factory=list)  # the strings given to parse_qsl
    decoded: list[tuple[str, Any]] = field(default_factory=list)  # (JSON text, the object it gave)

    def of(self, text: str) -> list[str]:
        """The parses of ``text`` (as a form or as JSON)."""
        return [t for t in self.forms if t == text] + [t for t, _ in self.decoded if t == text]


@dataclass
class Guarded:
    client: FlaskClient
    parses: Parses
    dispatched: list[BoltRequest]
    seen: dict[str, Any]
    lazy_done: threading.Event

    def post(self, body: bytes, content_type: str) -> tuple[int, str]:
        """POST a signed body; the response is closed, so what the listener left for later starts."""
        self.parses.forms.clear()
        self.parses.decoded.clear()
        response = self.client.post(
            "/slack/events", data=body, headers=signed_headers(SECRET, body, content_type)
        )
        text = response.get_data(as_text=True)
        response.close()  # what a WSGI server does once the last byte is out: after_ack releases
        return response.status_code, text


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Guarded]:
    pool = AfterAck(max_workers=2)
    bolt = App(
        signing_secret=SECRET,
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-unit"),
        request_verification_enabled=False,  # as igbot builds it: the guard verifies
        process_before_response=True,
        listener_executor=pool,
    )
    seen: dict[str, Any] = {}
    lazy_done = threading.Event()

    def command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        seen["command"] = Invocation.from_command(command, context)
        ack("ok")

    def clicked(ack: Ack) -> None:
        ack()

    def later(body: dict[str, Any], context: BoltContext) -> None:
        seen["later"] = Invocation.from_action(body, context, "")
        lazy_done.set()

    def opened(ack: Ack, context: BoltContext) -> None:
        seen["event"] = (context.team_id, context.user_id, context.channel_id)
        ack()

    bolt.command("/ig")(command)
    bolt.action("ig_button")(ack=clicked, lazy=[later])
    bolt.event("app_home_opened")(opened)

    dispatched: list[BoltRequest] = []
    dispatch = bolt.dispatch

    def recording(req: BoltRequest) -> BoltResponse:
        dispatched.append(req)
        return dispatch(req)

    monkeypatch.setattr(bolt, "dispatch", recording)
    guard = SlackRequestGuard(bolt, SECRET)
    web = Flask("unit-guard")
    web.post("/slack/events")(lambda: guard.handle(request))

    parses = Parses()
    real_decode = json.JSONDecoder.decode
    real_qsl = urllib.parse.parse_qsl

    def decode(self: json.JSONDecoder, s: str, *args: Any, **kwargs: Any) -> Any:
        result = real_decode(self, s, *args, **kwargs)
        parses.decoded.append((s, result))
        return result

    def parse_qsl(qs: Any, *args: Any, **kwargs: Any) -> Any:
        parses.forms.append(qs)
        return real_qsl(qs, *args, **kwargs)

    monkeypatch.setattr(json.JSONDecoder, "decode", decode)
    for module in list(sys.modules.values()):  # every `from urllib.parse import parse_qsl` too
        if getattr(module, "parse_qsl", None) is real_qsl:
            monkeypatch.setattr(module, "parse_qsl", parse_qsl)
    try:
        yield Guarded(web.test_client(), parses, dispatched, seen, lazy_done)
    finally:
        pool.shutdown(wait=True)


def _click(team: str = "T1", user: str = "U1") -> tuple[bytes, str]:
    payload = json.dumps(
        {
            "type": "block_actions",
            "team": {"id": team, "domain": "unit"},
            "user": {"id": user, "username": "ursula", "name": "ursula", "team_id": team},
            "channel": {"id": "C1", "name": "general"},
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.2"},
            "response_url": "http://127.0.0.1:9/respond",
            "trigger_id": f"{time.time()}.trigger",
            "actions": [{"action_id": "ig_button", "block_id": "b", "type": "button", "value": "v"}],
        }
    )
    return urllib.parse.urlencode({"payload": payload}).encode(), payload


def test_an_interaction_is_parsed_once_and_bolt_gets_that_very_object_also_for_its_lazy_listener(
    guarded: Guarded,
) -> None:
    body, payload = _click()
    status, _ = guarded.post(body, FORM)
    assert status == 200
    assert guarded.lazy_done.wait(5), "the lazy listener did not run"
    assert guarded.parses.of(body.decode()) == [body.decode()]  # the form, once
    assert guarded.parses.of(payload) == [payload]  # its payload JSON, once: not again for Bolt
    (request,) = guarded.dispatched
    decoded = next(obj for text, obj in guarded.parses.decoded if text == payload)
    assert request.body is decoded  # the object the guard parsed and checked, not a copy or a re-parse
    assert request.raw_body == ""  # nothing left for Bolt to parse
    later = guarded.seen["later"]
    assert (later.team_id, later.user_id, later.channel_id, later.user_name) == ("T1", "U1", "C1", "ursula")


def test_a_command_and_an_event_are_parsed_once(guarded: Guarded) -> None:
    fields = {"command": "/ig", "text": "user payload", "team_id": "T1", "user_id": "U1"}
    fields |= {"user_name": "ursula", "channel_id": "C1", "response_url": "http://127.0.0.1:9/r"}
    command = urllib.parse.urlencode(fields).encode()
    status, text = guarded.post(command, FORM)
    assert (status, text) == (200, "ok")  # "payload" in the text: Bolt's own parser would lose every field
    assert guarded.parses.of(command.decode()) == [command.decode()]
    assert guarded.parses.decoded == []
    assert guarded.seen["command"] == Invocation(
        "T1", "U1", "ursula", "C1", "http://127.0.0.1:9/r", "user payload"
    )

    event = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "Ev1",
            "event": {"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"},
            "authorizations": [{"team_id": "T1", "user_id": "U0BOT", "is_bot": True}],
        }
    )
    status, _ = guarded.post(event.encode(), JSON)
    assert status == 200
    assert guarded.parses.of(event) == [event]
    assert all(not form for form in guarded.parses.forms)  # only Bolt reading the (empty) query string
    assert guarded.seen["event"] == ("T1", "U2", "D2")


def test_invocations_take_their_ids_from_bolts_context_and_the_rest_from_the_payload() -> None:
    # A click in a view opened from another workspace through a Slack Connect channel: Bolt names the
    # workspace igbot is installed in (view.app_installed_team_id), the one it authorized the request for.
    body = {
        "team": {"id": "T0GUEST"},
        "user": {"id": "U1", "username": "ursula", "team_id": "T0GUEST"},
        "view": {"id": "V1", "app_installed_team_id": "T0HOST"},
        "response_url": "http://127.0.0.1:9/r",
        "actions": [{"action_id": "ig_button"}],
    }
    context = BoltRequest(body=body, mode="socket_mode").context
    assert context.team_id == "T0HOST"
    clicked = Invocation.from_action(body, context, "recent")
    assert clicked == Invocation("T0HOST", "U1", "ursula", "", "http://127.0.0.1:9/r", "recent")
    command = {"team_id": "T1", "user_id": "U1", "user_name": "ursula", "channel_id": "C1", "text": "me"}
    ids = {"team_id": "T9", "user_id": "U9", "channel_id": "C9"}  # what Bolt resolved
    assert Invocation.from_command(command, ids) == Invocation("T9", "U9", "ursula", "C9", "", "me")
