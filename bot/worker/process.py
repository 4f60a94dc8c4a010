"""The job consumer: one worker process of the worker tier (Dramatiq threads, heartbeat, scheduler).

It runs as the child of a `bot.worker.supervisor.WorkerProcesses` (`igbot worker`, `igbot serve`,
`igbot dev`), which starts it again when it exits on its own. SIGTERM or SIGINT stops it gracefully:
no new job starts, the running ones get ``grace`` seconds to finish, jobs fetched but not started go
back on the queue. It stops the same way when the process that started it is gone (even SIGKILLed).
A SIGKILLed worker's jobs are re-delivered by the others within about 15 s (`bot.worker.broker`). Every
``HEARTBEAT_SECONDS`` the process records itself in ``igbot:workers`` (for `/healthz` and
`igbot worker --check`), checks on its parent, and moves due reminders into the queue.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType

import dramatiq
import redis

from bot.features.feeds.jobs import DELIVER_FEED
from bot.features.inbox.jobs import POLL_INBOX
from bot.features.inbox.jobs import POLL_SECONDS as INBOX_POLL_SECONDS
from bot.features.linking.reminders import REMIND
from bot.settings import Settings
from bot.storage.keys import WORKERS_KEY
from bot.worker.queue import WORKER_ALIVE_SECONDS, worker_name
from bot.worker.supervisor import NO_REDIS_URL
from bot.worker.tier import Tier

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
POLL_MS = 100  # how long an idle worker waits between looks at the queue (reply latency when idle)


def _beat(tier: Tier, name: str) -> None:
    now = time.time()
    pipe = tier.redis.pipeline(transaction=False)
    pipe.zadd(WORKERS_KEY, {name: now})
    pipe.zremrangebyscore(WORKERS_KEY, "-inf", now - 86400)  # workers gone for a day are forgotten
    pipe.execute()


def _schedule_due(tier: Tier) -> None:
    for due in tier.services.reminders.due():
        tier.services.jobs.send(REMIND, due.team_id, due.user_id, due.kind, 0)
        tier.services.reminders.done(due)
    for target in tier.services.feeds.take_due_polls():  # each moved ahead: no other worker takes it
        tier.services.jobs.send(DELIVER_FEED, target)
    for account_id in tier.services.inbox.take_due_polls(default_interval=INBOX_POLL_SECONDS):
        tier.services.jobs.send(POLL_INBOX, account_id)


LOST_REDIS_EXIT = 3


class _ConnectionLost(logging.Handler):
    """Notices Dramatiq's consumer losing its Redis connection. A fetch cut off that way leaves jobs
    marked as taken by this process, which Redis hands back only once this process is gone: so the
    worker then stops (its running jobs finish) and its supervisor starts a fresh one."""

    def __init__(self) -> None:
        super().__init__(level=logging.CRITICAL)
        self.lost = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if (
            record.name.startswith("dramatiq.worker.ConsumerThread")
            and "connection error" in record.getMessage()
        ):
            self.lost.set()


def run_worker(
    settings: Settings,
    build: Callable[[float], Tier],
    *,
    threads: int = 16,
    grace: float = 20.0,
    nice: int = 0,
    instagram_timeout: float = 10.0,
    parent: int | None = None,
) -> int:
    """Run one worker process until SIGTERM/SIGINT, or until process ``parent`` (its supervisor) is gone.
    ``build`` makes its `Tier` from the seconds an Instagram call may take. Returns the exit status:
    `LOST_REDIS_EXIT` after a lost Redis connection, else 0."""
    if settings.redis_url is None:
        print(NO_REDIS_URL, flush=True)
        return 2
    if nice:
        os.nice(nice)  # below the web processes on a shared machine: acks first
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lost = _ConnectionLost()
    logging.getLogger("dramatiq.worker").addHandler(lost)  # consumers log as ConsumerThread(<queue>)
    tier = build(instagram_timeout)
    worker = dramatiq.Worker(tier.broker, worker_threads=threads, worker_timeout=POLL_MS)
    worker.start()
    name = worker_name()
    log.info("igbot worker %s started with %d threads", name, threads)
    try:
        while not stop.is_set():
            if lost.lost.is_set():
                log.warning("igbot worker %s lost its Redis connection mid-fetch; restarting", name)
                break
            if parent is not None and os.getppid() != parent:  # e.g. SIGKILLed: nobody would stop this one
                log.warning("igbot worker %s: its supervisor (pid %d) is gone; stopping", name, parent)
                break
            try:
                _beat(tier, name)
                _schedule_due(tier)
            except (redis.RedisError, OSError) as exc:
                log.warning("heartbeat failed (%s); retrying", type(exc).__name__)
            stop.wait(HEARTBEAT_SECONDS)
    finally:
        log.info("igbot worker %s stopping (up to %.0f s for running jobs)", name, grace)
        worker.stop(timeout=int(grace * 1000))
        with contextlib.suppress(redis.RedisError, OSError):
            tier.redis.zrem(WORKERS_KEY, name)
        tier.close()
        log.info("igbot worker %s stopped", name)
    return LOST_REDIS_EXIT if lost.lost.is_set() and not stop.is_set() else 0


def check_alive(settings: Settings) -> int:
    """`igbot worker --check`: 0 when a worker on this host sent a heartbeat recently, else 1."""
    if settings.redis_url is None:
        print("igbot worker: REDIS_URL is not set", flush=True)
        return 2
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=2)
    host = socket.gethostname()
    try:
        beats = client.zrangebyscore(WORKERS_KEY, time.time() - WORKER_ALIVE_SECONDS, "+inf")
    except (redis.RedisError, OSError) as exc:
        print(f"igbot worker: cannot reach Redis ({type(exc).__name__})", flush=True)
        return 1
    finally:
        client.close()
    mine = [b for b in beats if str(b).rsplit(":", 1)[0] == host]
    if not mine:
        print(f"igbot worker: no worker on {host} sent a heartbeat in the last {WORKER_ALIVE_SECONDS} s")
        return 1
    print(f"igbot worker: {len(mine)} worker(s) alive on {host}")
    return 0
