"""The `igbot` command (also `python -m bot`): serve, worker, dev, and the sandboxes."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from bot import logs
from bot.instagram.registry import BACKENDS, DEFAULT, load_settings, spoken
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.worker.tier import Tier

# The local stand-ins of Instagram and Slack: a separate distribution (sandboxes/ in the repository) that
# `make dev` / `make test` install and a production install never has. Only `dev` and `sandbox` need it.
STAND_INS = "igbot_sandboxes"
NO_STAND_INS = (
    "the local stand-ins of Instagram and Slack are not installed here (a production install has none); "
    "run `make dev` from a clone of the igbot repository"
)


def _settings_or_exit() -> Settings:
    try:
        return load_settings(os.environ)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"igbot: {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    settings = _settings_or_exit()  # first: gunicorn reads WEB_CONCURRENCY when it is imported
    if args.socket_mode and not settings.slack_app_token:
        print(
            "igbot: SLACK_APP_TOKEN is not set (Socket Mode needs the app-level xapp- token)", file=sys.stderr
        )
        raise SystemExit(2)
    os.environ.pop("WEB_CONCURRENCY", None)  # validated above; passed on as --workers
    from bot.serve import ServeOptions, serve

    logs.configure()
    options = ServeOptions(
        host=args.host,
        workers=args.workers or settings.web_concurrency or 2,
        threads=args.threads,
        web_only=args.web_only,
        worker_processes=args.worker_processes,
        worker_threads=args.worker_threads,
        socket_mode=args.socket_mode,
    )
    serve(settings, options)
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = _settings_or_exit()
    if args.check:
        from bot.worker.process import check_alive

        return check_alive(settings)
    logs.configure(getattr(logging, args.log_level))
    options = {"threads": args.threads, "grace": args.grace, "nice": args.nice,
               "instagram_timeout": args.instagram_timeout}  # fmt: skip
    if args.supervised_by is None:  # `igbot worker` as people run it: a parent that keeps a consumer running
        from bot.worker.supervisor import supervise_worker

        return supervise_worker(settings, **options, log_level=args.log_level)
    from bot.app import build_worker, instagram_backend
    from bot.worker.process import run_worker

    def build(instagram_timeout: float) -> Tier:
        return build_worker(
            settings, instagram=instagram_backend(settings, timeout=(3.05, instagram_timeout))
        )

    return run_worker(settings, build, **options, parent=args.supervised_by)


def _stand_ins_missing(command: str) -> bool:
    """Whether the stand-ins cannot be imported; if so, says so in one line on stderr."""
    try:
        importlib.import_module(STAND_INS)
    except ModuleNotFoundError as exc:
        if exc.name != STAND_INS:  # the stand-ins are there but broken: a bug, not an install choice
            raise
        print(f"{command}: {NO_STAND_INS}", file=sys.stderr)
        return True
    return False


def _dev(args: argparse.Namespace) -> int:
    if _stand_ins_missing("igbot dev"):
        return 2
    from bot.dev import DevApiError, dev_api, run_dev

    try:
        api = dev_api(args.api, os.environ)
    except DevApiError as exc:
        print(f"igbot dev: {exc}", file=sys.stderr)
        return 2
    logs.configure()
    return run_dev(port=args.port, host=args.host, api=api)


def _sandbox(args: argparse.Namespace, rest: list[str]) -> int:
    if _stand_ins_missing("igbot sandbox"):
        return 2
    if args.which == "instagram":
        from igbot_sandboxes.instagram.cli import main as instagram_main

        return instagram_main(rest)
    from igbot_sandboxes.slack.cli import main as slack_main

    return slack_main(rest)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 1024:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 1024, not {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to 3600, not {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser of `igbot`."""
    root = argparse.ArgumentParser(prog="igbot", description="Use Instagram from Slack.")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve", help="run igbot: the web tier (gunicorn) and the worker tier; settings from the environment"
    )
    serve.add_argument(
        "--host", default="0.0.0.0", help="interface to bind (default 0.0.0.0); the port is PORT"
    )
    serve.add_argument(
        "--workers", type=_positive, default=None, help="web processes (default WEB_CONCURRENCY or 2)"
    )
    serve.add_argument("--threads", type=_positive, default=8, help="threads per web process (default 8)")
    serve.add_argument(
        "--web-only", action="store_true", help="no worker tier here (run `igbot worker` elsewhere)"
    )
    serve.add_argument("--worker-processes", type=_positive, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--socket-mode",
        action="store_true",
        help="receive Slack's requests over Socket Mode (SLACK_APP_TOKEN) instead of POST /slack/events",
    )
    serve.add_argument(
        "--worker-threads", type=_positive, default=16, help="threads per worker process (default 16)"
    )
    worker = sub.add_parser(
        "worker", help="run one worker of the worker tier (needs REDIS_URL); it restarts its job process"
    )
    worker.add_argument("--threads", type=_positive, default=16, help="job threads (default 16)")
    worker.add_argument(
        "--grace", type=_seconds, default=20.0, help="seconds running jobs get on SIGTERM (default 20)"
    )
    worker.add_argument("--nice", type=int, default=0, choices=range(0, 20), metavar="0-19",
                        help="lower this process's CPU priority by this much (default 0)")  # fmt: skip
    worker.add_argument("--instagram-timeout", type=_seconds, default=10.0,
                        help="seconds to wait for an Instagram answer (default 10)")  # fmt: skip
    worker.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    worker.add_argument(
        "--check", action="store_true", help="exit 0 if a worker on this host is alive, else 1 (liveness)"
    )
    # Internal: run the job consumer itself, as the child of process PID (`bot.worker.supervisor`).
    worker.add_argument("--supervised-by", type=int, default=None, metavar="PID", help=argparse.SUPPRESS)
    dev = sub.add_parser("dev", help="run the whole stack on loopback (Redis, sandboxes, bot, workers)")
    dev.add_argument("--port", type=int, default=3000, help="the bot's port; the console prints its own")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument(
        "--api",
        default=None,
        metavar="|".join(BACKENDS),
        help="the Instagram API the bot uses against the sandbox: "
        f"{spoken(f'{entry.name} ({entry.summary})' for entry in BACKENDS.values())}; "
        f"default INSTAGRAM_API or {DEFAULT}. Each keeps its own links",
    )
    sandbox = sub.add_parser("sandbox", help="run one stand-in alone", add_help=False)
    sandbox.add_argument("which", choices=["instagram", "slack"])
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `igbot` console script."""
    load_dotenv(override=False)
    args, rest = parser().parse_known_args(argv)
    if args.command == "sandbox":
        return _sandbox(args, rest)
    if rest:
        parser().error(f"unrecognized arguments: {' '.join(rest)}")
    commands = {"serve": _serve, "worker": _worker, "dev": _dev}
    return commands[args.command](args)
