"""The gate in front of Bolt on `POST /slack/events` (docs/security.md, section 1).

Bolt verifies signatures, but only after it has parsed the body (a malformed one is a 500 even
unsigned), it accepts any content type, a non-numeric timestamp header makes it fail with a 500, and a
correctly signed request can be sent again for five minutes. This gate answers all of those with a 4xx
before Bolt sees anything:

1. only ``application/x-www-form-urlencoded`` (what Slack sends for commands and interactivity) and
   ``application/json`` (the Events API): 415;
2. bodies of ``MAX_BODY_BYTES`` or more: 413, reading at most that much (Content-Length is checked
   before anything is read, a chunked body is cut off at the limit);
3. a missing, forged, stale (more than 5 minutes off, either way) or malformed signature: 401;
4. a body that is not UTF-8 (checked before the signature: slack_sdk would fail on it with a 500), or,
   signed, one Slack would never send (JSON where a form belongs, a ``payload`` that is not a JSON
   object of the expected shape, too many fields, an event body of the wrong shape): 400;
5. a request whose signature was already seen: 401 (replay). Signatures are remembered for as long as
   their timestamp is acceptable, in this process and, when a shared store is given, across processes.

A signed ``url_verification`` (Slack checking the Request URL) is answered here with its challenge.

One parse per request: the guard parses the verified body once (the form, then its ``payload`` JSON, or
the Events API JSON), checks the shapes on that parsed object, builds Bolt's public ``BoltRequest`` once
from it and dispatches that same object with ``App.dispatch``. Nothing parses the body again: not Bolt
(it keeps a body it is given parsed, ``mode="socket_mode"``, and so does each copy it makes for a lazy
listener), not the listeners (they read ids from Bolt's context). Why not ``mode="http"``, where Bolt
parses the raw text itself: its parser looks for the substring "payload" anywhere in the raw body and
then drops every field (`/ig user payload` was a 404), and it parses the text again for each lazy
listener. The shapes are checked before the ``BoltRequest`` is built because building it reads ids out
of the body (its context) and fails with a 500 on some shapes Slack never sends (``user`` a list).
The signature is checked by the guard, before anything is parsed (an unsigned body is never parsed),
so Bolt's own check (``RequestVerification``, which would run after the parse) is off
(``request_verification_enabled=False``, bolt_app.py).

Rejections are logged with their reason only: never the body, the signature or the headers.

Slack calls a listener leaves for after its ack (Bolt's lazy listeners: after_ack.py) start once the
response has been written (Flask's ``call_on_close``), so the ack never waits for them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl

from flask import Request, Response, jsonify
from slack_bolt import App
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.storage.keys import seen_request_key
from bot.web import after_ack

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"  # the Events API
_EVENT_BODY_TYPES = ("url_verification", "event_callback", "app_rate_limited")
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_SECONDS = 300  # Slack's rule, and Bolt's: a timestamp more than 5 minutes off is refused
MAX_FORM_FIELDS = 64
# BoltRequest's mode for a body handed over parsed (and verified): Bolt keeps it as it is, builds its
# context from it, and copies it (unparsed) for lazy listeners. "http" takes raw text only.
PARSED = "socket_mode"
# Parts of an interaction payload that Slack always sends as objects (or lists of objects); Bolt's
# listener matching indexes into them and fails with a 500 when they are anything else.
_OBJECT_FIELDS = ("user", "team", "channel", "container", "view", "message", "enterprise", "state")
_LIST_OF_OBJECT_FIELDS = ("actions",)


class ReplayStore(Protocol):
    """Somewhere several processes can share "this signature was seen" (e.g. Redis)."""

    def set(self, name: str, value: str, *, nx: bool, exat: int) -> Any:
        """Redis ``SET name value NX EXAT exat``: truthy when the name was new."""
        ...


class ReplayCache:
    """Signatures already used, each kept until its timestamp is too old to be accepted anyway.

    Only requests with a valid signature are remembered, so an attacker cannot fill it; it is bounded
    anyway (``max_entries``, oldest dropped first).

    Args:
        shared: an optional store shared by every process (a redis-py client); without it, replays
            are caught only when they reach the same process. When it fails, the local memory decides.
        max_entries: bound of the in-process memory.
        clock: seconds since the epoch.
    """

    def __init__(
        self,
        shared: ReplayStore | None = None,
        *,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._shared = shared
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_use(self, signature: str, timestamp: int) -> bool:
        """Record ``signature`` (valid until ``timestamp`` + 5 minutes); False if it was seen before."""
        digest = hashlib.sha256(signature.encode()).hexdigest()[:32]
        expires_at = timestamp + MAX_CLOCK_SKEW_SECONDS + 1
        now = self._clock()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if digest in self._seen:
                return False
            self._seen[digest] = expires_at
            while len(self._seen) > self._max_entries:
                self._seen.popitem(last=False)
        if self._shared is None:
            return True
        try:
            return bool(self._shared.set(seen_request_key(digest), "1", nx=True, exat=expires_at))
        except Exception as exc:  # storage down: the local memory has decided already
            log.info("replay check fell back to this process only (%s)", type(exc).__name__)
            return True


def _reject(status: int, error: str, reason: str) -> Response:
    log.info("rejected a request to /slack/events: %s", reason)
    response = jsonify(error=error)
    response.status_code = status
    return response


def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is ``MAX_BODY_BYTES`` or longer; never reads more than that.

    ``request.stream`` raises RequestEntityTooLarge (a 413) before reading anything when the
    Content-Length is over the limit; a chunked body is read (in pieces: a stream may return short
    reads) only up to the limit.
    """
    stream = request.stream
    chunks: list[bytes] = []
    size = 0
    while size < MAX_BODY_BYTES:
        chunk = stream.read(MAX_BODY_BYTES - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def _timestamp(raw: str) -> int | None:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    return int(raw)


def _event_problem(body: Any) -> str | None:
    """Why a parsed JSON body is not an Events API body (``url_verification``, ``event_callback``,
    ``app_rate_limited``) as Slack sends it, or None."""
    if not isinstance(body, dict) or body.get("type") not in _EVENT_BODY_TYPES:
        return "not an Events API body"
    if body["type"] != "event_callback":
        return None
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    if not isinstance(body.get("event_id", ""), str) or not isinstance(body.get("team_id", ""), str):
        return "event_id or team_id is not a string"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    for name in _OBJECT_FIELDS:
        if event.get(name) is not None and not isinstance(event[name], dict | str):
            return f"event {name} is neither an object nor a string"
    return None


def _payload_problem(payload: Any) -> str | None:
    """Why a parsed interaction ``payload`` is not one Slack could have sent, or None."""
    if not isinstance(payload, dict):
        return "payload is not a JSON object"
    if not isinstance(payload.get("type", ""), str):
        return "payload type is not a string"
    for name in _OBJECT_FIELDS:
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"payload {name} is not an object"
    for name in _LIST_OF_OBJECT_FIELDS:
        value = payload.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return f"payload {name} is not a list of objects"
    return None


def parse_body(text: str, mimetype: str) -> tuple[dict[str, Any] | None, str]:
    """The one parse of a verified body, shapes checked: what Bolt gets as ``BoltRequest.body`` (an
    Events API body, an interaction's ``payload``, or a command's fields), or None and why not.

    ``mimetype`` is `JSON` (the Events API) or `FORM` (commands and interactivity).
    """
    if mimetype == JSON:
        try:
            body = json.loads(text)
        except ValueError:
            return None, "body is not JSON"
        problem = _event_problem(body)
        return (None, problem) if problem is not None else (body, "")
    if text.lstrip().startswith("{"):
        return None, "JSON body where a form belongs"
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except ValueError:
        return None, "too many form fields"
    if "payload" not in fields:
        return fields, ""  # a slash command (or another form Bolt routes by its fields)
    try:
        payload = json.loads(fields["payload"])
    except ValueError:
        return None, "payload is not JSON"
    problem = _payload_problem(payload)
    return (None, problem) if problem is not None else (payload, "")


class SlackRequestGuard:
    """Checks a Flask request to `/slack/events`, then hands it to Bolt.

    Args:
        bolt_app: the Bolt app that handles accepted requests.
        signing_secret: Slack's signing secret (the one Bolt was given).
        replays: where used signatures are remembered.
        clock: seconds since the epoch (the same clock decides staleness and replay expiry).
    """

    def __init__(
        self,
        bolt_app: App,
        signing_secret: str,
        *,
        replays: ReplayCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bolt = bolt_app
        self._clock = clock
        self._verifier = SignatureVerifier(signing_secret)
        self._replays = replays or ReplayCache(clock=clock)

    def handle(self, request: Request) -> Response:
        """Answer ``request``: a 4xx when it fails a check, else whatever Bolt answers."""
        if request.mimetype not in (FORM, JSON):
            return _reject(415, "unsupported content type", "content type is neither a form nor JSON")
        body = _read_body(request)
        if body is None:
            return _reject(413, "request too large", "body too large")
        timestamp = _timestamp(request.headers.get("X-Slack-Request-Timestamp", ""))
        signature = request.headers.get("X-Slack-Signature", "")
        if timestamp is None or not signature.startswith("v0=") or len(signature) > 100:
            return self._maybe_ssl_check(body) or _reject(401, "invalid request", "no valid signature")
        if abs(self._clock() - timestamp) > MAX_CLOCK_SKEW_SECONDS:
            return _reject(401, "invalid request", "stale timestamp")
        try:
            text = body.decode("utf-8")  # strict, so the text encodes back to exactly these bytes
        except UnicodeDecodeError:
            return _reject(400, "invalid payload", "body is not UTF-8")
        if not self._verifier.is_valid(text, str(timestamp), signature):
            return _reject(401, "invalid request", "bad signature")
        parsed, why = parse_body(text, request.mimetype)  # the only parse of this body
        if parsed is None:
            return _reject(400, "invalid payload", why)
        # Slack may retry an event within the same second: same timestamp, same body, so the same
        # signature. Its retries differ by X-Slack-Retry-Num (unsigned, but each event is handled once
        # anyway: bot.web.events), so an event's signature may be used once per retry number, 0 to 3.
        seen_as = signature
        if request.mimetype == JSON:
            retry = request.headers.get("X-Slack-Retry-Num", "")
            seen_as = f"{signature}:{retry if retry in ('1', '2', '3') else '0'}"  # Slack retries 3 times
        if not self._replays.first_use(seen_as, timestamp):
            return _reject(401, "invalid request", "replayed signature")
        if parsed.get("type") == "url_verification":  # Slack checking the Request URL (app settings)
            return jsonify(challenge=str(parsed.get("challenge", "")))
        headers: dict[str, str | Sequence[str]] = {
            k: v for k, v in request.headers.items() if not k.lower().startswith("x-slack-bolt-")
        }
        bolt_request = BoltRequest(  # built once, from the parse above, and dispatched as it is
            body=parsed,
            query=request.query_string.decode("utf-8", "replace"),
            headers=headers,
            mode=PARSED,
        )
        with after_ack.holding() as release:  # Bolt's lazy listeners start once the ack has left
            response = to_flask_response(self._bolt.dispatch(bolt_request))
        response.call_on_close(release)
        return response

    @staticmethod
    def _maybe_ssl_check(body: bytes) -> Response | None:
        """Slack's periodic ``ssl_check=1`` probe, answered 200 with nothing run, as Bolt does."""
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), max_num_fields=4))
        except (UnicodeDecodeError, ValueError):
            return None
        if fields.get("ssl_check") == "1" and set(fields) <= {"ssl_check", "token"}:
            return Response("", status=200)
        return None
