"""Socket Mode: the stand-in's hub against slack_sdk's own built-in client, and a Bolt app through
igbot's `SocketModeRunner`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask, jsonify, request
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from bot.app import build
from bot.settings import Settings
from bot.threaded_server import RunningServer
from bot.web.socket_mode import SocketModeRunner, close_client
from igbot_sandboxes.slack.commands import Names, command_body
from igbot_sandboxes.slack.socket import SocketHub, socket_envelope_for
from tests import log_capture
from tests.sandboxes.slack.helpers import TOKEN

APP_TOKEN = "xapp-1-A0IGBOT-1-sockettesttoken"


@dataclass
class FakeApi:
    """`apps.connections.open` only, answering the hub's URLs to the app token."""

    hub: SocketHub
    calls: int = 0
    url: str = ""
    down_for: int = 0  # answer this many calls 503 first (Slack unreachable at boot)

    def wsgi(self) -> Flask:
        web = Flask("fake_slack_api")

        @web.post("/api/apps.connections.open")
        def open_connection() -> Any:
            self.calls += 1
            if self.calls <= self.down_for:
                return jsonify(ok=False, error="service_unavailable"), 503
            if request.headers.get("Authorization") != f"Bearer {APP_TOKEN}":
                return jsonify(ok=False, error="invalid_auth")
            return jsonify(ok=True, url=self.hub.open_url())

        return web


@dataclass
class Received:
    """What a raw client's request listener saw; it acks with ``reply`` unless ``hold`` is set."""

    requests: list[SocketModeRequest] = field(default_factory=list)
    hello: list[dict[str, Any]] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    hold: threading.Event | None = None


@pytest.fixture
def hub() -> Iterator[SocketHub]:
    hub = SocketHub()
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture
def api(hub: SocketHub, serve: Callable[[Any], RunningServer]) -> FakeApi:
    log_capture.remember_secret(APP_TOKEN)
    fake = FakeApi(hub)
    fake.url = f"{serve(fake.wsgi()).url}/api/"
    return fake


@pytest.fixture
def raw_client(hub: SocketHub, api: FakeApi) -> Iterator[tuple[SocketModeClient, Received]]:
    """slack_sdk's built-in client, connected through `apps.connections.open` (and greeted), with a
    recording listener."""
    seen = Received()
    client = SocketModeClient(app_token=APP_TOKEN, web_client=WebClient(base_url=api.url))

    def listener(sm: Any, req: SocketModeRequest) -> None:
        seen.requests.append(req)
        if seen.hold is not None:
            seen.hold.wait(5)
        sm.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload=seen.reply))

    def on_message(sm: Any, message: dict[str, Any], raw: str | None) -> None:
        if message.get("type") == "hello":
            seen.hello.append(message)

    client.socket_mode_request_listeners.append(listener)
    client.message_listeners.append(on_message)
    client.connect()
    assert wait_for(lambda: bool(seen.hello))  # the hub counts a connection from its hello on
    yield client, seen
    close_client(client)


def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Poll ``condition`` (for state only another thread changes) until it holds or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def command_payload(text: str, command: str = "/ig") -> dict[str, Any]:
    body = command_body(
        command=command,
        text=text,
        team_id="T0SANDBOX",
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        names=Names("sandbox", "alice", "general"),
        response_url="http://127.0.0.1:1/respond/r1",
    )
    kind, payload = socket_envelope_for(body)
    assert kind == "slash_commands"
    return payload


# --- the hub with slack_sdk's own client ------------------------------------------------------------


def test_the_client_is_greeted_and_its_ack_payload_is_the_answer(
    hub: SocketHub, api: FakeApi, raw_client: tuple[SocketModeClient, Received]
) -> None:
    _, seen = raw_client
    assert wait_for(lambda: bool(seen.hello))
    assert seen.hello[0]["connection_info"] == {"app_id": "A0IGBOT"}
    assert seen.hello[0]["num_connections"] == 1
    assert hub.connected() and api.calls == 1
    seen.reply = {"text": "hi there", "response_type": "ephemeral"}

    result = hub.deliver("slash_commands", command_payload("popular 1"), timeout=2)

    assert result.ok and result.status == 200
    assert result.body == {"text": "hi there", "response_type": "ephemeral"}
    assert result.response_url == "http://127.0.0.1:1/respond/r1"
    req = seen.requests[0]
    assert req.type == "slash_commands" and req.accepts_response_payload is True
    assert req.payload["text"] == "popular 1" and req.payload["command"] == "/ig"
    assert req.retry_attempt is None  # only Events API envelopes carry retry fields
    [delivery] = hub.deliveries()
    assert delivery.acked and delivery.envelope_id == req.envelope_id and delivery.error is None


def test_an_events_api_ack_payload_is_ignored(
    hub: SocketHub, raw_client: tuple[SocketModeClient, Received]
) -> None:
    _, seen = raw_client
    seen.reply = {"text": "Slack ignores this"}
    result = hub.deliver(
        "events_api", {"type": "event_callback", "event": {"type": "app_mention"}}, timeout=2
    )
    assert result.ok and result.body is None and result.raw_text == ""
    assert seen.requests[0].accepts_response_payload is False
    assert (seen.requests[0].retry_attempt, seen.requests[0].retry_reason) == (0, "")


def test_no_ack_in_time_is_an_operation_timeout_and_a_late_ack_is_recorded(
    hub: SocketHub, raw_client: tuple[SocketModeClient, Received]
) -> None:
    _, seen = raw_client
    seen.hold = threading.Event()
    result = hub.deliver("slash_commands", command_payload("me"), timeout=0.2)
    # Status 0 and no body: the hub stopped waiting at its deadline (the listener acks only once
    # released, below); and it did wait the whole deadline first.
    assert result.error == "operation_timeout" and result.status == 0 and result.body is None
    assert result.elapsed_ms >= 200
    seen.hold.set()  # the listener acks now, too late
    assert hub.wait_until(lambda h: h.deliveries()[0].late, timeout=2)
    assert not hub.deliveries()[0].acked


def test_without_a_connection_delivery_fails_like_an_unreachable_bot(hub: SocketHub) -> None:
    result = hub.deliver("interactive", {"type": "block_actions"}, timeout=0.5)
    assert result.error == "dispatch_failed" and result.status == 0
    assert not hub.connected()


def test_disconnect_makes_the_client_reconnect_with_a_new_ticket(
    hub: SocketHub, api: FakeApi, raw_client: tuple[SocketModeClient, Received]
) -> None:
    client, seen = raw_client
    assert hub.wait_until(lambda h: h.hellos == 1)
    old_session = client.session_id()

    assert hub.disconnect("refresh_requested") == 1

    assert hub.wait_until(lambda h: h.hellos == 2 and h.connection_count() == 1, timeout=3)
    assert api.calls == 2  # slack_sdk called apps.connections.open again
    assert wait_for(lambda: client.session_id() != old_session and client.is_connected())
    seen.reply = {"text": "still here"}
    assert hub.deliver("slash_commands", command_payload("me"), timeout=2).body == {"text": "still here"}
    assert hub.refused == 0


def test_a_ticket_opens_one_connection_only(hub: SocketHub) -> None:
    url = hub.open_url()
    assert url.startswith(f"ws://127.0.0.1:{hub.port}/link/?ticket=")
    with ws_connect(url) as first:
        assert '"type": "hello"' in str(first.recv(timeout=2))
        with pytest.raises(InvalidStatus) as again:
            ws_connect(url)
        assert again.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        ws_connect(f"ws://127.0.0.1:{hub.port}/link/?ticket=made-up")
    assert hub.refused == 2 and hub.hellos == 1


def test_the_hub_answers_the_clients_pings(hub: SocketHub) -> None:
    with ws_connect(hub.open_url()) as ws:
        ws.recv(timeout=2)
        assert ws.ping(b"are you there").wait(2)


# --- a Bolt app through SocketModeRunner ------------------------------------------------------------


@dataclass
class BoltUnderTest:
    app: App
    runner: SocketModeRunner
    retry_headers: list[dict[str, Any]] = field(default_factory=list)
    threads_before: set[threading.Thread] = field(default_factory=lambda: set(threading.enumerate()))


@pytest.fixture
def bolt(api: FakeApi) -> Iterator[BoltUnderTest]:
    def authorize(enterprise_id: str | None, team_id: str | None, **_: object) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=TOKEN)

    app = App(
        signing_secret="unused-in-socket-mode",
        client=WebClient(base_url=api.url, timeout=2),
        authorize=authorize,
        process_before_response=True,  # as igbot's build() does
    )
    under_test = BoltUnderTest(app, SocketModeRunner(app, APP_TOKEN, ping_interval=5))

    @app.command("/ig")
    def ig(ack: Ack, command: dict[str, Any]) -> None:
        ack(f"You asked for `{command['text']}`")

    @app.event("app_mention")
    def mention(ack: Ack, request: BoltRequest) -> None:
        ack()
        headers = request.headers
        under_test.retry_headers.append(
            {k: headers.get(k) for k in ("x-slack-retry-num", "x-slack-retry-reason") if k in headers}
        )

    under_test.runner.start()
    yield under_test
    under_test.runner.stop()


def event_payload() -> dict[str, Any]:
    return {
        "token": "sandbox-verification-token",
        "team_id": "T0SANDBOX",
        "api_app_id": "A0IGBOT",
        "type": "event_callback",
        "event_id": "Ev0001",
        "event_time": 1700000000,
        "event": {"type": "app_mention", "user": "U0ALICE", "text": "<@U0IGBOT> hi", "channel": "C0GENERAL"},
    }


def test_a_command_over_the_socket_gets_the_listeners_ack_text_back(
    hub: SocketHub, bolt: BoltUnderTest
) -> None:
    assert bolt.runner.wait_connected(3)
    result = hub.deliver("slash_commands", command_payload("follow bob"), timeout=2)
    assert result.ok, result
    assert result.body == {"text": "You asked for `follow bob`"}


def test_an_events_api_retry_reaches_the_listener_with_slacks_retry_headers(
    hub: SocketHub, bolt: BoltUnderTest
) -> None:
    assert bolt.runner.wait_connected(3)
    first = hub.deliver("events_api", event_payload(), timeout=2)
    again = hub.deliver("events_api", event_payload(), timeout=2, retry_attempt=1, retry_reason="timeout")
    assert first.ok and again.ok
    assert bolt.retry_headers == [
        # Bolt synthesises the headers whenever the envelope has the fields, so the first try says 0
        {"x-slack-retry-num": ["0"], "x-slack-retry-reason": [""]},
        {"x-slack-retry-num": ["1"], "x-slack-retry-reason": ["timeout"]},
    ]


def test_a_request_bolt_cannot_route_is_never_acked(hub: SocketHub, bolt: BoltUnderTest) -> None:
    assert bolt.runner.wait_connected(3)
    result = hub.deliver("slash_commands", command_payload("x", command="/other"), timeout=0.3)
    assert result.error == "operation_timeout"  # over HTTP the same request is a 404, `http_error`


def test_the_runner_reconnects_when_asked_and_stops_every_thread(
    hub: SocketHub, api: FakeApi, bolt: BoltUnderTest
) -> None:
    assert bolt.runner.wait_connected(3)
    hub.disconnect("warning")
    assert hub.wait_until(lambda h: h.hellos == 2 and h.connection_count() == 1, timeout=3)
    assert bolt.runner.wait_connected(3) and api.calls == 2
    assert hub.deliver("slash_commands", command_payload("me"), timeout=2).ok

    started = time.monotonic()
    bolt.runner.stop()
    assert time.monotonic() - started < 0.5
    assert not bolt.runner.connected
    assert hub.wait_until(lambda h: not h.connected(), timeout=2)
    # The stand-in's own handler thread of the closed connection may take a moment to return.
    deadline = time.monotonic() + 3
    while (left := [t.name for t in set(threading.enumerate()) - bolt.threads_before]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.02)  # polling for threads to end, not waiting a fixed time
    assert left == []


def test_igbots_own_app_answers_over_the_socket_with_its_ack_text(
    hub: SocketHub, api: FakeApi, redis_url: str
) -> None:
    settings = Settings.from_env(
        {
            "SLACK_SIGNING_SECRET": "socket-test-secret",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": api.url,
            "INSTAGRAM_CLIENT_ID": "sandbox-client-id",
            "INSTAGRAM_CLIENT_SECRET": "sandbox-client-secret",
            "INSTAGRAM_WEBHOOK_VERIFY_TOKEN": "socket-test-verify",
            "REDIS_URL": redis_url,
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
    )
    igbot = build(settings)
    runner = SocketModeRunner(igbot.bolt, APP_TOKEN)
    try:
        runner.start()
        assert runner.wait_connected(3)
        result = hub.deliver("slash_commands", command_payload("help"), timeout=3)
        unknown = hub.deliver("slash_commands", command_payload("folow bob"), timeout=3)
    finally:
        runner.stop()
        igbot.close()
    assert result.ok and result.body is not None
    assert "Here's what `/ig` can do" in result.body["text"]
    assert unknown.body is not None and "follow" in unknown.body["text"]


def test_start_retrying_comes_up_after_slack_was_down_and_stops_on_a_refused_token(
    hub: SocketHub, api: FakeApi
) -> None:
    app = App(
        signing_secret="unused-in-socket-mode",
        client=WebClient(base_url=api.url, timeout=2),
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token=TOKEN),
    )
    api.down_for = 2
    runner = SocketModeRunner(app, APP_TOKEN, ping_interval=5)
    try:
        attempts = runner.start_retrying(first_delay=0.05, max_delay=0.1)
        assert runner.wait_connected(5) and api.calls == 3
        attempts.join(5)
        assert not attempts.is_alive()
    finally:
        runner.stop()
    refused = SocketModeRunner(app, "xapp-1-not-the-token", ping_interval=5)
    try:
        gave_up = refused.start_retrying(first_delay=0.05, max_delay=0.1)
        gave_up.join(5)
        assert not gave_up.is_alive() and not refused.connected
    finally:
        refused.stop()
