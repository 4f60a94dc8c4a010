"""``igbot sandbox instagram``: run the sandbox alone until Ctrl-C.

``--api both`` (the default) serves the legacy v1 API and the graph mode at once: their paths never
overlap (``/v1``, ``/oauth`` vs ``/graph/v25.0``, ``/facebook/v25.0/dialog/oauth``).  ``--api v1`` or
``--api graph`` serves only one of them.  The listening URL is the one line on stdout; where each API
lives goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import threading

from igbot_sandboxes.instagram.sandbox import InstagramSandbox
from igbot_sandboxes.instagram.state import APIS
from igbot_sandboxes.instagram.tiles import tile_url_template


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="igbot sandbox instagram",
        description="Sandbox Instagram: legacy API v1 and/or the Graph API with Facebook Login.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="TCP port, 0 for any free one (default 8700)")
    parser.add_argument(
        "--rate-limit", type=int, default=5000, metavar="N", help="requests per hour per token"
    )
    parser.add_argument(
        "--graph-rate-limit",
        type=int,
        default=4800,
        metavar="N",
        help="graph calls per hour per Instagram account (default 4800)",
    )
    parser.add_argument(
        "--api", choices=APIS, default="both", help="which API to serve (default both: paths never overlap)"
    )
    parser.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    parser.add_argument("--client-id", default="sandbox-client-id")
    parser.add_argument("--client-secret", default="sandbox-client-secret")
    return parser


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set); prints the listening URL on one line."""
    args = build_parser().parse_args(argv)
    if args.rate_limit <= 0 or args.graph_rate_limit <= 0:
        print("--rate-limit and --graph-rate-limit must be positive")
        return 2
    sandbox = InstagramSandbox(
        client_id=args.client_id,
        client_secret=args.client_secret,
        rate_limit_per_hour=args.rate_limit,
        seed=args.seed,
        graph_rate_limit_per_hour=args.graph_rate_limit,
        api=args.api,
    )
    try:
        server = sandbox.start(host=args.host, port=args.port)
    except (OSError, SystemExit) as exc:  # werkzeug's make_server exits on a busy port
        reason = exc.strerror if isinstance(exc, OSError) else "address in use or not available"
        print(f"sandbox instagram: cannot listen on {args.host}:{args.port}: {reason}")
        return 1
    print(f"sandbox instagram listening on {server.url}", flush=True)
    for line in where(server.url, args.api):
        print(line, file=sys.stderr, flush=True)
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()  # its server and the push delivery threads
    return 0


def where(url: str, api: str) -> list[str]:
    """Human-readable lines saying where each served API lives."""
    lines = []
    if api in ("both", "v1"):
        lines.append(
            f"  v1:    API {url}/v1, authorize {url}/oauth/authorize, token {url}/oauth/access_token"
        )
    if api in ("both", "graph"):
        lines.append(
            f"  graph: API {url}/graph/v25.0, dialog {url}/facebook/v25.0/dialog/oauth, "
            f"token {url}/graph/v25.0/oauth/access_token"
        )
    lines.append(f"  tiles: {tile_url_template(url)}")
    lines.append(f"  controls: {url}/__sandbox__/")
    return lines
