"""`igbot serve`: the production web process, Bolt + Flask under gunicorn (the Procfile's `web:`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings
from bot.storage.embedded import EmbeddedRedis


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    """How gunicorn runs the bot. Defaults measured with `python -m bench.sweep` (docs/benchmarks.md):

    - ``worker_class``: ``gthread`` (keep-alive). ``sync`` workers close every connection: igbot
      acked 20-40% fewer commands a second and bare Bolt about 3x fewer.
    - ``workers``: 2 per 2 cores (``WEB_CONCURRENCY``). Each process is held to about one core by the
      GIL; more processes than cores added memory, not throughput.
    - ``threads``: 8 per process, so 2 processes serve 16 concurrent requests.
    - ``after_ack_threads``: 16 per process for the work after the ack. With a 150 ms Instagram,
      4 threads completed 23 follows/s, 16 completed 78/s, 32 completed 91/s but doubled the
      p99 ack latency (the threads compete with the acks for the GIL).
    """

    host: str = "0.0.0.0"
    workers: int = 2
    threads: int = 8
    worker_class: str = "gthread"
    after_ack_threads: int = 16


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with our settings; each worker builds its own app after the fork."""

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

        return build(self._settings, workers=self._options.after_ack_threads).wsgi


def serve(settings: Settings, options: ServeOptions) -> None:
    """Run until gunicorn stops. An embedded Redis starts first, before workers fork, and stops last."""
    embedded = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        settings = dataclasses.replace(settings, redis_url=embedded.start())
    try:
        _Gunicorn(settings, options).run()
    finally:
        if embedded is not None:
            embedded.stop()
