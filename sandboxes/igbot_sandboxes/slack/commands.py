"""Calls from Slack to the bot: slash commands, button clicks and modal submissions, signed and timed
like Slack's.

Builds the exact request bodies (form fields for commands, a ``payload`` JSON field for
interactions: ``block_actions``, ``view_submission``, ``view_closed``), posts them to the bot's
Request URL and judges the answer against Slack's 3-second acknowledgement limit.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests

from igbot_sandboxes.slack.messages import Button, RecordedMessage
from igbot_sandboxes.slack.signing import signed_headers
from igbot_sandboxes.slack.workspace import APP_ID, BOT_ID, BOT_USER_ID, Workspace

ACK_DEADLINE_SECONDS = 3.0
FORM = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "sandbox-verification-token"  # noqa: S105  # the deprecated `token` field Slack sends


@dataclass
class CommandResult:
    """The bot's HTTP answer to one command or action.

    Attributes:
        status: HTTP status, or 0 when there was no answer in time or no connection.
        body: the answer parsed as a JSON object, else None.
        raw_text: the answer body as text.
        elapsed_ms: time from sending to the complete answer.
        response_url: the response URL handed to the bot with this request.
        error: what Slack would show the user instead (`operation_timeout`, `dispatch_failed`,
            `http_error`), None when acknowledged in time.
        message: the ack reply recorded as a message, if the answer carried one.
        trigger_id: the ``trigger_id`` the request carried ("" for none).
    """

    status: int
    body: dict[str, Any] | None
    raw_text: str
    elapsed_ms: float
    response_url: str
    error: str | None = None
    message: RecordedMessage | None = None
    trigger_id: str = ""

    @property
    def ok(self) -> bool:
        """True when the bot acknowledged with a 2xx within the deadline."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dataclasses.asdict(self)
        data["message"] = self.message.to_dict() if self.message else None
        return data


@dataclass(frozen=True)
class Names:
    """Display names Slack puts next to the ids in a request (made up for ids not in the workspace)."""

    team_domain: str
    user_name: str
    channel_name: str


def names_for(workspace: Workspace, team_id: str, user_id: str, channel_id: str) -> Names:
    """Names of a team, user and channel; invented ids get lower-cased ids as names."""
    team = workspace.teams.get(team_id)
    user = workspace.user(team_id, user_id)
    channel = workspace.channel(team_id, channel_id)
    channel_name = channel_id.lower()
    if channel is not None:
        channel_name = "directmessage" if channel.is_im else channel.name
    return Names(
        team_domain=team.domain if team else team_id.lower(),
        user_name=user.name if user else user_id.lower(),
        channel_name=channel_name,
    )


def new_trigger_id() -> str:
    """An opaque trigger id shaped like Slack's."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"


def command_body(
    *,
    command: str,
    text: str,
    team_id: str,
    user_id: str,
    channel_id: str,
    names: Names,
    response_url: str,
    trigger_id: str | None = None,
) -> bytes:
    """The form-encoded body of a slash command invocation (a fresh ``trigger_id`` unless given)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": names.team_domain,
        "channel_id": channel_id,
        "channel_name": names.channel_name,
        "user_id": user_id,
        "user_name": names.user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urllib.parse.urlencode(fields).encode()


def button_action(button: Button) -> dict[str, Any]:
    """The ``actions[0]`` of a click on ``button``."""
    action: dict[str, Any] = {
        "action_id": button.action_id,
        "block_id": button.block_id or "",
        "text": {"type": "plain_text", "text": button.text, "emoji": True},
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    action.update(
        {k: v for k, v in (("value", button.value), ("url", button.url), ("style", button.style)) if v}
    )
    return action


def select_action(element: dict[str, Any], block_id: str, option: dict[str, Any]) -> dict[str, Any]:
    """The ``actions[0]`` of picking ``option`` in a static_select ``element``."""
    return {
        "type": "static_select",
        "action_id": element.get("action_id", ""),
        "block_id": block_id,
        "selected_option": option,
        "placeholder": element.get("placeholder"),
        "action_ts": f"{time.time():.6f}",
    }


def block_actions_body(
    *,
    message: RecordedMessage,
    action: dict[str, Any],
    user_id: str,
    names: Names,
    response_url: str,
    trigger_id: str | None = None,
    replies: list[RecordedMessage] | None = None,
) -> bytes:
    """The form-encoded body (``payload=<json>``) of an interaction (``action``) with ``message``.

    As in Slack, the clicked message itself is included only when it is not ephemeral; for a reply
    in a thread ``container.thread_ts`` and ``message.thread_ts`` name the parent, and a parent's
    ``message`` carries its thread summary (``replies``).
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": names.user_name,
            "name": names.user_name,
            "team_id": message.team_id,
        },
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel_id,
            "is_ephemeral": message.ephemeral,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": message.team_id, "domain": names.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": message.channel_id, "name": names.channel_name},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if message.is_reply:
        payload["container"]["thread_ts"] = message.thread_ts
    if not message.ephemeral:
        payload["message"] = message.to_slack(BOT_USER_ID, BOT_ID, replies)
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def _view_user(user_id: str, team_id: str, names: Names) -> dict[str, Any]:
    return {"id": user_id, "username": names.user_name, "name": names.user_name, "team_id": team_id}


def view_submission_body(
    *, view: dict[str, Any], team_id: str, user_id: str, names: Names, trigger_id: str
) -> bytes:
    """The form-encoded body (``payload=<json>``) of a ``view_submission``: ``view`` already holds the
    submitted ``state.values`` ({block_id: {action_id: {"type": ..., "value": ...}}})."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": names.team_domain},
        "user": _view_user(user_id, team_id, names),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def view_closed_body(*, view: dict[str, Any], team_id: str, user_id: str, names: Names) -> bytes:
    """The body of a ``view_closed`` (the user cancelled a view with ``notify_on_close``)."""
    payload = {
        "type": "view_closed",
        "team": {"id": team_id, "domain": names.team_domain},
        "user": _view_user(user_id, team_id, names),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def post_signed(
    url: str,
    signing_secret: str,
    body: bytes,
    content_type: str,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    timeout: float = 10.0,
) -> requests.Response:
    """POST ``body`` to ``url`` with Slack's signature headers (or the given forged ones)."""
    headers = signed_headers(
        signing_secret, body, content_type, timestamp=timestamp, signature_override=signature
    )
    return requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)


def deliver(
    url: str, signing_secret: str, body: bytes, *, response_url: str, deadline: float = ACK_DEADLINE_SECONDS
) -> CommandResult:
    """Send a signed form body to the bot and judge the answer as Slack does.

    Slack waits ``deadline`` seconds for the acknowledgement; later answers count as
    `operation_timeout` even if they arrive, an unreachable bot is `dispatch_failed` and a non-2xx
    status is `http_error`.
    """
    started = time.monotonic()
    try:
        reply = post_signed(url, signing_secret, body, FORM, timeout=deadline)
    except requests.Timeout:
        elapsed = (time.monotonic() - started) * 1000
        return CommandResult(0, None, "", elapsed, response_url, error="operation_timeout")
    except requests.ConnectionError:
        elapsed = (time.monotonic() - started) * 1000
        return CommandResult(0, None, "", elapsed, response_url, error="dispatch_failed")
    elapsed = (time.monotonic() - started) * 1000
    parsed: Any = None
    if "json" in reply.headers.get("Content-Type", ""):
        try:
            parsed = reply.json()
        except ValueError:
            parsed = None
    error = None
    if elapsed > deadline * 1000:
        error = "operation_timeout"
    elif not 200 <= reply.status_code < 300:
        error = "http_error"
    body_dict = parsed if isinstance(parsed, dict) else None
    return CommandResult(reply.status_code, body_dict, reply.text, elapsed, response_url, error=error)
