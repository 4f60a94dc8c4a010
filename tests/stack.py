"""The whole product on loopback for end-to-end tests: Slack stand-in -> bot (real HTTP) -> sandbox Instagram.

A test talks to it as the people involved would: a Slack user sends a signed slash command, a browser
follows the login button through the sandbox's approval page to the bot's callback.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from cryptography.fernet import Fernet

from bot.app import Igbot, build, instagram_backend
from bot.dev import sandbox_urls
from bot.instagram.graph.backend import SCOPES as GRAPH_SCOPES
from bot.instagram.legacy.backend import SCOPES
from bot.instagram.registry import BACKENDS
from bot.settings import Settings
from bot.storage.connection import connect
from bot.threaded_server import RunningServer, start_server
from bot.worker.broker import NAMESPACE
from bot.worker.queue import WORKERS_KEY
from bot.worker.supervisor import WorkerProcesses
from igbot_sandboxes.instagram import InstagramSandbox
from igbot_sandboxes.slack import SlackSandbox
from tests.log_capture import remember_secret, watch_log_file

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-0000-bot-token"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
TEAM = "T0SANDBOX"
SLACK_CLIENT_ID = "sandbox-slack-client-id"
SLACK_CLIENT_SECRET = "sandbox-slack-client-secret"
# What app_manifest.yml asks for: the command, posting, link previews.
BOT_SCOPES = ("commands", "chat:write", "links:read", "links:write")
WEBHOOK_VERIFY_TOKEN = "test-webhook-verify-token"


class _FormParser(HTMLParser):
    """Collects the first form's action and its input/select/button fields, as a browser would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.action:
            self.action, self._in_form = a.get("action", ""), True
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.fields.setdefault(a["name"], a.get("value", ""))
            if a.get("type") == "radio":
                self.selects.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self.selects.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form":
            self._in_form = False


@dataclass(frozen=True)
class Idle:
    """What `Stack.wait_idle` saw when it returned: true when every job was finished."""

    unfinished: int  # jobs queued, delayed or running at the moment the wait ended
    waited: float  # seconds
    stall: float  # seconds without a job finishing after which the wait gave up

    def __bool__(self) -> bool:
        return self.unfinished == 0

    def __repr__(self) -> str:
        if not self.unfinished:
            return f"Idle(every job finished, waited {self.waited:.1f} s)"
        return (
            f"Idle({self.unfinished} jobs unfinished after {self.waited:.1f} s; "
            f"none finished in the last {self.stall:g} s)"
        )


@dataclass
class Stack:
    """Running sandboxes and bot, with helpers that act like Slack users and their browsers."""

    slack: SlackSandbox
    instagram: InstagramSandbox
    igbot: Igbot
    bot: RunningServer
    servers: list[RunningServer]
    workers: WorkerProcesses | None = None
    worker_log: Path | None = None
    closed: bool = field(default=False)
    _watcher: Any = field(default=None, repr=False)

    @property
    def watcher(self) -> Any:
        """The harness's own Redis client for looking at queues and heartbeats: patient (seconds, with
        retries), unlike the web tier's, which gives up after a quarter of a second by design."""
        if self._watcher is None:
            self._watcher = connect(self.igbot.settings.redis_url or "")
        return self._watcher

    @property
    def services(self) -> Any:
        return self.igbot.services

    def wait_workers(self, count: int = 1, timeout: float = 60.0) -> list[int]:
        """Wait until ``count`` worker processes have sent a heartbeat; returns their pids. The deadline
        only ends a wait for a worker that never starts (one starts in a second or two, longer on a
        loaded machine)."""
        assert self.workers is not None
        deadline = time.monotonic() + timeout
        while True:
            beats = {str(m).rsplit(":", 1)[-1] for m in self.watcher.zrange(WORKERS_KEY, 0, -1)}
            ready = [pid for pid in self.workers.pids if str(pid) in beats]
            if len(ready) >= count:
                return ready
            assert time.monotonic() < deadline, f"workers not ready: {self.worker_errors()}"
            time.sleep(0.02)  # polling Redis for the heartbeat, not waiting a fixed time

    def pending_jobs(self) -> int:
        """Jobs queued, delayed or fetched by a worker and not yet finished."""
        client = self.watcher
        waiting = sum(int(client.llen(f"{NAMESPACE}:{q}")) for q in ("interactive", "background"))
        delayed = sum(int(client.llen(f"{NAMESPACE}:{q}.DQ")) for q in ("interactive", "background"))
        taken = sum(int(client.scard(k)) for k in client.scan_iter(f"{NAMESPACE}:__acks__.*"))
        return waiting + delayed + taken

    def wait_idle(self, stall: float = 15.0) -> Idle:
        """Wait until every job the bot queued is finished, for as long as jobs keep finishing: give up
        only when the number of unfinished jobs has not fallen for ``stall`` seconds (a stuck queue, not
        a slow machine). The result is true when idle; when not, it says how many jobs were unfinished
        at the moment it gave up."""
        started = time.monotonic()
        fewest, progress_at = self.pending_jobs(), started
        while fewest:
            time.sleep(0.02)  # polling Redis, not waiting a fixed time
            pending, now = self.pending_jobs(), time.monotonic()
            if pending < fewest:
                fewest, progress_at = pending, now
            elif now - progress_at > stall:
                return Idle(pending, now - started, stall)
        return Idle(0, time.monotonic() - started, stall)

    def worker_errors(self) -> list[str]:
        """Lines of the workers' log that report an error or a traceback."""
        if self.worker_log is None or not self.worker_log.exists():
            return []
        text = self.worker_log.read_text(errors="replace")
        return [
            line
            for line in text.splitlines()
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
        ]

    def install(self, team_id: str = TEAM, *, decision: str = "allow") -> requests.Response:
        """A workspace admin's browser: igbot's "Add to Slack" page, Slack's approval page (pick
        ``team_id``, or ``enterprise:E…`` for an org-wide install), back to igbot's redirect. Returns
        igbot's last page. Bolt's state cookie is ``Secure``, which `requests` won't send over plain
        http, so it is carried by hand exactly as a browser on https would."""
        page = requests.get(f"{self.bot.url}/slack/install", timeout=5)
        assert page.status_code == 200, page.text
        cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
        add = next(a for a in _links(page.text) if a[0] == "add-to-slack")[1]
        approval = requests.get(add, timeout=5)
        form = _FormParser()
        form.feed(approval.text)
        fields = {**form.fields, "team": team_id, "decision": decision}
        answer = requests.post(urljoin(add, form.action), data=fields, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return requests.get(answer.headers["Location"], headers={"Cookie": cookie}, timeout=10)

    def command(self, text: str, user_id: str = "U0ALICE", **kw: Any) -> Any:
        """Send `/ig text` as ``user_id``, signed exactly as Slack does."""
        kw.setdefault("team_id", TEAM)
        kw.setdefault("channel_id", "C0GENERAL")
        return self.slack.send_command(text=text, user_id=user_id, **kw)

    def wait_message(self, contains: str, user_id: str | None = None, timeout: float = 20.0) -> Any:
        """Wait for a message whose text contains ``contains`` (for ``user_id`` if given). It returns as
        soon as it arrives; on timeout the stand-in's error lists every message that did."""
        return self.slack.wait_for(
            lambda m: contains in m.all_text() and (user_id is None or m.user_id == user_id), timeout=timeout
        )

    def approve(
        self, authorize_url: str, username: str = "alice", decision: str = "authorize"
    ) -> requests.Response:
        """Act as the user's browser: open the approval page, pick ``username``, press the button, and
        follow the redirect to the bot's callback. Returns the callback's response."""
        browser = requests.Session()
        page = browser.get(authorize_url, timeout=5)
        assert page.status_code == 200, page.text[:500]
        form = _FormParser()
        form.feed(page.text)
        assert username in form.selects.get("username", []), f"{username} not offered on the approval page"
        data = {**form.fields, "username": username, "decision": decision}
        answer = browser.post(urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=5)
        assert answer.status_code in (302, 303), answer.text[:500]
        location = answer.headers["Location"]
        remember_secret(parse_qs(urlsplit(location).query).get("code", [""])[0])
        remember_secret(parse_qs(urlsplit(location).query).get("state", [""])[0])
        assert location.startswith(self.igbot.settings.redirect_uri), location
        return browser.get(location, timeout=10)

    def approve_raw(self, callback_url: str) -> requests.Response:
        """A browser opening ``callback_url`` directly (forged or replayed redirects)."""
        return requests.get(callback_url, timeout=10)

    def link(self, ig_username: str, user_id: str = "U0ALICE", team_id: str = TEAM) -> str:
        """Link a Slack user without the browser dance (the sandbox issues the token). Returns the token."""
        token = self.instagram.issue_token(ig_username, scope=" ".join(SCOPES))
        remember_secret(token)
        account = self.instagram.world.user_by_username(ig_username)
        self.services.links.save(
            team_id,
            user_id,
            token=token,
            ig_user_id=str(account.id),
            ig_username=ig_username,
            scope=" ".join(SCOPES),
        )
        return token

    def link_graph(
        self,
        fb_username: str,
        ig_username: str,
        user_id: str = "U0ALICE",
        expires_at: int | None = None,
        scope: str = ",".join(GRAPH_SCOPES),
    ) -> str:
        """Link a Slack user to one of ``fb_username``'s Instagram professional accounts (graph mode),
        with the permissions igbot asks for (or ``scope``)."""
        token = self.instagram.issue_graph_token(fb_username, scope=scope)
        remember_secret(token)
        account = next(
            a for a in self.instagram.graph_accounts_of(fb_username) if a["username"] == ig_username
        )
        self.services.links.save(
            TEAM,
            user_id,
            token=token,
            ig_user_id=str(account["id"]),
            ig_username=ig_username,
            scope=scope,
            expires_at=expires_at,
        )
        return token

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.servers[-1].stop()  # the bot first: nothing new is queued
        if self.workers is not None:
            # The test is over: no need to wait for a graceful stop (tests/workers tests that one).
            self.workers.stop(at_once=True)
        for server in reversed(self.servers[:-1]):
            server.stop()
        self.igbot.close()
        if self._watcher is not None:
            self._watcher.close()


def _links(html: str) -> list[tuple[str, str]]:
    """``(id, href)`` of the page's links."""
    return [
        (m.group(1), unescape(m.group(2)))
        for m in re.finditer(r'<a[^>]*id="([^"]*)"[^>]*href="([^"]*)"', html)
    ]


def login_url(message: Any) -> str:
    """The URL of the "Connect Instagram" button in a recorded message."""
    for button in message.buttons():
        if button.action_id == "ig_connect" and button.url:
            return str(button.url)
    raise AssertionError(f"no Connect button in {message.all_text()!r}")


class _LateApp:
    """A WSGI app set after its server listens (the bot's settings need the server's port)."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def instagram_urls(sandbox_url: str, api: str) -> dict[str, str]:
    """The bot's Instagram settings for the sandbox's paths of backend ``api`` (as `igbot dev` sets them)."""
    return sandbox_urls(sandbox_url, api)


def start_stack(
    redis_url: str,
    *,
    keys: str | None = None,
    read_timeout: float = 10.0,
    api: str = "legacy",
    workers: int = 1,
    worker_threads: int = 8,
    restart_workers: bool = True,
    queue_limit: int | None = None,
    oauth: bool = False,
    slack_options: dict[str, Any] | None = None,
    **sandbox: Any,
) -> Stack:
    """Start the Instagram sandbox, the Slack stand-in, the bot (threaded HTTP servers on free ports)
    and ``workers`` real `igbot worker` processes (0: none; a test starts them later).

    ``oauth``: igbot installs by OAuth (``SLACK_CLIENT_ID``) and no workspace has it until
    `Stack.install`; otherwise the single-workspace ``SLACK_BOT_TOKEN`` is installed in `T0SANDBOX`.
    ``slack_options`` go to the Slack stand-in."""
    servers: list[RunningServer] = []
    instagram = InstagramSandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **sandbox)
    servers.append(instagram.start())
    ig_url = servers[-1].url
    slack_options = {"bot_scopes": BOT_SCOPES, **(slack_options or {})}
    slack = SlackSandbox(
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        preinstalled=not oauth,
        client_id=SLACK_CLIENT_ID,
        client_secret=SLACK_CLIENT_SECRET,
        **slack_options,
    )
    servers.append(slack.start())
    late = _LateApp()
    bot = start_server(late, name="igbot")
    servers.append(bot)
    settings = Settings.from_env(
        {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            **(
                {"SLACK_CLIENT_ID": SLACK_CLIENT_ID, "SLACK_CLIENT_SECRET": SLACK_CLIENT_SECRET}
                if oauth
                else {"SLACK_BOT_TOKEN": BOT_TOKEN}
            ),
            "SLACK_API_URL": f"{slack.base_url}/api/",
            "INSTAGRAM_CLIENT_ID": CLIENT_ID,
            "INSTAGRAM_CLIENT_SECRET": CLIENT_SECRET,
            **instagram_urls(ig_url, api),
            "PUBLIC_URL": bot.url,
            "REDIS_URL": redis_url,
            "TOKEN_ENCRYPTION_KEYS": keys or Fernet.generate_key().decode(),
            "INSTAGRAM_WEBHOOK_VERIFY_TOKEN": WEBHOOK_VERIFY_TOKEN,
            "MAP_TILE_URL": InstagramSandbox.tile_url_template(ig_url),
        }
    )
    for secret in (
        SIGNING_SECRET,
        BOT_TOKEN,
        CLIENT_SECRET,
        SLACK_CLIENT_SECRET,
        *settings.token_encryption_keys,
    ):
        remember_secret(secret)
    backend = instagram_backend(settings, timeout=(2.0, read_timeout))
    exchange = backend.exchange_code

    def exchange_and_remember(code: str) -> Any:
        linked = exchange(code)
        remember_secret(linked.token)
        return linked

    backend.exchange_code = exchange_and_remember  # type: ignore[method-assign]
    log_path = Path(tempfile.mkdtemp(prefix="igbot-workers-")) / "workers.log"
    watch_log_file(log_path)
    pool = WorkerProcesses(
        settings,
        processes=max(workers, 1),  # started below, or later by the test
        threads=worker_threads,
        nice=0,
        grace=5.0,
        output=log_path,
        restart=restart_workers,
        extra_args=["--log-level", "DEBUG", "--instagram-timeout", str(read_timeout)],
    )
    if workers:
        pool.start()  # first: the worker starts up while the web tier is built
    options: dict[str, Any] = {"depth_max_age": 0.0}
    if queue_limit is not None:
        options["queue_limit"] = queue_limit
    try:
        igbot = build(settings, instagram=backend, **options)
    except BaseException:
        pool.stop()
        raise
    late.app = igbot.wsgi
    slack.bot_url = f"{bot.url}/slack/events"
    if BACKENDS[api].dev_webhook:  # the Meta app's webhook, as its owner sets it once in the App Dashboard
        instagram.set_webhook(f"{bot.url}/instagram/webhook", WEBHOOK_VERIFY_TOKEN)
    running = Stack(slack=slack, instagram=instagram, igbot=igbot, bot=bot, servers=servers,
                    workers=pool, worker_log=log_path)  # fmt: skip
    if workers:
        try:
            running.wait_workers(workers)
        except BaseException:
            running.close()
            raise
    return running
