"""`igbot sandbox slack`: serve the Slack stand-in alone until interrupted."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from igbot_sandboxes.slack.sandbox import DEFAULT_BOT_TOKEN, DEFAULT_SIGNING_SECRET
from igbot_sandboxes.slack.server import SlackSandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="igbot sandbox slack", description="Serve the local Slack stand-in."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8800, help="port, 0 for any free one (default: %(default)s)"
    )
    parser.add_argument(
        "--bot-url", default=None, help="the bot's Request URL, e.g. http://127.0.0.1:3000/slack/events"
    )
    parser.add_argument(
        "--signing-secret",
        default=os.environ.get("SLACK_SIGNING_SECRET") or DEFAULT_SIGNING_SECRET,
        help="signing secret shared with the bot (default: $SLACK_SIGNING_SECRET or the sandbox's own)",
    )
    parser.add_argument(
        "--bot-token",
        default=os.environ.get("SLACK_BOT_TOKEN") or DEFAULT_BOT_TOKEN,
        help="xoxb- token the Web API accepts (default: $SLACK_BOT_TOKEN or the sandbox's own)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve the stand-in until Ctrl-C (or SIGTERM); returns the exit status."""
    args = _parser().parse_args(argv)
    sandbox = SlackSandbox(signing_secret=args.signing_secret, bot_token=args.bot_token, bot_url=args.bot_url)
    try:
        server = sandbox.start(host=args.host, port=args.port)
    except OSError as err:
        print(f"sandbox slack: cannot listen on {args.host}:{args.port}: {err.strerror or err}")
        return 1
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"sandbox slack listening on {server.url}", flush=True)
    if args.bot_url:
        print(f"  calling the bot at {args.bot_url}; its SLACK_API_URL is {sandbox.api_url}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
