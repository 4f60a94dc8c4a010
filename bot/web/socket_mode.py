"""Receive Slack's requests over Socket Mode instead of `POST /slack/events`.

Socket Mode needs no public Request URL: igbot opens a WebSocket to Slack and Slack pushes every slash
command, interaction and event over it. The WebSocket is authenticated by the app-level token
(`SLACK_APP_TOKEN`, ``xapp-``, scope ``connections:write``), so requests go straight to Bolt: there is no
signature to check (Bolt skips its check when ``mode == "socket_mode"``) and no replay to refuse, which is
why the HTTP request guard (slack_guard.py) is not in front of it.

Transport: slack_bolt's ``SocketModeHandler`` over slack_sdk's built-in client (no extra dependency). It
calls ``apps.connections.open`` through the Bolt app's own ``client``, so the URL comes from
``SLACK_API_URL`` (the stand-in, offline), then opens the ``wss://`` (or, on loopback, ``ws://``) URL it
got. Bolt answers each envelope with an ack whose ``payload`` is the listener's ``ack(...)`` body; a
listener Bolt cannot route (404) or that fails (500) sends no ack at all, which Slack reports to the user
as a timeout. What a listener leaves for after its ack (Bolt's lazy listeners, after_ack.py) starts once
the ack was sent. Events API redeliveries carry ``x-slack-retry-num`` / ``x-slack-retry-reason`` request
headers as over HTTP (Bolt builds them from the envelope's ``retry_attempt`` / ``retry_reason``; note
that Slack's first delivery carries ``retry_attempt: 0`` and so the header ``x-slack-retry-num: 0``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.errors import TokenRefused, classify
from bot.web import after_ack

log = logging.getLogger(__name__)


def close_client(client: SocketModeClient) -> None:
    """Close a built-in Socket Mode client at once and end its threads, without reconnecting.

    ``SocketModeClient.close()`` alone waits for its reader to let go of the socket (blocked in ``recv``
    for up to 3 s) and for its message loop (blocked on its queue for up to 1 s); this wakes both first.
    """
    client.auto_reconnect_enabled = False
    client.closed = True
    client.message_queue.put(None)  # a None message is skipped; the loop then sees `closed`
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's method, also under TLS
    client.close()


def bolt_request(req: SocketModeRequest) -> BoltRequest:
    """Bolt's request for a Socket Mode envelope: its ``payload`` as slack_sdk parsed it (the one parse
    of the message), and the retry headers Slack's HTTP requests carry."""
    headers: dict[str, str | Sequence[str]] = {}
    if req.retry_attempt is not None:
        headers["x-slack-retry-num"] = str(req.retry_attempt)
    if req.retry_reason is not None:
        headers["x-slack-retry-reason"] = req.retry_reason
    return BoltRequest(body=req.payload, headers=headers, mode="socket_mode")


def ack_of(req: SocketModeRequest, answer: BoltResponse) -> SocketModeResponse | None:
    """The Socket Mode ack of Bolt's ``answer``: its JSON body as the ack's payload, other text as
    ``{"text": ...}``, nothing for an empty one; None (no ack: Slack reports a timeout) unless a 200."""
    if answer.status != 200:
        return None
    if not answer.body:
        return SocketModeResponse(envelope_id=req.envelope_id)
    if answer.headers.get("content-type", [""])[0].startswith("application/json"):
        return SocketModeResponse(envelope_id=req.envelope_id, payload=json.loads(answer.body))
    return SocketModeResponse(envelope_id=req.envelope_id, payload={"text": answer.body})


class _AfterAckHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, with the lazy listeners of a request started once its ack was sent
    (after_ack.py), as over HTTP."""

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch ``req`` to Bolt, send the ack, then start what the listener left for after it."""
        with after_ack.holding() as release:
            answer = self.app.dispatch(bolt_request(req))
        try:
            ack = ack_of(req, answer)
            if ack is None:
                log.info("socket mode: no ack sent (Bolt answered %s)", answer.status)
            else:
                client.send_socket_mode_response(ack)
        finally:
            release()


class SocketModeRunner:
    """igbot's Bolt app on a Socket Mode connection, connecting in the background.

    Needs the Bolt ``App`` as ``bot.app.build(settings).bolt`` makes it (its ``client`` has
    ``base_url=SLACK_API_URL``; the bot token comes from its ``authorize``) and the app-level token
    (``SLACK_APP_TOKEN``, ``xapp-…``). ``start()`` returns once the WebSocket is open (``connected`` turns
    true when Slack's ``hello`` arrives; ``wait_connected`` waits for it); the client reconnects by itself
    when Slack asks or the connection drops, and ``stop()`` closes it and ends every thread it started.

    Args:
        bolt: the Bolt app to dispatch every request to.
        app_token: the ``xapp-`` token that may call ``apps.connections.open``; never logged.
        ping_interval: seconds between the client's pings (a connection silent 4 times as long is
            replaced); also how soon a failed handshake is tried again.
        concurrency: how many requests Bolt may handle at once.
    """

    def __init__(
        self, bolt: App, app_token: str, *, ping_interval: float = 10.0, concurrency: int = 10
    ) -> None:
        self._bolt = bolt
        self._app_token = app_token
        self._ping_interval = ping_interval
        self._concurrency = concurrency
        self._handler: SocketModeHandler | None = None
        self._greeted_session: str | None = None
        self._hello = threading.Event()

    @property
    def client(self) -> SocketModeClient | None:
        """The slack_sdk Socket Mode client once started (None before)."""
        return self._handler.client if self._handler is not None else None

    @property
    def connected(self) -> bool:
        """True while the current connection is open and Slack has said hello on it."""
        client = self.client
        return (
            client is not None
            and client.is_connected()
            and self._greeted_session is not None
            and self._greeted_session == client.session_id()
        )

    def wait_connected(self, timeout: float = 5.0) -> bool:
        """Wait up to ``timeout`` seconds for ``connected``; returns it."""
        deadline = time.monotonic() + timeout
        while not self.connected:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._hello.wait(min(remaining, 0.05))
        return True

    def start(self) -> None:
        """Ask ``apps.connections.open`` for a URL and open the WebSocket; requests flow from then on.

        Raises what the Web API call raises (``SlackApiError`` for a wrong token, a connection error when
        Slack is unreachable), after releasing everything it started. A refused WebSocket handshake does
        not raise: slack_sdk logs it and tries a new URL every ``ping_interval`` seconds.
        """
        if self._handler is not None:
            raise RuntimeError("the Socket Mode runner is already started")
        handler = _AfterAckHandler(
            self._bolt,
            self._app_token,
            ping_interval=self._ping_interval,
            concurrency=self._concurrency,
        )
        client = handler.client
        client.on_message_listeners.append(self._on_message)
        client.on_close_listeners.append(self._on_close)
        client.on_error_listeners.append(self._on_error)
        self._handler = handler
        log.info("socket mode: connecting to Slack via %sapps.connections.open", self._bolt.client.base_url)
        try:
            client.connect()  # what SocketModeHandler.connect() does, typed
        except Exception:
            self.stop()
            raise

    def start_retrying(self, *, first_delay: float = 1.0, max_delay: float = 60.0) -> threading.Thread:
        """`start` from a thread of its own, again after a growing pause while Slack can't be reached
        (a web process must come up without Slack: it also serves the Instagram callback and webhooks).
        A token Slack refuses ends the attempts with one error line."""

        def attempts() -> None:
            delay = first_delay
            while True:
                try:
                    self.start()
                    return
                except SlackApiError as exc:
                    refused = classify(exc)  # Bolt's client: slack_sdk's bare error
                    if isinstance(refused, TokenRefused):
                        log.error(
                            "socket mode: Slack refused SLACK_APP_TOKEN (%s); not connecting", refused.code
                        )
                        return
                    log.warning(
                        "socket mode: Slack refused to connect (%s); again in %.0f s", refused.code, delay
                    )
                except Exception as exc:
                    log.warning(
                        "socket mode: Slack can't be reached (%s); again in %.0f s", type(exc).__name__, delay
                    )
                time.sleep(delay)  # a pause between attempts to reach Slack, growing to max_delay
                delay = min(delay * 2, max_delay)

        thread = threading.Thread(target=attempts, name="socket-mode-connect", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Close the connection and end the client's threads (idempotent)."""
        handler, self._handler = self._handler, None
        if handler is None:
            return
        close_client(handler.client)
        self._greeted_session = None
        log.info("socket mode: closed")

    # --- connection state, one log line each ----------------------------------------------------

    def _on_message(self, raw: str) -> None:
        if '"envelope_id"' in raw:  # a request: Bolt's business, not connection state
            return
        try:
            message: Any = json.loads(raw)
        except ValueError:
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "hello":
            client = self.client
            self._greeted_session = client.session_id() if client is not None else None
            self._hello.set()
            app_id = (message.get("connection_info") or {}).get("app_id")
            log.info(
                "socket mode: connected (app %s, %s open connection(s))",
                app_id,
                message.get("num_connections"),
            )
        elif kind == "disconnect":
            self._hello.clear()
            log.info(
                "socket mode: Slack asked to reconnect (%s); opening a new connection", message.get("reason")
            )

    def _on_close(self, code: int, reason: str | None) -> None:
        self._hello.clear()
        client = self.client
        then = "reconnecting" if client is not None and client.auto_reconnect_enabled else "not reconnecting"
        log.info("socket mode: Slack closed the connection (code %s); %s", code, then)

    def _on_error(self, error: Exception) -> None:
        log.warning("socket mode: connection error (%s)", type(error).__name__)
