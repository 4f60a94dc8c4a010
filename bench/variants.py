"""The servers a bench run compares, all under the gunicorn configuration of `igbot serve`.

``python -m bench.variants TARGET [--workers N --threads N --worker-class C --after-ack-threads N]``

TARGET is one of:

- ``igbot``: igbot itself, built by `bot.app.build` (only for the tuning sweep; the main run starts
  igbot exactly as the Procfile does);
- ``bolt``: the bare-Bolt reference: a Bolt app whose ``/ig`` listener only calls ``ack()``, with the
  settings igbot gives Bolt (``process_before_response=True``, ``token_verification_enabled=False``,
  a WebClient on ``SLACK_API_URL``), served by Bolt's own WSGI adapter;
- ``bolt-flask``: the same Bolt app behind Flask and Bolt's Flask adapter, as igbot routes it
  (diagnostic: splits igbot's cost into "Flask" and "igbot's own code");
- ``raw``: a raw WSGI hello-world that reads the request body and answers ``200 Hello, World!``;
- ``igbot-proposed``: igbot with the `/ig` listener registered as docs/benchmarks.md recommends
  (answers that need no I/O acked without starting a lazy listener; the rest acked, then handed to
  igbot's after-ack executor directly instead of through Bolt's lazy listener, which deep-copies the
  whole request and context for every command). Everything else is igbot's own code.

Settings come from the environment exactly as for `igbot serve` (SLACK_SIGNING_SECRET, PORT, ...);
gunicorn is configured by `bot.server` itself (the same class `igbot serve` runs), so every target
gets the same bind, worker, thread and timeout settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from bot import logs
from bot.server import ServeOptions, _Gunicorn
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


def igbot_wsgi(settings: Settings, after_ack_threads: int | None) -> Any:
    """igbot as `bot.server` builds it, optionally with another after-ack pool size (tuning sweep)."""
    from bot.app import build

    if after_ack_threads is None:
        return build(settings).wsgi
    return build(settings, workers=after_ack_threads).wsgi


def _remove_ig_listener(bolt: Any) -> None:
    """Take igbot's `/ig` listeners out of a built Bolt app (to register another in their place)."""

    def handles_ig(listener: Any) -> bool:
        func = getattr(listener.matchers[0], "func", None) if listener.matchers else None
        try:
            return bool(func({"command": "/ig", "text": "help"})) if func else False
        except Exception:
            return False

    before = len(bolt._listeners)
    bolt._listeners[:] = [listener for listener in bolt._listeners if not handles_ig(listener)]
    if len(bolt._listeners) == before:  # igbot registers one or two /ig listeners
        raise RuntimeError("could not find igbot's /ig listener to replace")


def igbot_proposed_wsgi(settings: Settings, after_ack_threads: int | None) -> Any:
    """igbot exactly as `bot.app.build` makes it (same web app, request guard, replay store, services),
    except that its `/ig` listener is replaced by the recommended registration (module docstring)."""
    from slack_bolt import Ack, Respond

    from bot.app import build
    from bot.slack.commands import dispatch
    from bot.slack.commands.help import immediate_answer
    from bot.slack.intents import parse
    from bot.slack.invocation import Invocation

    built = build(settings) if after_ack_threads is None else build(settings, workers=after_ack_threads)
    services = built.services
    capabilities = services.instagram.capabilities
    bolt = built.bolt

    _remove_ig_listener(bolt)

    def ig(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        intent = parse(command.get("text", ""))
        answer = immediate_answer(intent, capabilities)
        if answer is not None:
            ack(answer)
            return
        ack()
        services.background.submit(dispatch.run, intent, Invocation.from_command(command), services, respond)

    bolt.command("/ig")(ig)
    return built.wsgi


QUEUE = "igbot:bench:after-ack"
_COMMAND_FIELDS = ("team_id", "user_id", "user_name", "channel_id", "response_url", "text")


def igbot_queued_wsgi(settings: Settings, after_ack_threads: int | None) -> Any:
    """igbot whose web processes only ack: work after the ack goes to a Redis list (one LPUSH) that a
    separate, lower-priority process (`run_queue_worker`) consumes. A prototype of the "scale by
    adding processes" design for docs/benchmarks.md; everything else is igbot as built."""
    from slack_bolt import Ack

    from bot.app import build
    from bot.slack.commands.help import immediate_answer
    from bot.slack.intents import parse

    built = build(settings)
    capabilities = built.services.instagram.capabilities
    client = built.redis
    _remove_ig_listener(built.bolt)

    def ig(ack: Ack, command: dict[str, Any]) -> None:
        answer = immediate_answer(parse(command.get("text", "")), capabilities)
        if answer is not None:
            ack(answer)
            return
        client.lpush(QUEUE, json.dumps({k: str(command.get(k, "")) for k in _COMMAND_FIELDS}))
        ack()

    built.bolt.command("/ig")(ig)
    return built.wsgi


def run_queue_worker(settings: Settings, threads: int) -> None:
    """Consume `QUEUE` with ``threads`` threads: igbot's own after-ack code (`dispatch.run`)."""
    from slack_bolt.context.respond import Respond

    from bot.app import build
    from bot.slack.commands import dispatch
    from bot.slack.intents import parse
    from bot.slack.invocation import Invocation

    built = build(settings, workers=1)
    parent = os.getppid()

    def consume() -> None:
        while os.getppid() == parent:
            item = built.redis.brpop([QUEUE], timeout=1)
            if item is None:
                continue
            command = json.loads(item[1])
            respond = Respond(response_url=command["response_url"])
            dispatch.run(parse(command["text"]), Invocation.from_command(command), built.services, respond)

    workers = [
        threading.Thread(target=consume, name=f"queue-worker-{i}", daemon=True) for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


class _Variant(_Gunicorn):  # type: ignore[misc]
    """`bot.server`'s gunicorn application serving another WSGI app."""

    def __init__(self, settings: Settings, options: ServeOptions, loader: Callable[[Settings], Any]) -> None:
        self._loader = loader
        super().__init__(settings, options)

    def load(self) -> Any:
        return self._loader(self._settings)


def main(argv: list[str] | None = None) -> int:
    defaults = ServeOptions()
    parser = argparse.ArgumentParser(prog="python -m bench.variants")
    parser.add_argument(
        "target",
        choices=["igbot", "igbot-proposed", "igbot-queued", "queue-worker", "bolt", "bolt-flask", "raw"],
    )
    parser.add_argument("--nice", type=int, default=10, help="niceness of the igbot-queued worker process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", defaults.workers))
    )
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--worker-class", default=defaults.worker_class)
    parser.add_argument("--after-ack-threads", type=int, default=None)
    parser.add_argument("--switch-interval-ms", type=float, default=None, help="sys.setswitchinterval")
    args = parser.parse_args(argv)
    if args.switch_interval_ms is not None:
        sys.setswitchinterval(args.switch_interval_ms / 1000)  # inherited by the forked workers
    settings = Settings.from_env(os.environ)
    logs.configure()
    if args.target == "queue-worker":
        os.nice(args.nice)
        run_queue_worker(settings, args.after_ack_threads or 16)
        return 0
    if args.target == "igbot-queued":  # its worker process, in this process group (stopped with it)
        subprocess.Popen(
            [sys.executable, "-m", "bench.variants", "queue-worker", "--nice", str(args.nice),
             "--after-ack-threads", str(args.after_ack_threads or 16)],
        )  # fmt: skip
    options = dataclasses.replace(
        defaults, host=args.host, workers=args.workers, threads=args.threads, worker_class=args.worker_class
    )
    loaders: dict[str, Callable[[Settings], Any]] = {
        "igbot": lambda s: igbot_wsgi(s, args.after_ack_threads),
        "igbot-proposed": lambda s: igbot_proposed_wsgi(s, args.after_ack_threads),
        "igbot-queued": lambda s: igbot_queued_wsgi(s, args.after_ack_threads),
        "bolt": bolt_wsgi,
        "bolt-flask": bolt_flask_wsgi,
        "raw": lambda s: raw_app,
    }
    _Variant(settings, options, loaders[args.target]).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
