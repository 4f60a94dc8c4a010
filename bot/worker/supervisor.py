"""Starting, restarting and stopping worker processes: for `igbot serve`, `igbot dev`, the tests, and
`igbot worker` itself (`supervise_worker`).

The workers are separate processes (not forks of the web tier), started at a lower CPU priority
(``nice``) so that on a shared machine acks win over jobs. Each runs the job consumer
(`bot.worker.process.run_worker`, `igbot worker --supervised-by PID`) and stops by itself when the
process that started it is gone. A worker that exits on its own (after losing its Redis connection,
or a crash) is started again after a short pause; `stop` sends SIGTERM (graceful) and kills what is
left after the grace period.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import IO

from bot.settings import Settings

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0
MAX_RESTART_PAUSE_SECONDS = 30.0
NO_REDIS_URL = "igbot worker: REDIS_URL is not set (it must name the Redis the web tier uses)"


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process exactly ``settings`` (every declared setting that is
    set: a new one reaches the workers by itself)."""
    return settings.to_env()


class WorkerProcesses:
    """``processes`` children running the job consumer (`bot.worker.process.run_worker`).

    Args:
        settings: what the workers run with (``redis_url`` must be set).
        processes: how many worker processes.
        threads: Dramatiq threads per process.
        nice: CPU priority below the caller's (0 = same).
        grace: seconds a stopping worker gives its running jobs.
        output: where the workers' logs go (default: inherited stderr).
        restart: start a worker again when it exits on its own.
        extra_env: more environment for the children (tests).
        extra_args: more `igbot worker` arguments (``--log-level DEBUG``, ``--instagram-timeout``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        processes: int = 1,
        threads: int = 16,
        nice: int = 10,
        grace: float = 20.0,
        output: Path | None = None,
        restart: bool = True,
        extra_env: Mapping[str, str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self._env = {**os.environ, **settings_env(settings), **(extra_env or {})}
        self._env.pop("WEB_CONCURRENCY", None)
        self._count = processes
        self._args = [sys.executable, "-m", "bot", "worker", "--threads", str(threads),
                      "--nice", str(nice), "--grace", str(grace), *(extra_args or [])]  # fmt: skip
        self._grace = grace
        self._output = output
        self._log: IO[bytes] | None = None
        self._restart = restart
        self._children: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        with self._lock:
            return [child.pid for child in self._children if child.poll() is None]

    def _spawn(self) -> subprocess.Popen[bytes]:
        if self._output is not None and self._log is None:
            self._log = open(self._output, "ab")  # noqa: SIM115 (closed in stop)
        # The consumer itself (no second `igbot worker` parent), told to stop when this process is gone.
        args = [*self._args, "--supervised-by", str(os.getpid())]
        return subprocess.Popen(
            args, env=self._env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
        )

    def start(self) -> WorkerProcesses:
        """Start the workers (and, with ``restart``, a thread that restarts one that exits)."""
        self._stopping.clear()
        with self._lock:
            self._children = [self._spawn() for _ in range(self._count)]
        if self._restart:
            self._watcher = threading.Thread(target=self._watch, name="igbot-worker-watch", daemon=True)
            self._watcher.start()
        return self

    def _watch(self) -> None:
        pause = RESTART_PAUSE_SECONDS
        while not self._stopping.wait(0.5):
            with self._lock:
                exited = [i for i, child in enumerate(self._children) if child.poll() is not None]
            if not exited:
                pause = RESTART_PAUSE_SECONDS
                continue
            if self._stopping.wait(pause):  # a worker that keeps crashing is started less and less often
                return
            pause = min(pause * 2, MAX_RESTART_PAUSE_SECONDS)
            with self._lock:
                for index in exited:
                    child = self._children[index]
                    log.warning("igbot worker %s exited (%s); starting another", child.pid, child.returncode)
                    self._children[index] = self._spawn()

    def kill(self, pid: int) -> None:
        """SIGKILL one worker (tests: a crash). With ``restart``, another one takes its place."""
        os.kill(pid, signal.SIGKILL)

    def stop(self, timeout: float | None = None, *, at_once: bool = False) -> None:
        """SIGTERM every worker, wait up to ``timeout`` (default: the grace period + 5 s), then SIGKILL.
        ``at_once`` sends SIGKILL straight away (tests tearing down a stack they are done with)."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        with self._lock:
            children, self._children = self._children, []
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGKILL if at_once else signal.SIGTERM)
        deadline = time.monotonic() + (self._grace + 5 if timeout is None else timeout)
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None


def supervise_worker(
    settings: Settings,
    *,
    threads: int = 16,
    grace: float = 20.0,
    nice: int = 0,
    instagram_timeout: float = 10.0,
    log_level: str = "INFO",
) -> int:
    """`igbot worker`: run one job consumer as a child process and start it again whenever it exits on
    its own, until SIGTERM or SIGINT (then the consumer stops gracefully and this returns 0).

    A consumer that lost its Redis connection exits so that Redis hands its jobs back (see
    `bot.worker.process`); this parent is what keeps the worker tier running after a Redis restart
    without any outside supervisor. It never connects to Redis itself.
    """
    if settings.redis_url is None:
        print(NO_REDIS_URL, flush=True)  # here: a consumer started without it would only exit again
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    consumer = WorkerProcesses(
        settings,
        threads=threads,
        nice=nice,
        grace=grace,
        extra_args=["--instagram-timeout", str(instagram_timeout), "--log-level", log_level],
    ).start()
    log.info("igbot worker %d started; its jobs run in a child process, restarted when it exits", os.getpid())
    try:
        stop.wait()
    finally:
        consumer.stop()
    log.info("igbot worker %d stopped", os.getpid())
    return 0
