"""`igbot worker` as supervisors see it: its liveness check, a missing REDIS_URL, and a parent that keeps its
job process running (a Redis restart, SIGTERM, kill -9)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bot.settings import Settings
from bot.storage.embedded import EmbeddedRedis
from bot.worker.queue import WORKER_ALIVE_SECONDS, WORKERS_KEY
from bot.worker.supervisor import settings_env
from tests.dev.process import alive, descendants, igbot_command
from tests.log_capture import watch_log_file
from tests.stack import Stack, start_stack


def _worker(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "worker", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_liveness_check_follows_the_workers_heartbeat(stack: Stack, tmp_path: Path) -> None:
    env = {**os.environ, **settings_env(stack.igbot.settings)}
    alive = _worker(["--check"], env, tmp_path)
    assert alive.returncode == 0 and "alive" in alive.stdout
    stack.workers.stop()  # type: ignore[union-attr]  # a stopped worker removes its heartbeat
    gone = _worker(["--check"], env, tmp_path)
    assert gone.returncode == 1 and "no worker" in gone.stdout


def test_a_worker_without_redis_url_says_so_in_one_line(stack: Stack, tmp_path: Path) -> None:
    env = {**os.environ, **settings_env(stack.igbot.settings)}
    env.pop("REDIS_URL")
    result = _worker([], env, tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines() == [
        "igbot worker: REDIS_URL is not set (it must name the Redis the web tier uses)"
    ]


# --- `igbot worker` as a parent that keeps its job process running --------------------------------------


@pytest.fixture
def igbot_worker(tmp_path: Path) -> Iterator[Callable[[Settings], subprocess.Popen[bytes]]]:
    """Start `igbot worker` as the README runs it (the installed script, in a session of its own), its log
    in a file; every one started is killed with what it started when the test ends."""
    started: list[subprocess.Popen[bytes]] = []
    log_path = tmp_path / "igbot-worker.log"
    watch_log_file(log_path)

    def start(settings: Settings) -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [*igbot_command(), "worker", "--threads", "4", "--grace", "5", "--log-level", "DEBUG"],
                env={**os.environ, **settings_env(settings)},
                cwd=tmp_path,  # no stray .env from the checkout
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the parent and its consumer: one process group
        process.wait(timeout=10)


@pytest.fixture
def web_tier(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack without worker processes of its own (the tests start `igbot worker`)."""
    running = start_stack(redis_url, workers=0)
    yield running
    running.close()


def _wait(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)  # polling processes and Redis, not waiting a fixed time


def _beating(running: Stack) -> set[int]:
    """Pids of this host's processes with a heartbeat in the last `WORKER_ALIVE_SECONDS`."""
    recent = running.igbot.tier.redis.zrangebyscore(WORKERS_KEY, time.time() - WORKER_ALIVE_SECONDS, "+inf")
    host = socket.gethostname()
    return {int(pid) for name, pid in (str(m).rsplit(":", 1) for m in recent) if name == host}


def _consumer(running: Stack, worker: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """The pid of the job process under ``worker``, once it sends heartbeats."""
    found: list[int] = []

    def ready() -> bool:
        assert worker.poll() is None, f"igbot worker exited ({worker.returncode})"
        found[:] = sorted((descendants(worker.pid) - {worker.pid}) & _beating(running))
        return bool(found)

    _wait(ready, timeout, "igbot worker's job process never sent a heartbeat")
    (pid,) = found
    return pid


def test_igbot_worker_started_once_keeps_answering_after_a_redis_restart(
    tmp_path: Path, igbot_worker: Callable[[Settings], subprocess.Popen[bytes]]
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    running = start_stack(server.start(), workers=0)  # the split form: `igbot serve --web-only` + this
    restarted: EmbeddedRedis | None = None
    try:
        worker = igbot_worker(running.igbot.settings)
        running.link("alice")
        running.link("bob", user_id="U0BOB")
        running.command("me")
        running.wait_message("connected to Instagram account *@alice*", user_id="U0ALICE", timeout=60)
        (first,) = _beating(running)  # whichever process runs the jobs
        assert server.process is not None
        server.process.kill()  # a crash: the append-only file keeps the links
        server.process.wait(timeout=5)
        log = tmp_path / "igbot-worker.log"
        _wait(lambda: "lost its Redis connection" in log.read_text(), 60, "the worker never noticed")
        restarted = EmbeddedRedis(tmp_path / "redis", socket_path=server.socket_path)
        restarted.start()
        _wait(lambda: not alive(first), 60, "the process that lost Redis kept running")  # its jobs go back
        running.command("me", user_id="U0BOB")
        # Survival is the point, not speed: a new job process starts after a pause, then takes the job.
        running.wait_message("connected to Instagram account *@bob*", user_id="U0BOB", timeout=60)
        assert worker.poll() is None  # the `igbot worker` the test started is still the one running
        os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        running.close()
        if restarted is not None:
            restarted.stop()
        server.stop()


def test_sigterm_to_igbot_worker_stops_its_job_process_gracefully_and_exits_0(
    web_tier: Stack, igbot_worker: Callable[[Settings], subprocess.Popen[bytes]]
) -> None:
    worker = igbot_worker(web_tier.igbot.settings)
    consumer = _consumer(web_tier, worker)
    os.kill(worker.pid, signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert not alive(consumer)
    assert consumer not in _beating(web_tier)  # it stopped gracefully: it removed its own heartbeat


def test_a_killed_igbot_worker_leaves_no_job_process_behind(
    web_tier: Stack, igbot_worker: Callable[[Settings], subprocess.Popen[bytes]]
) -> None:
    worker = igbot_worker(web_tier.igbot.settings)
    consumer = _consumer(web_tier, worker)
    os.kill(worker.pid, signal.SIGKILL)  # nothing left to send the job process SIGTERM
    worker.wait(timeout=10)
    _wait(lambda: not alive(consumer), 60, "the job process outlived its igbot worker")
    assert consumer not in _beating(web_tier)  # it stopped gracefully: it removed its own heartbeat
