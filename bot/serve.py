"""`igbot serve`: production on one machine. The web tier (Bolt + Flask under gunicorn, the
Procfile's `web:`), and unless ``--web-only`` the worker tier (`igbot worker` processes at a lower CPU
priority), with the embedded Redis when REDIS_URL is unset.

Only this master process starts and stops the embedded Redis and the worker processes: gunicorn's
web workers are forks of it, and a fork that exits (HUP, timeout, TERM to one worker) must leave
both alone.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings
from bot.storage.embedded import EmbeddedRedis
from bot.worker.supervisor import WorkerProcesses


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    """How `igbot serve` runs. Defaults measured with `python -m bench.run` (docs/benchmarks.md):

    - ``worker_class``: ``gthread`` (keep-alive). ``sync`` workers close every connection: igbot
      acked 20-40% fewer commands a second and bare Bolt about 3x fewer.
    - ``workers``: 2 web processes per 2 cores (``WEB_CONCURRENCY``). Each is held to about one core
      by the GIL; more processes than cores added memory, not throughput.
    - ``threads``: 8 per web process, so 2 processes serve 16 concurrent requests.
    - ``worker_processes`` x ``worker_threads``: the worker tier (jobs are I/O bound: threads).
    - ``worker_nice``: the worker tier's CPU priority below the web tier's (acks first).
    - ``web_only``: no worker tier here (it runs elsewhere as `igbot worker`).
    - ``socket_mode``: each web process also opens a Socket Mode connection (``SLACK_APP_TOKEN``;
      Slack spreads requests over up to 10) and handles Slack's requests from it; HTTP still serves
      the Instagram callback, webhooks, maps and the install pages.
    """

    host: str = "0.0.0.0"
    workers: int = 2
    threads: int = 8
    worker_class: str = "gthread"
    web_only: bool = False
    worker_processes: int = 1
    worker_threads: int = 16
    worker_nice: int = 10
    socket_mode: bool = False


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with our settings; each web worker builds its own app after the fork."""

    def __init__(self, settings: Settings, options: ServeOptions) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        config: dict[str, Any] = {
            "bind": f"{self._options.host}:{self._settings.port}",
            "workers": self._options.workers,
            "threads": self._options.threads,
            "worker_class": self._options.worker_class,
            "timeout": 30,
            "graceful_timeout": 10,
            "control_socket_disable": True,  # parallel servers would collide on ~/.gunicorn/
            "accesslog": None,  # access lines would show the callback's code and state
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from bot.app import build

        igbot = build(self._settings)
        if self._options.socket_mode and self._settings.slack_app_token:
            from bot.web.socket_mode import SocketModeRunner

            # In this web process, after the fork: its thread and socket are its own.
            self._socket = SocketModeRunner(igbot.bolt, self._settings.slack_app_token)
            self._socket.start_retrying()
        return igbot.wsgi


def serve(settings: Settings, options: ServeOptions) -> None:
    """Run until gunicorn stops: the embedded Redis first (before anything forks), then the worker
    processes, then gunicorn; on the way out the same in reverse, in this process only."""
    master = os.getpid()
    embedded = None
    workers = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        settings = settings.model_copy(update={"redis_url": embedded.start()})
    try:
        if not options.web_only:
            workers = WorkerProcesses(
                settings,
                processes=options.worker_processes,
                threads=options.worker_threads,
                nice=options.worker_nice,
            ).start()
        _Gunicorn(settings, options).run()
    finally:
        if os.getpid() == master:  # a web worker leaving gunicorn's loop unwinds through here too
            if workers is not None:
                workers.stop()
            if embedded is not None:
                embedded.stop()
