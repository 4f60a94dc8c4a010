"""The sandbox Instagram for load runs: `python -m bench.standins instagram --port N [--rate-limit N]`.

The same `InstagramSandbox` app `igbot sandbox instagram` serves, but under gunicorn (one worker,
since the sandbox keeps its state in memory; 8 threads; HTTP keep-alive) instead of werkzeug's
development server. Werkzeug's server closes the connection after every answer, which would make
igbot open a new TCP connection for every Instagram call, a cost real Instagram (keep-alive) does
not impose; it is also slower, and its CPU is taken from the bot on a 2-core machine.
"""

from __future__ import annotations

import argparse
from typing import Any

from gunicorn.app.base import BaseApplication

from igbot_sandboxes.instagram import InstagramSandbox


class _Serve(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Any, port: int, threads: int) -> None:
        self._app = app
        self._port = port
        self._threads = threads
        super().__init__()

    def load_config(self) -> None:
        for key, value in {
            "bind": f"127.0.0.1:{self._port}",
            "workers": 1,
            "threads": self._threads,
            "worker_class": "gthread",
            "keepalive": 30,
            "control_socket_disable": True,
            "accesslog": None,
            "loglevel": "warning",
        }.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.standins")
    parser.add_argument("which", choices=["instagram"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", type=int, default=1_000_000_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    sandbox = InstagramSandbox(rate_limit_per_hour=args.rate_limit)
    _Serve(sandbox.wsgi_app, args.port, args.threads).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
