"""Response URLs: where the bot answers a command or an action later, as `respond()` does.

Each URL takes 5 posts within 30 minutes; then Slack answers HTTP 404 with ``{"ok": false, "error":
"used_url"}`` / ``"expired_url"`` (``no_service`` for a URL it never issued). A refused message (Block Kit
or an image that cannot be downloaded, see images.py) answers 400 with Slack's ``invalid_blocks`` body,
is recorded with ``valid=False`` and costs no use. Time comes from an injectable ``clock`` so tests can
age a URL without sleeping.

A slow Slack: with ``answer_delay`` set (`POST /__sandbox__/latency`), every post is taken and recorded
when it arrives, as Slack shows it, and answered only after that many seconds (a client that gives up
earlier never learns that its message is in the channel).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request

from igbot_sandboxes.slack.blockkit import Validation
from igbot_sandboxes.slack.images import ImageCheck
from igbot_sandboxes.slack.messages import RecordedMessage, Source
from igbot_sandboxes.slack.recorder import Recorder

MAX_USES = 5
LIFETIME_SECONDS = 30 * 60


@dataclass
class ReplyContext:
    """Where a reply to a command or action lands, and who triggered it."""

    team_id: str
    channel_id: str
    user_id: str
    origin_ts: str | None = None  # the message a button was clicked in, if any
    thread_ts: str | None = None  # the thread that message is in (replies land there too)


@dataclass
class _Target:
    context: ReplyContext
    created_at: float
    uses: int = 0


class ResponseUrls:
    """Issues opaque response URL ids and enforces Slack's use and age limits."""

    def __init__(
        self, clock: Callable[[], float], *, max_uses: int = MAX_USES, lifetime: float = LIFETIME_SECONDS
    ):
        self._clock = clock
        self._max_uses = max_uses
        self._lifetime = lifetime
        self._lock = threading.Lock()
        self._targets: dict[str, _Target] = {}
        self._delay = 0.0
        self._delay_changed = threading.Condition()

    @property
    def answer_delay(self) -> float:
        """Seconds between taking a post and answering it (0: at once)."""
        return self._delay

    @answer_delay.setter
    def answer_delay(self, seconds: float) -> None:
        with self._delay_changed:
            self._delay = max(0.0, float(seconds))
            self._delay_changed.notify_all()

    def hold_answer(self) -> None:
        """Wait ``answer_delay`` seconds after taking a post (less when the delay is lowered meanwhile,
        so that a test turning it off releases the answers held)."""
        started = time.monotonic()
        with self._delay_changed:
            while (left := started + self._delay - time.monotonic()) > 0:
                self._delay_changed.wait(left)

    def issue(self, base_url: str, context: ReplyContext) -> str:
        """A new response URL under ``base_url`` for replies in ``context``."""
        rid = secrets.token_urlsafe(18)
        with self._lock:
            self._targets[rid] = _Target(context=context, created_at=self._clock())
        return f"{base_url}/respond/{rid}"

    def check(self, rid: str) -> tuple[ReplyContext | None, str | None]:
        """The context of a usable URL, or the Slack error (`no_service`, `expired_url`, `used_url`)."""
        with self._lock:
            return self._check_locked(rid)

    def use(self, rid: str) -> str | None:
        """Spend one use of the URL; returns the Slack error instead when it cannot be used."""
        with self._lock:
            _, error = self._check_locked(rid)
            if error is None:
                self._targets[rid].uses += 1
            return error

    def clear(self) -> None:
        """Forget every issued URL and answer at once again."""
        with self._lock:
            self._targets.clear()
        self.answer_delay = 0.0

    def _check_locked(self, rid: str) -> tuple[ReplyContext | None, str | None]:
        target = self._targets.get(rid)
        if target is None:
            return None, "no_service"
        if self._clock() - target.created_at > self._lifetime:
            return None, "expired_url"
        if target.uses >= self._max_uses:
            return None, "used_url"
        return target.context, None


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def record_reply(
    recorder: Recorder, source: Source, context: ReplyContext, body: dict[str, Any], validation: Validation
) -> RecordedMessage:
    """Record a reply body (ack or response URL) as the message Slack would show.

    Replies are ephemeral unless ``response_type`` is ``in_channel``; a reply replacing the clicked
    message keeps that message's ts. Replies to a click on a thread reply land in that thread.
    """
    blocks, text = body.get("blocks"), body.get("text")
    replace = _flag(body.get("replace_original"))
    keep_ts = replace and context.origin_ts is not None
    return recorder.add_message(
        RecordedMessage(
            source=source,
            team_id=context.team_id,
            channel_id=context.channel_id,
            user_id=context.user_id,
            response_type="in_channel" if body.get("response_type") == "in_channel" else "ephemeral",
            text=text if isinstance(text, str) else "",
            blocks=blocks if isinstance(blocks, list) else [],
            replace_original=replace,
            delete_original=_flag(body.get("delete_original")),
            valid=validation.valid,
            errors=validation.errors,
            warnings=validation.warnings,
            ts=context.origin_ts if keep_ts and context.origin_ts else recorder.next_ts(),
            payload=body,
            thread_ts=context.thread_ts,
        )
    )


def _read_body() -> dict[str, Any] | None:
    """The JSON body, or a form field ``payload`` holding JSON (incoming-webhook style)."""
    data = request.get_json(silent=True)
    if data is None and "payload" in request.form:
        try:
            data = json.loads(request.form["payload"])
        except ValueError:
            return None
    return data if isinstance(data, dict) else None


def response_url_blueprint(
    urls: ResponseUrls, recorder: Recorder, images: ImageCheck | None = None
) -> Blueprint:
    """Routes `POST /respond/<id>`: record the reply, answer like Slack's response URLs.

    ``images`` downloads image blocks before a reply is accepted (none when omitted).
    """
    bp = Blueprint("slack_responses", __name__)
    checker = images or ImageCheck(enabled=False)

    @bp.post("/respond/<rid>")
    def respond(rid: str) -> tuple[Response, int]:
        answer = take(rid)
        urls.hold_answer()  # a slow Slack: the post is taken (and shown), its answer comes late
        return answer

    def take(rid: str) -> tuple[Response, int]:
        context, error = urls.check(rid)
        if context is None:
            return jsonify(ok=False, error=error), 404
        body = _read_body()
        if body is None:
            return jsonify(ok=False, error="invalid_payload"), 400
        verdict = checker.judge(body)
        if not verdict.valid:
            record_reply(recorder, "response_url", context, body, verdict.validation)
            return jsonify(verdict.refusal()), 400
        error = urls.use(rid)
        if error is not None:
            return jsonify(ok=False, error=error), 404
        record_reply(recorder, "response_url", context, body, verdict.validation)
        return jsonify(ok=True), 200

    return bp
