"""The `igbot` command (also `python -m bot`): serve, dev, and the sandboxes."""

from __future__ import annotations

import argparse
import os
import sys

from dotenv import load_dotenv

from bot import logs
from bot.settings import Settings, SettingsError


def _settings_or_exit() -> Settings:
    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"igbot: {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    from bot.server import ServeOptions, serve

    settings = _settings_or_exit()
    logs.configure()
    serve(settings, ServeOptions(host=args.host, workers=args.workers, threads=args.threads))
    return 0


def _dev(args: argparse.Namespace) -> int:
    from bot.dev import run_dev

    logs.configure()
    return run_dev(port=args.port, host=args.host)


def _sandbox(args: argparse.Namespace, rest: list[str]) -> int:
    if args.which == "instagram":
        from bot.sandboxes.instagram.cli import main as instagram_main

        return instagram_main(rest)
    from bot.sandboxes.slack.cli import main as slack_main

    return slack_main(rest)


def parser() -> argparse.ArgumentParser:
    """The argument parser of `igbot`."""
    root = argparse.ArgumentParser(prog="igbot", description="Use Instagram from Slack.")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web process (gunicorn); settings come from the environment")
    serve.add_argument(
        "--host", default="0.0.0.0", help="interface to bind (default 0.0.0.0); the port is PORT"
    )
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    dev = sub.add_parser("dev", help="run the whole stack on loopback (Redis, sandboxes, bot)")
    dev.add_argument("--port", type=int, default=3000, help="the bot's port; the console prints its own")
    dev.add_argument("--host", default="127.0.0.1")
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
    if args.command == "serve":
        return _serve(args)
    return _dev(args)
