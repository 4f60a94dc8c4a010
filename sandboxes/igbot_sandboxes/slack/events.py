"""Events API delivery: Slack's ``event_callback`` envelope, signed, POSTed and retried like Slack.

Slack POSTs each event as JSON to the Request URL, signed like commands over the raw body, and wants
a 2xx within 3 seconds. Otherwise it retries up to 3 times (Slack: nearly immediately, after about
1 minute, after about 5 minutes; here ``retry_delays``, by default no wait) with the same body (same
``event_id``), a fresh timestamp and signature, and the headers ``X-Slack-Retry-Num`` (1..3) and
``X-Slack-Retry-Reason``: ``http_timeout`` (no answer in time), ``http_error`` (a non-2xx answer),
``connection_failed`` (nothing listening). An answer carrying ``X-Slack-No-Retry: 1`` stops the
retries. ``url_verification`` (``verify_request_url``) is a single signed POST whose answer must echo
the challenge (as JSON ``{"challenge": ...}`` or as the plain body).
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from igbot_sandboxes.slack.signing import signed_headers

DEFAULT_EVENT_SUBSCRIPTIONS = frozenset(
    {"app_home_opened", "link_shared", "app_uninstalled", "tokens_revoked"}
)
DEFAULT_EVENT_RETRY_DELAYS = (0.0, 0.0, 0.0)
SLACK_EVENT_RETRY_DELAYS = (0.0, 60.0, 300.0)  # what Slack itself waits (documentation only)
JSON = "application/json"


@dataclass(frozen=True)
class EventAttempt:
    """One POST of an event.

    Attributes:
        retry_num: 0 for the first attempt, 1..3 for Slack's retries (``X-Slack-Retry-Num``).
        retry_reason: ``X-Slack-Retry-Reason`` sent with it ("" on the first attempt).
        status: the HTTP status, 0 without an answer in time or a connection.
        elapsed_ms: time until the whole answer (or the give-up).
        error: None when acknowledged (2xx in time), else ``http_timeout``, ``http_error`` or
            ``connection_failed``, the reason the next retry carries.
        no_retry: the answer carried ``X-Slack-No-Retry: 1``.
        body: the answer body as text.
        via: ``http`` or ``socket`` (Socket Mode).
    """

    retry_num: int
    retry_reason: str
    status: int
    elapsed_ms: float
    error: str | None
    no_retry: bool = False
    body: str = ""
    via: str = "http"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass
class EventDelivery:
    """One event and every attempt to deliver it.

    Attributes:
        envelope: the ``event_callback`` body exactly as sent.
        skipped: why nothing was sent (``app_not_installed``, ``not_subscribed``,
            ``no_request_url``), else None.
    """

    team_id: str
    envelope: dict[str, Any]
    attempts: list[EventAttempt] = field(default_factory=list)
    skipped: str | None = None

    @property
    def event_id(self) -> str:
        """The ``event_id`` (the same on every retry)."""
        return str(self.envelope.get("event_id", ""))

    @property
    def event(self) -> dict[str, Any]:
        """The inner event."""
        event = self.envelope.get("event")
        return event if isinstance(event, dict) else {}

    @property
    def delivered(self) -> bool:
        """True when some attempt was acknowledged with a 2xx in time."""
        return any(a.error is None for a in self.attempts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "team_id": self.team_id,
            "event_id": self.event_id,
            "envelope": self.envelope,
            "attempts": [a.to_dict() for a in self.attempts],
            "skipped": self.skipped,
            "delivered": self.delivered,
        }


def new_event_id() -> str:
    """An event id shaped like Slack's (``Ev`` + 9 to 11 characters)."""
    return "Ev" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(10))


def event_ts(clock: Callable[[], float]) -> str:
    """A Slack event timestamp from ``clock``."""
    return f"{clock():.6f}"


def post_json_signed(
    url: str,
    signing_secret: str,
    body: bytes,
    *,
    timeout: float,
    extra_headers: dict[str, str] | None = None,
) -> requests.Response:
    """POST a JSON body with Slack's signature headers (fresh timestamp) and any retry headers."""
    headers = signed_headers(signing_secret, body, JSON)
    headers.update(extra_headers or {})
    return requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)


# The Socket Mode hub (socket.py) the sandbox may have: deliver(envelope_type, payload, timeout=...,
# retry_attempt=..., retry_reason=...) -> CommandResult. Typed loosely to keep socket.py unimported.
SocketDeliver = Callable[..., Any]


def attempt_once(
    url: str | None,
    signing_secret: str,
    envelope: dict[str, Any],
    *,
    retry_num: int,
    retry_reason: str,
    deadline: float,
    socket: SocketDeliver | None = None,
) -> EventAttempt:
    """Send the envelope once (over Socket Mode when ``socket`` is given) and judge the answer."""
    started = time.monotonic()
    if socket is not None:
        result = socket(
            "events_api", envelope, timeout=deadline, retry_attempt=retry_num, retry_reason=retry_reason
        )
        error = None
        if result.error is not None:
            error = "http_timeout" if result.error == "operation_timeout" else "http_error"
        return EventAttempt(
            retry_num,
            retry_reason,
            result.status,
            result.elapsed_ms,
            error,
            body=result.raw_text,
            via="socket",
        )
    if not url:
        raise RuntimeError("the Slack sandbox has no bot_url to call: set sb.bot_url first")
    body = json.dumps(envelope).encode()
    extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason} if retry_num else {}
    try:
        reply = post_json_signed(url, signing_secret, body, timeout=deadline, extra_headers=extra)
    except requests.Timeout:
        return EventAttempt(retry_num, retry_reason, 0, _since(started), "http_timeout")
    except requests.ConnectionError:
        return EventAttempt(retry_num, retry_reason, 0, _since(started), "connection_failed")
    elapsed = _since(started)
    error = None
    if elapsed > deadline * 1000:
        error = "http_timeout"
    elif not 200 <= reply.status_code < 300:
        error = "http_error"
    no_retry = reply.headers.get("X-Slack-No-Retry", "") == "1"
    return EventAttempt(
        retry_num, retry_reason, reply.status_code, elapsed, error, no_retry, reply.text[:2000]
    )


def deliver_event(
    delivery: EventDelivery,
    url: str | None,
    signing_secret: str,
    *,
    deadline: float,
    retry_delays: tuple[float, ...],
    socket: SocketDeliver | None = None,
    first_retry: int = 0,
    first_reason: str = "",
    first_timed_out: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> EventDelivery:
    """Deliver ``delivery.envelope``, retrying like Slack; the attempts are appended to ``delivery``.

    ``first_retry``/``first_reason`` start the chain at a retry (``redeliver``); with
    ``first_timed_out`` the first attempt counts as ``http_timeout`` whatever the bot answered (Slack
    did not see the answer in time).
    """
    retry_num, reason = first_retry, first_reason
    while True:
        attempt = attempt_once(
            url,
            signing_secret,
            delivery.envelope,
            retry_num=retry_num,
            retry_reason=reason,
            deadline=deadline,
            socket=socket,
        )
        if first_timed_out and retry_num == first_retry:
            attempt = dataclasses.replace(attempt, error="http_timeout")
        delivery.attempts.append(attempt)
        if attempt.error is None or attempt.no_retry or retry_num >= len(retry_delays):
            return delivery
        delay = retry_delays[retry_num]
        if delay > 0:
            sleep(delay)
        retry_num, reason = retry_num + 1, attempt.error


def verify_url(url: str, signing_secret: str, token: str, *, deadline: float) -> tuple[bool, str]:
    """Slack's Request URL check: a signed ``url_verification``; (echoed the challenge?, challenge)."""
    challenge = secrets.token_urlsafe(24)
    body = json.dumps({"token": token, "challenge": challenge, "type": "url_verification"}).encode()
    try:
        reply = post_json_signed(url, signing_secret, body, timeout=deadline)
    except requests.RequestException:
        return False, challenge
    if not 200 <= reply.status_code < 300:
        return False, challenge
    try:
        parsed = reply.json()
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed.get("challenge") == challenge, challenge
    return reply.text.strip() == challenge, challenge


def _since(started: float) -> float:
    return (time.monotonic() - started) * 1000
