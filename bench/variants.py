"""The servers a bench run compares, all under the gunicorn configuration of `igbot serve`.

``python -m bench.variants TARGET [--workers N --threads N --worker-class C --web-only
--worker-processes N --worker-threads N --switch-interval-ms F]``

TARGET is one of:

- ``igbot``: igbot itself, run by `bot.serve.serve` (web tier under gunicorn and, unless
  ``--web-only``, its `igbot worker` processes at nice ``--worker-nice``, 10 as shipped), with options
  the CLI does not expose for the tuning sweep and the worker-tier bench's diagnostics: worker class,
  GIL switch interval, the workers' nice, and ``--queue-limit`` (the waiting jobs above which the web
  tier answers "busy"; `bot.worker.queue.DEFAULT_QUEUE_LIMIT` as shipped). The main runs start igbot
  with the `igbot` command as the Procfile does;
- ``bolt``: the bare-Bolt reference: a Bolt app whose ``/ig`` listener only calls ``ack()``, with the
  settings igbot gives Bolt (``process_before_response=True``, ``token_verification_enabled=False``,
  a WebClient on ``SLACK_API_URL``), served by Bolt's own WSGI adapter;
- ``bolt-flask``: the same Bolt app behind Flask and Bolt's Flask adapter, as igbot routes it
  (diagnostic: splits igbot's cost into "Flask" and "igbot's own code");
- ``raw``: a raw WSGI hello-world that reads the request body and answers ``200 Hello, World!``.

(The ``igbot-proposed`` and ``igbot-queued`` prototypes of issue 6 are gone: igbot now registers
``/ig`` without a lazy listener and hands the work to its own worker tier, issue 10.)

Settings come from the environment exactly as for `igbot serve` (SLACK_SIGNING_SECRET, PORT, ...);
gunicorn is configured by `bot.serve` itself (the same class `igbot serve` runs), so every target
gets the same bind, worker, thread and timeout settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from bot import logs
from bot import serve as serve_module
from bot.serve import ServeOptions, _Gunicorn, serve
from bot.settings import Settings

HELLO = b"Hello, World!"


def raw_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The raw WSGI reference: read the request, answer a fixed body."""
    stream = environ.get("wsgi.input")
    if stream is not None:
        stream.read()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))])
    return [HELLO]


def bolt_app(settings: Settings) -> Any:
    """The bare-Bolt reference App: `/ig` only acks."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    app = App(
        signing_secret=settings.slack_signing_secret,
        client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/ig")
    def ack_only(ack: Ack) -> None:
        ack()

    return app


def bolt_wsgi(settings: Settings) -> Any:
    """Bare Bolt on Bolt's WSGI adapter."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    return SlackRequestHandler(bolt_app(settings))


def bolt_flask_wsgi(settings: Settings) -> Any:
    """Bare Bolt behind Flask, routed like igbot routes `POST /slack/events`."""
    from flask import Flask, request
    from slack_bolt.adapter.flask import SlackRequestHandler

    handler = SlackRequestHandler(bolt_app(settings))
    web = Flask("bolt-flask")

    @web.post("/slack/events")
    def slack_events() -> Any:
        return handler.handle(request)

    return web


class _Variant(_Gunicorn):  # type: ignore[misc]
    """`bot.serve`'s gunicorn application serving another WSGI app."""

    def __init__(self, settings: Settings, options: ServeOptions, loader: Callable[[Settings], Any]) -> None:
        self._loader = loader
        super().__init__(settings, options)

    def load(self) -> Any:
        return self._loader(self._settings)


def _igbot_with_queue_limit(limit: int) -> type:
    """`bot.serve`'s gunicorn application, building the web tier with another busy limit."""

    class _Limited(_Gunicorn):  # type: ignore[misc]
        def load(self) -> Any:
            from bot.app import build

            return build(self._settings, queue_limit=limit).wsgi

    return _Limited


def main(argv: list[str] | None = None) -> int:
    defaults = ServeOptions()
    parser = argparse.ArgumentParser(prog="python -m bench.variants")
    parser.add_argument("target", choices=["igbot", "bolt", "bolt-flask", "raw"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", defaults.workers))
    )
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--worker-class", default=defaults.worker_class)
    parser.add_argument("--web-only", action="store_true", help="igbot: no worker tier")
    parser.add_argument("--worker-processes", type=int, default=defaults.worker_processes)
    parser.add_argument("--worker-threads", type=int, default=defaults.worker_threads)
    parser.add_argument("--worker-nice", type=int, default=defaults.worker_nice)
    parser.add_argument("--queue-limit", type=int, default=None, help="igbot: the busy limit")
    parser.add_argument("--switch-interval-ms", type=float, default=None, help="sys.setswitchinterval")
    args = parser.parse_args(argv)
    if args.switch_interval_ms is not None:
        sys.setswitchinterval(args.switch_interval_ms / 1000)  # inherited by the forked web workers
    settings = Settings.from_env(os.environ)
    logs.configure()
    options = dataclasses.replace(
        defaults, host=args.host, workers=args.workers, threads=args.threads, worker_class=args.worker_class,
        web_only=args.web_only, worker_processes=args.worker_processes, worker_threads=args.worker_threads,
        worker_nice=args.worker_nice,
    )  # fmt: skip
    if args.target == "igbot":
        if args.queue_limit is not None:  # serve() runs the module's gunicorn class: give it ours
            serve_module._Gunicorn = _igbot_with_queue_limit(args.queue_limit)
        serve(settings, options)
        return 0
    loaders: dict[str, Callable[[Settings], Any]] = {
        "bolt": bolt_wsgi,
        "bolt-flask": bolt_flask_wsgi,
        "raw": lambda s: raw_app,
    }
    _Variant(settings, options, loaders[args.target]).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
