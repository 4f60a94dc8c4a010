"""Socket Mode for the Slack stand-in: the WebSocket Slack pushes requests over instead of POSTing them.

What Slack does, and so does this hub (docs.slack.dev "Using Socket Mode"):

- ``apps.connections.open`` (app-level ``xapp-`` token) answers a fresh URL,
  ``wss://wss-primary.slack.com/link/?ticket=…&app_id=…``; here ``open_url()`` issues one,
  ``ws://127.0.0.1:<port>/link/?ticket=…&app_id=A0IGBOT``. A ticket opens one connection: a used or
  unknown ticket is refused at the handshake (HTTP 401 here; Slack's exact answer is not documented).
- On connect Slack sends ``{"type": "hello", "num_connections": n, "debug_info": {…},
  "connection_info": {"app_id": …}}``.
- Each request travels as an envelope ``{"envelope_id", "type", "payload", "accepts_response_payload"}``
  (``type``: ``slash_commands``, ``interactive``, ``events_api``; Events API envelopes also carry
  ``retry_attempt`` and ``retry_reason``, 0 and "" the first time). The app acks with
  ``{"envelope_id": …, "payload": {…}?}``; the payload plays the part of the HTTP answer's JSON body, and is
  ignored when ``accepts_response_payload`` is false. No ack within the deadline is, for the user, the same
  `operation_timeout` as a late HTTP answer; no connection at all is `dispatch_failed`.
- Slack refreshes connections: it sends ``{"type": "disconnect", "reason": "refresh_requested"|"warning"|
  "link_disabled", "debug_info": {"host": …}}``, the app opens a new connection, and the old one is closed
  (here: as soon as the replacement said hello, or after ``drain_seconds``).
- Pings are answered with pongs (both ways) by the WebSocket library; the hub pings every
  ``ping_interval`` seconds.

With several connections open, each envelope goes to one of them (round robin here; Slack promises no
order). Every delivery is recorded (``deliveries()``) for tests.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from igbot_sandboxes.slack.commands import ACK_DEADLINE_SECONDS, CommandResult
from igbot_sandboxes.slack.workspace import APP_ID

log = logging.getLogger(__name__)
_ws_log = logging.getLogger(f"{__name__}.websockets")  # the library's own per-connection chatter

LINK_PATH = "/link/"
DEBUG_HOST = "applink-sandbox"  # Slack: applink-<pod>, the host that holds the connection
APPROXIMATE_CONNECTION_TIME = 18060  # seconds, as Slack's hello says (it refreshes every few hours)
DISCONNECT_REASONS = ("refresh_requested", "warning", "link_disabled")
ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
_POLL_SECONDS = 0.02  # how often a connection's thread looks at its close request between messages


@dataclass
class SocketDelivery:
    """One envelope sent to the app, and what became of it.

    Attributes:
        envelope_id: the envelope's id (a uuid4, like Slack's).
        envelope_type: ``slash_commands``, ``interactive`` or ``events_api``.
        retry_attempt: the envelope's ``retry_attempt`` (Events API redeliveries count up from 0).
        retry_reason: the envelope's ``retry_reason``.
        connection: id of the connection it went over (None: no connection was open).
        acked: the app acknowledged within the deadline.
        late: the app acknowledged, but after the deadline (Slack had given up already).
        ack_payload: the ack's ``payload``, if it had one.
        elapsed_ms: from sending to the ack (or to giving up).
        error: `operation_timeout` or `dispatch_failed`, None when acked in time.
    """

    envelope_id: str
    envelope_type: str
    retry_attempt: int
    retry_reason: str
    connection: str | None
    acked: bool = False
    late: bool = False
    ack_payload: Any = None
    elapsed_ms: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass
class _Link:
    """One open app connection."""

    id: str
    ws: ServerConnection
    ticket: str
    draining_since: float | None = None  # told to disconnect at this monotonic time
    close_requested: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Pending:
    delivery: SocketDelivery
    arrived: threading.Event = field(default_factory=threading.Event)
    ack: dict[str, Any] | None = None


def socket_envelope_for(form_body: bytes) -> tuple[str, dict[str, Any]]:
    """The envelope type and payload Slack sends over Socket Mode for what it would POST as ``form_body``.

    A slash command's form fields become a JSON object of strings (``slash_commands``); an interaction's
    ``payload=<json>`` field becomes that JSON object (``interactive``).
    """
    fields = dict(urllib.parse.parse_qsl(form_body.decode(), keep_blank_values=True))
    if set(fields) == {"payload"}:
        payload = json.loads(fields["payload"])
        if not isinstance(payload, dict):
            raise ValueError("an interaction payload must be a JSON object")
        return "interactive", payload
    return "slash_commands", dict(fields)


class SocketHub:
    """Slack's side of Socket Mode on loopback: hands out connection URLs, holds the app's WebSockets,
    pushes envelopes and judges the acks like HTTP answers.

    Args:
        app_id: the app the connections belong to (``connection_info.app_id`` of ``hello``).
        ping_interval: seconds between the hub's keepalive pings (None: no pings); a client that does not
            answer within as long again is dropped.
        drain_seconds: how long a connection told to disconnect stays open if no replacement comes.
    """

    def __init__(
        self, *, app_id: str = APP_ID, ping_interval: float | None = 20.0, drain_seconds: float = 10.0
    ) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self.drain_seconds = drain_seconds
        self._changed = threading.Condition()  # guards everything below; notified on every change
        self._tickets: set[str] = set()
        self._links: dict[str, _Link] = {}
        self._pending: dict[str, _Pending] = {}
        self._given_up: dict[str, SocketDelivery] = {}
        self._deliveries: list[SocketDelivery] = []
        self._round_robin = itertools.count()
        self._hellos = 0
        self._refused = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._host = "127.0.0.1"
        self._stopping = threading.Event()

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1") -> None:
        """Listen on ``host`` at a free port, serving from a thread; returns once it listens."""
        if self._server is not None:
            raise RuntimeError("the socket hub is already started")
        self._host = host
        self._stopping.clear()
        if _ws_log.level == logging.NOTSET:
            _ws_log.setLevel(logging.WARNING)  # "connection open/closed" lines: the hub logs its own
        self._server = serve(
            self._handle,
            host,
            0,
            process_request=self._check_ticket,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            close_timeout=1.0,
            open_timeout=5.0,
            logger=_ws_log,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-socket-hub", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Close every connection (code 1001, going away), stop listening and wait for the threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        with self._changed:
            self._links.clear()
            self._changed.notify_all()

    @property
    def port(self) -> int:
        """The port it listens on."""
        if self._server is None:
            raise RuntimeError("the socket hub is not started: call start() first")
        return int(self._server.socket.getsockname()[1])

    # --- what the app sees -----------------------------------------------------------------------

    def open_url(self) -> str:
        """A new single-use WebSocket URL, as ``apps.connections.open`` answers it."""
        ticket = secrets.token_urlsafe(18)
        with self._changed:
            self._tickets.add(ticket)
        query = urllib.parse.urlencode({"ticket": ticket, "app_id": self.app_id})
        return f"ws://{self._host}:{self.port}{LINK_PATH}?{query}"

    def connected(self) -> bool:
        """True while at least one app connection is open (each was greeted with ``hello``)."""
        with self._changed:
            return bool(self._links)

    def connection_count(self) -> int:
        """How many app connections are open."""
        with self._changed:
            return len(self._links)

    @property
    def hellos(self) -> int:
        """How many connections were accepted (and greeted) since start."""
        with self._changed:
            return self._hellos

    @property
    def refused(self) -> int:
        """How many handshakes were refused for a used, unknown or missing ticket."""
        with self._changed:
            return self._refused

    def wait_until(self, predicate: Callable[[SocketHub], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate(hub)`` holds (checked on every change) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def deliveries(self) -> list[SocketDelivery]:
        """Every envelope sent so far, oldest first."""
        with self._changed:
            return list(self._deliveries)

    def reset(self) -> None:
        """Forget recorded deliveries and unused tickets (open connections stay)."""
        with self._changed:
            self._deliveries.clear()
            self._given_up.clear()
            self._tickets.clear()

    # --- controls --------------------------------------------------------------------------------

    def deliver(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = ACK_DEADLINE_SECONDS,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> CommandResult:
        """Send one envelope over a connection and wait up to ``timeout`` seconds for its ack.

        Judged like an HTTP delivery: acked in time is status 200 with the ack's payload as ``body``
        (None when the envelope does not accept one, or the ack has none) and its JSON as ``raw_text``;
        no ack in time is status 0 with `operation_timeout`; no connection open is `dispatch_failed`.
        """
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}; one of {ENVELOPE_TYPES}")
        accepts = envelope_type != "events_api"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts,
        }
        if envelope_type == "events_api" or retry_attempt:  # Slack retries only Events API deliveries
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        response_url = payload.get("response_url")
        response_url = response_url if isinstance(response_url, str) else ""
        delivery = SocketDelivery(envelope_id, envelope_type, retry_attempt, retry_reason, None)
        pending = _Pending(delivery)
        started = time.monotonic()
        with self._changed:
            self._deliveries.append(delivery)
            self._pending[envelope_id] = pending
        sent = self._send_to_one(json.dumps(envelope), delivery)
        if sent:
            pending.arrived.wait(max(0.0, timeout - (time.monotonic() - started)))
        elapsed = (time.monotonic() - started) * 1000
        with self._changed:
            self._pending.pop(envelope_id, None)
            delivery.elapsed_ms = elapsed
            if not sent:
                delivery.error = "dispatch_failed"
            elif pending.ack is None:
                delivery.error = "operation_timeout"
                self._given_up[envelope_id] = delivery
            else:
                delivery.acked = True
            self._changed.notify_all()
        if delivery.error is not None:
            return CommandResult(0, None, "", elapsed, response_url, error=delivery.error)
        ack_payload = (pending.ack or {}).get("payload")
        body = ack_payload if accepts and isinstance(ack_payload, dict) else None
        raw_text = json.dumps(ack_payload) if accepts and ack_payload is not None else ""
        return CommandResult(200, body, raw_text, elapsed, response_url)

    def disconnect(self, reason: str = "refresh_requested") -> int:
        """Tell every open connection to go away, as Slack does before refreshing one.

        Sends ``{"type": "disconnect", "reason": reason, "debug_info": {"host": …}}``; each connection told
        is closed once a new connection said hello, or after ``drain_seconds``. Returns how many were told.
        """
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"unknown disconnect reason {reason!r}; one of {DISCONNECT_REASONS}")
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": DEBUG_HOST}})
        with self._changed:
            links = [link for link in self._links.values() if link.draining_since is None]
            now = time.monotonic()
            for link in links:
                link.draining_since = now
        told = 0
        for link in links:
            try:
                link.ws.send(message)
                told += 1
            except ConnectionClosed:
                continue
        return told

    # --- the server side -------------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """Accept the handshake only on ``/link/`` with a ticket issued and not used yet."""
        parts = urllib.parse.urlsplit(request.path)
        ticket = urllib.parse.parse_qs(parts.query).get("ticket", [""])[0]
        with self._changed:
            valid = parts.path == LINK_PATH and ticket in self._tickets
            if valid:
                self._tickets.discard(ticket)
            else:
                self._refused += 1
                self._changed.notify_all()
        if valid:
            return None
        log.info("socket hub: refused a handshake (unknown, used or missing ticket)")
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _handle(self, ws: ServerConnection) -> None:
        """One app connection: greet it, then read acks until it or the hub closes it."""
        parts = urllib.parse.urlsplit(ws.request.path if ws.request else "")
        ticket = urllib.parse.parse_qs(parts.query).get("ticket", [""])[0]
        link = _Link(id=uuid.uuid4().hex[:12], ws=ws, ticket=ticket)
        with self._changed:
            self._links[link.id] = link
            count = len(self._links)
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": DEBUG_HOST,
                "build_number": 1,
                "approximate_connection_time": APPROXIMATE_CONNECTION_TIME,
            },
            "connection_info": {"app_id": self.app_id},
        }
        try:
            ws.send(json.dumps(hello))
        except ConnectionClosed:
            self._forget(link)
            return
        with self._changed:
            self._hellos += 1
            for other in self._links.values():  # the replacement is up: close those told to go
                if other is not link and other.draining_since is not None:
                    other.close_requested.set()
            self._changed.notify_all()
        log.info("socket hub: app connection %s open (%d open)", link.id, count)
        try:
            self._serve_link(link)
        finally:
            self._forget(link)

    def _serve_link(self, link: _Link) -> None:
        while not self._stopping.is_set():
            drained = (
                link.draining_since is not None
                and time.monotonic() - link.draining_since >= self.drain_seconds
            )
            if link.close_requested.is_set() or drained:
                link.ws.close(1001, "refreshed")
                return
            try:
                raw = link.ws.recv(timeout=_POLL_SECONDS)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            self._on_message(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))

    def _on_message(self, raw: str) -> None:
        """An ack from the app (anything else the app sends is ignored, as Slack does)."""
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            return
        envelope_id = message["envelope_id"]
        with self._changed:
            pending = self._pending.get(envelope_id)
            if pending is not None and pending.ack is None:
                pending.ack = message
                pending.delivery.ack_payload = message.get("payload")
                pending.arrived.set()
            elif envelope_id in self._given_up:
                late = self._given_up.pop(envelope_id)
                late.late = True
                late.ack_payload = message.get("payload")
            self._changed.notify_all()

    def _send_to_one(self, text: str, delivery: SocketDelivery) -> bool:
        """Send over one open connection (round robin, preferring those not told to go); False if none."""
        while True:
            with self._changed:
                links = list(self._links.values())
                fresh = [link for link in links if link.draining_since is None] or links
                if not fresh:
                    return False
                link = fresh[next(self._round_robin) % len(fresh)]
                delivery.connection = link.id
            try:
                link.ws.send(text)
                return True
            except ConnectionClosed:
                self._forget(link)

    def _forget(self, link: _Link) -> None:
        with self._changed:
            if self._links.get(link.id) is link:
                del self._links[link.id]
                log.info("socket hub: app connection %s closed (%d open)", link.id, len(self._links))
            self._changed.notify_all()
