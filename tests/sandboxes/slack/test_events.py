"""Events API delivery of the Slack stand-in: envelope, signature, retries, url_verification, Socket Mode."""

from __future__ import annotations

import json
import time
from typing import Any

from igbot_sandboxes.slack import CommandResult, SlackSandbox
from igbot_sandboxes.slack.signing import signature
from tests.sandboxes.slack.helpers import SECRET, FakeBot, Received, Reply, json_reply


def _event(received: Received) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(received.body)
    return body


def test_event_callback_envelope_is_signed_json(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    delivery = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert delivery.delivered and [a.retry_num for a in delivery.attempts] == [0]
    (got,) = fake_bot.received
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-slack-signature"] == signature(
        SECRET, int(got.headers["x-slack-request-timestamp"]), got.body
    )
    assert "x-slack-retry-num" not in got.headers
    envelope = _event(got)
    assert envelope["type"] == "event_callback" and envelope["team_id"] == "T0SANDBOX"
    assert envelope["event_id"].startswith("Ev") and envelope["event_id"] == delivery.event_id
    assert envelope["api_app_id"] == "A0IGBOT" and envelope["is_ext_shared_channel"] is False
    assert envelope["event"]["type"] == "app_uninstalled" and "event_ts" in envelope["event"]
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": "T0SANDBOX",
            "user_id": "U0IGBOT",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    assert isinstance(envelope["event_time"], int) and envelope["event_context"]


def test_failures_are_retried_with_the_same_event_and_fresh_signatures(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    fake_bot.reply = lambda _r: ("500 Internal Server Error", [], b"boom")
    delivery = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert not delivery.delivered
    assert [(a.retry_num, a.retry_reason, a.status, a.error) for a in delivery.attempts] == [
        (0, "", 500, "http_error"),
        (1, "http_error", 500, "http_error"),
        (2, "http_error", 500, "http_error"),
        (3, "http_error", 500, "http_error"),
    ]
    bodies = {r.body for r in fake_bot.received}
    assert len(bodies) == 1  # same event_id, same content
    assert [r.headers.get("x-slack-retry-num") for r in fake_bot.received] == [None, "1", "2", "3"]
    assert fake_bot.received[1].headers["x-slack-retry-reason"] == "http_error"
    for r in fake_bot.received:
        assert r.headers["x-slack-signature"] == signature(
            SECRET, int(r.headers["x-slack-request-timestamp"]), r.body
        )


def test_no_retry_header_and_success_stop_retries(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    fake_bot.reply = lambda _r: ("503 Service Unavailable", [("X-Slack-No-Retry", "1")], b"")
    assert len(sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"}).attempts) == 1
    answers = iter([("500 Internal Server Error", [], b""), ("200 OK", [], b"")])
    fake_bot.reply = lambda _r: next(answers)
    delivery = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert delivery.delivered and [a.error for a in delivery.attempts] == ["http_error", None]


def test_timeouts_redelivery_and_unreachable_bot(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    delivery = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"}, first_timed_out=True)
    assert [(a.retry_num, a.error) for a in delivery.attempts] == [(0, "http_timeout"), (1, None)]
    assert fake_bot.received[1].headers["x-slack-retry-reason"] == "http_timeout"
    again = sandbox.redeliver(delivery)
    assert again.event_id == delivery.event_id and again.delivered
    assert fake_bot.received[-1].headers["x-slack-retry-num"] == "1"
    assert fake_bot.received[-1].headers["x-slack-retry-reason"] == "http_timeout"
    sandbox.ack_deadline = 0.05

    def slow(_r: Received) -> Reply:
        time.sleep(0.2)
        return "200 OK", [], b""

    fake_bot.reply = slow
    sandbox.event_retry_delays = (0.0,)
    late = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert [a.error for a in late.attempts] == ["http_timeout", "http_timeout"]
    sandbox.bot_url = "http://127.0.0.1:9/slack/events"
    gone = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert (
        gone.attempts[0].error == "connection_failed" and gone.attempts[1].retry_reason == "connection_failed"
    )


def test_only_installed_teams_and_subscribed_types_get_events(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    assert sandbox.send_event("T0OTHER", {"type": "app_uninstalled"}).skipped == "app_not_installed"
    assert sandbox.send_event("T0SANDBOX", {"type": "message"}).skipped == "not_subscribed"
    sandbox.event_subscriptions.add("message")
    assert sandbox.send_event("T0SANDBOX", {"type": "message"}).delivered
    assert len(fake_bot.received) == 1
    assert [d.skipped for d in sandbox.deliveries()] == ["app_not_installed", "not_subscribed", None]


def test_url_verification(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    def echo(r: Received) -> Reply:
        return json_reply(json.dumps({"challenge": json.loads(r.body)["challenge"]}).encode())

    fake_bot.reply = echo
    assert sandbox.verify_request_url() is True
    got = json.loads(fake_bot.received[-1].body)
    assert got["type"] == "url_verification" and got["token"] and got["challenge"]
    fake_bot.reply = lambda r: (
        "200 OK",
        [("Content-Type", "text/plain")],
        json.loads(r.body)["challenge"].encode(),
    )
    assert sandbox.verify_request_url() is True
    fake_bot.reply = lambda _r: json_reply(b'{"challenge": "wrong"}')
    assert sandbox.verify_request_url() is False


def test_uninstall_sends_tokens_revoked_and_app_uninstalled(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    deliveries = sandbox.uninstall("T0SANDBOX", order=("app_uninstalled", "tokens_revoked"))
    assert [d.event["type"] for d in deliveries] == ["app_uninstalled", "tokens_revoked"]
    assert deliveries[1].event["tokens"] == {"oauth": [], "bot": ["U0IGBOT"]}
    assert all(d.delivered for d in deliveries)
    assert sandbox.installed_teams() == []
    assert sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"}).skipped == "app_not_installed"


class FakeHub:
    """A connected Socket Mode hub recording what the sandbox hands it."""

    def __init__(self, error: str | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.error = error

    def connected(self) -> bool:
        return True

    def deliver(self, envelope_type: str, payload: dict[str, Any], **kwargs: Any) -> CommandResult:
        self.calls.append((envelope_type, payload, kwargs))
        return CommandResult(200, None, "", 1.0, "", error=self.error)


def test_socket_mode_hook_replaces_http(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    hub = FakeHub()
    sandbox.socket = hub
    assert sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"}).attempts[0].via == "socket"
    result = sandbox.send_command("help")
    assert result.ok
    kinds = [c[0] for c in hub.calls]
    assert kinds == ["events_api", "slash_commands"]
    assert hub.calls[0][1]["type"] == "event_callback" and hub.calls[0][2]["retry_attempt"] == 0
    assert hub.calls[1][1]["command"] == "/ig" and hub.calls[1][1]["text"] == "help"
    assert fake_bot.received == []
    hub.error = "operation_timeout"
    retried = sandbox.send_event("T0SANDBOX", {"type": "app_uninstalled"})
    assert [c[2]["retry_reason"] for c in hub.calls[2:]] == [
        "",
        "http_timeout",
        "http_timeout",
        "http_timeout",
    ]
    assert not retried.delivered
