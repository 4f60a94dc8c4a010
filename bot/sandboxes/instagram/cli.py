"""``igbot sandbox instagram``: run the sandbox alone until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from bot.sandboxes.instagram.sandbox import InstagramSandbox


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="igbot sandbox instagram", description="Sandbox Instagram API v1.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="TCP port, 0 for any free one (default 8700)")
    parser.add_argument(
        "--rate-limit", type=int, default=5000, metavar="N", help="requests per hour per token"
    )
    parser.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    parser.add_argument("--client-id", default="sandbox-client-id")
    parser.add_argument("--client-secret", default="sandbox-client-secret")
    return parser


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set); prints the listening URL on one line."""
    args = build_parser().parse_args(argv)
    if args.rate_limit <= 0:
        print("--rate-limit must be positive")
        return 2
    sandbox = InstagramSandbox(
        client_id=args.client_id,
        client_secret=args.client_secret,
        rate_limit_per_hour=args.rate_limit,
        seed=args.seed,
    )
    try:
        server = sandbox.start(host=args.host, port=args.port)
    except (OSError, SystemExit) as exc:  # werkzeug's make_server exits on a busy port
        reason = exc.strerror if isinstance(exc, OSError) else "address in use or not available"
        print(f"sandbox instagram: cannot listen on {args.host}:{args.port}: {reason}")
        return 1
    print(f"sandbox instagram listening on {server.url}", flush=True)
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
