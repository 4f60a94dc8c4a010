"""Tools the reliability tests share: secret scans, a browser for the OAuth dance, raw Instagram
faults, crash scans of the logs and small HTTP stand-ins (a failing response_url, a closed port)."""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from werkzeug.wrappers import Request, Response

from bot.storage.embedded import EmbeddedRedis
from bot.threaded_server import RunningServer, start_server
from igbot_sandboxes.slack.responses import ReplyContext
from igbot_sandboxes.slack.signing import signed_headers
from tests import log_capture
from tests.reliability.figures import FIGURES
from tests.stack import SIGNING_SECRET, TEAM, Stack, _FormParser

FORM = "application/x-www-form-urlencoded"
CALLBACK_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


# --- secrets ---------------------------------------------------------------------------------------


def leaked(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Remembered secrets (tokens, codes, client and signing secrets, Fernet keys) found in ``text``."""
    allow = set(allowed)
    with log_capture._lock:
        secrets = set(log_capture.SECRETS)
    return [s[:4] + "…" for s in secrets - allow if s in text]


def check_body(text: str, where: str) -> None:
    """Fail (and count) when a response body of the bot carries a secret."""
    found = leaked(text)
    FIGURES.bodies(1, len(found))
    assert not found, f"{where} carries secrets {found}"


def states_in(message: Any) -> set[str]:
    """``state`` values of the button URLs in a Slack message (a login link legitimately carries one)."""
    found: set[str] = set()
    for button in message.buttons():
        if button.url:
            found.update(parse_qs(urlsplit(button.url).query).get("state", []))
    return found


def check_messages(stack: Stack) -> None:
    """Fail (and count) when any message the bot sent to the Slack stand-in carries a secret."""
    for message in stack.slack.messages():
        text = json.dumps(message.payload) + message.all_text()
        found = leaked(text, allowed=states_in(message))
        FIGURES.bodies(1, len(found))
        assert not found, f"Slack message {message.describe()} carries secrets {found}"


# --- talking to the bot ----------------------------------------------------------------------------


def bot_get(stack: Stack, path: str, **kw: Any) -> requests.Response:
    """GET a path of the bot; the body is checked for secrets."""
    kw.setdefault("timeout", 10)
    response = requests.get(f"{stack.bot.url}{path}", **kw)
    check_body(response.text, f"GET {path}")
    return response


def send_signed(
    stack: Stack,
    body: bytes,
    content_type: str = FORM,
    *,
    headers: dict[str, str] | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    timeout: float = 10,
) -> requests.Response:
    """POST ``body`` to /slack/events signed as Slack would (or with the given forgeries)."""
    sent = signed_headers(secret, body, content_type, timestamp=timestamp, signature_override=signature)
    sent.update(headers or {})
    response = requests.post(stack.slack.bot_url or "", data=body, headers=sent, timeout=timeout)
    check_body(response.text, "POST /slack/events")
    return response


def command_body(
    text: str,
    *,
    user_id: str = "U0ALICE",
    channel_id: str = "C0GENERAL",
    response_url: str = "http://127.0.0.1:9/unused",
    team_id: str = TEAM,
) -> bytes:
    """A slash command body as Slack sends it, with any ``response_url``."""
    fields = {
        "token": "sandbox-verification-token",
        "team_id": team_id,
        "team_domain": "sandbox",
        "channel_id": channel_id,
        "channel_name": "general",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": "/ig",
        "text": text,
        "api_app_id": "A0IGBOT",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }
    return urllib.parse.urlencode(fields).encode()


def response_url(stack: Stack, user_id: str = "U0ALICE", channel_id: str = "C0GENERAL") -> str:
    """A fresh response_url of the Slack stand-in, as Slack hands one out with each command."""
    context = ReplyContext(team_id=TEAM, channel_id=channel_id, user_id=user_id)
    return stack.slack.response_urls.issue(stack.slack.base_url or "", context)


def alive(stack: Stack) -> bool:
    """The bot still serves: /healthz answers 200 and a help command is acknowledged with its text."""
    health = bot_get(stack, "/healthz")
    ack = stack.command("help", user_id="U0HEALTH", channel_id="C0HEALTH")
    return health.status_code == 200 and ack.status == 200 and "/ig login" in ack.raw_text


def answer(stack: Stack, channel_id: str, timeout: float = 30.0) -> Any:
    """The first message the bot sent into ``channel_id`` (tests give each command its own channel).
    Returns as soon as it is there (a job waiting out its retries takes a few seconds); on timeout the
    stand-in's error lists every message that did arrive."""
    return stack.slack.wait_for(lambda m: m.channel_id == channel_id, timeout=timeout)


def login_url(message: Any) -> str:
    """The Connect Instagram button's URL in ``message``."""
    for button in message.buttons():
        if button.url and "/oauth/authorize" in button.url:
            return str(button.url)
    raise AssertionError(f"no Connect button in {message.describe()}")


# --- the browser side of OAuth ---------------------------------------------------------------------


def consent(stack: Stack, authorize_url: str, username: str = "alice", decision: str = "authorize") -> str:
    """Act as the user on the sandbox's approval page; return the callback URL it redirects to,
    without opening it (so tests can replay, swap or delay it). Code and state are remembered as secrets.
    """
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text[:300]
    form = _FormParser()
    form.feed(page.text)
    data = {**form.fields, "username": username, "decision": decision}
    answer_ = browser.post(urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=5)
    assert answer_.status_code in (302, 303), answer_.text[:300]
    location = answer_.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    for name in ("code", "state"):
        log_capture.remember_secret(query.get(name, [""])[0])
    return str(location)


def open_callback(stack: Stack, url: str) -> requests.Response:
    """A browser opening the bot's callback URL; body and security headers are checked."""
    response = requests.get(url, timeout=10)
    check_body(response.text, "GET /instagram/callback")
    for name, value in CALLBACK_HEADERS.items():
        assert response.headers.get(name) == value, f"{name} missing on a callback page"
    assert "default-src 'none'" in response.headers.get("Content-Security-Policy", "")
    return response


def callback_url(stack: Stack, **params: str) -> str:
    """The bot's callback URL with ``params`` (forged redirects)."""
    return f"{stack.igbot.settings.redirect_uri}?{urllib.parse.urlencode(params)}"


def with_params(url: str, **changes: str) -> str:
    """``url`` with some query parameters replaced."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query.update(changes)
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


def query_param(url: str, name: str) -> str:
    """One query parameter of ``url``."""
    return parse_qs(urlsplit(url).query).get(name, [""])[0]


# --- faults ----------------------------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pending_faults(stack: Stack) -> int:
    """Faults of the Instagram sandbox still queued, read through its HTTP control (which answers the
    count after adding one harmless pass-through, so that one is subtracted and consumes nothing)."""
    control = f"{stack.servers[0].url}/__sandbox__/faults"
    answer_ = requests.post(control, json={"count": 1, "status": None}, timeout=5).json()
    return int(answer_["pending"]) - 1


@dataclass
class RawFault:
    """An answer the sandbox's own faults cannot give (no headers at all, Retry-After, a cut body)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    path_prefix: str = "/v1"
    content_length: int | None = None  # announce more than the body to cut the answer short


class RawFaults:
    """WSGI middleware around the Instagram sandbox: the next matching requests get a raw answer.

    Installed on the sandbox's Flask app (``app.wsgi_app``), so it works on the running server.
    """

    def __init__(self, stack: Stack) -> None:
        self._app = stack.instagram.wsgi_app
        self._inner = self._app.wsgi_app
        self._lock = threading.Lock()
        self._queue: list[RawFault] = []
        self.served = 0
        self._app.wsgi_app = self  # type: ignore[method-assign]

    def add(self, fault: RawFault) -> None:
        with self._lock:
            self._queue.append(fault)

    def remove(self) -> None:
        self._app.wsgi_app = self._inner  # type: ignore[method-assign]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        with self._lock:
            fault = next((f for f in self._queue if path.startswith(f.path_prefix)), None)
            if fault is not None:
                self._queue.remove(fault)
                self.served += 1
        if fault is None:
            return self._inner(environ, start_response)  # type: ignore[no-any-return]
        length = fault.content_length if fault.content_length is not None else len(fault.body)
        headers = [*fault.headers.items(), ("Content-Length", str(length))]
        if fault.content_length is not None:
            headers.append(("Connection", "close"))
        start_response(f"{fault.status} FAULT", headers)
        return [fault.body]


ERROR_MARKS = (" ERROR ", " CRITICAL ", "Traceback")
# What a worker logs, by Dramatiq's design, when its Redis connection is cut (the consumer reconnects
# by itself): expected in a test that kills Redis, an error anywhere else. A restarted Redis still
# reading its append-only file answers "loading" for a moment (longer on a busy machine).
REDIS_CONNECTION_LOST = re.compile(
    r" CRITICAL dramatiq\.worker\.ConsumerThread\([\w.]+\): Consumer encountered a connection error: "
    r"(Error \d+ connecting to|Error while reading from|Error \d+ while writing to socket|"
    r"Connection closed by server|Redis is loading the dataset in memory)[^\n]*$"
)
# What slack_sdk logs (before raising; igbot retries the answer, then gives up with a warning) when a
# response_url refuses the connection or never answers: expected where a test points one at a dead peer.
RESPONSE_URL_REFUSED = re.compile(
    r" ERROR slack_sdk\.webhook\.client: Failed to send a request to Slack API server: "
    r"<urlopen error \[Errno 111\] Connection refused>$"
)
RESPONSE_URL_TIMED_OUT = re.compile(
    r" ERROR slack_sdk\.webhook\.client: Failed to send a request to Slack API server: timed out$"
)


def error_lines(lines: Iterable[str]) -> list[str]:
    """The lines (log records, for the in-process capture) that report an error or carry a traceback."""
    return [line for line in lines if any(mark in line for mark in ERROR_MARKS)]


class LogWindow:
    """Error lines logged from the moment it opens: by every logger of this process (web tier, Bolt,
    werkzeug, ...; the stand-ins' own ``igbot_sandboxes`` loggers are not captured) and in the log of
    each watched stack's worker processes.

    Each source is read from where it stood when the window opened (its length then), so a test sees
    its own errors, never an earlier test's, and none is missed in between.
    """

    def __init__(self, *stacks: Stack) -> None:
        with log_capture._lock:
            self._local_start = len(log_capture.CAPTURE.lines)
        self._stacks: list[tuple[Stack, int]] = []
        self._offsets: list[int] = []
        for stack in stacks:
            self.watch(stack)

    def watch(self, stack: Stack) -> None:
        """Also scan ``stack``'s worker log, from its current end."""
        self._stacks.append((stack, len(stack.worker_errors())))
        log = stack.worker_log
        self._offsets.append(log.stat().st_size if log is not None and log.exists() else 0)

    def worker_lines(self, containing: str) -> list[str]:
        """Every line of the watched worker logs since the window opened that contains ``containing``."""
        found: list[str] = []
        for (stack, _), offset in zip(self._stacks, self._offsets, strict=True):
            if stack.worker_log is not None and stack.worker_log.exists():
                with stack.worker_log.open("rb") as log:
                    log.seek(offset)
                    text = log.read().decode(errors="replace")
                found += [line for line in text.splitlines() if containing in line]
        return found

    def errors(self, expected: Iterable[re.Pattern[str]] = ()) -> list[str]:
        """``web: ...`` and ``worker: ...`` lines reporting an error since the window opened, except
        single lines (never a traceback) matching one of the ``expected`` patterns."""
        with log_capture._lock:
            local = log_capture.CAPTURE.lines[self._local_start :]
        found = [f"web: {line[:2000]}" for line in error_lines(local)]
        for stack, start in self._stacks:
            found += [f"worker: {line[:2000]}" for line in stack.worker_errors()[start:]]
        allowed = list(expected)
        return [line for line in found if "\n" in line or not any(p.search(line) for p in allowed)]

    def worker_log_text(self, limit: int = 4000) -> str:
        """The end of every watched worker log (the traceback behind a ``worker:`` line)."""
        texts = []
        for stack, _ in self._stacks:
            if stack.worker_log is not None and stack.worker_log.exists():
                texts.append(stack.worker_log.read_text(errors="replace")[-limit:])
        return "\n".join(texts)


@dataclass
class ResponseUrlStub:
    """A response_url that answers every post with ``status`` (as Slack does for an expired URL)."""

    status: int = 500
    body: bytes = b'{"ok": false, "error": "internal_error"}'
    posts: list[dict[str, Any]] = field(default_factory=list)
    server: RunningServer | None = None

    def start(self) -> str:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            request = Request(environ)
            try:
                self.posts.append(json.loads(request.get_data() or b"{}"))
            except ValueError:
                self.posts.append({})
            return Response(self.body, status=self.status, content_type="application/json")(
                environ, start_response
            )

        self.server = start_server(app, name="response-url-stub")
        return f"{self.server.url}/respond/stub"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


class SilentServer:
    """Accepts connections and never answers (a hung peer); closing it releases whoever waits."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-server", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/respond/hung"

    def connections(self) -> int:
        """Connections accepted (and held) so far."""
        return len(self._held)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._sock.close()


def crash(server: EmbeddedRedis, *, clean_up: bool = True) -> None:
    """Kill an embedded Redis (SIGKILL: only the append-only file survives); with ``clean_up``, also
    remove its socket folder (then it cannot be restarted on the same socket)."""
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=5)
    if clean_up:
        server.stop()


@contextmanager
def serving(app: Any) -> Iterator[RunningServer]:
    """Serve a WSGI app on a free port for the duration of a ``with`` block."""
    server = start_server(app, name="reliability-extra")
    try:
        yield server
    finally:
        server.stop()
