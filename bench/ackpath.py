"""CPU of the ack path alone, without HTTP server, load generator or other processes in the way.

`python -m bench.ackpath [--requests 2000] [--repeats 3]` (about 1 minute)

Each app (igbot as `bot.app.build` makes it, the recommended `/ig` registration, bare Bolt on its
WSGI adapter, bare Bolt behind Flask) is built in this process against the bench's Redis and
sandboxes, and called directly as a WSGI app with pre-signed `/ig help` and `/ig follow` requests,
one after the other. Printed: CPU milliseconds of the calling thread per request (`time.thread_time`),
i.e. what one acknowledgement costs before it is sent; work handed to other threads (Bolt's lazy
listeners, igbot's after-ack executor) is not included. The median of ``--repeats`` batches.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.load import Signed, sign_pool
from bench.procs import ROOT, managed
from bench.stack import CHANNEL, SIGNING_SECRET, TEAM, start_world


def _environ(request: Signed) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:3000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(request.body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": request.timestamp,
        "HTTP_X_SLACK_SIGNATURE": request.signature,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _call(app: Callable[..., Any], request: Signed) -> None:
    status: list[str] = []
    body = b"".join(app(_environ(request), lambda s, h, e=None: status.append(s)))
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{status} {body[:200]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ackpath")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from bench.variants import bolt_flask_wsgi, bolt_wsgi, igbot_proposed_wsgi
    from bot import logs
    from bot.app import build
    from bot.settings import Settings

    with managed(ROOT / "bench" / "results" / "ackpath-logs") as procs:
        world = start_world(procs)
        users = world.link_users(20)
        env = world.env(3000)
        os.environ.update(env)
        settings = Settings.from_env(env)
        logs.configure()
        apps: dict[str, Any] = {
            "igbot": build(settings).wsgi,
            "igbot-proposed": igbot_proposed_wsgi(settings, None),
            "bolt": bolt_wsgi(settings),
            "bolt-flask": bolt_flask_wsgi(settings),
        }
        print("CPU ms per ack in the request thread (median of batches)")
        for text in ("help", "follow dan_the_man"):
            for name, app in apps.items():
                batches = []
                for _ in range(args.repeats + 1):  # the first batch warms up
                    pool = sign_pool(
                        SIGNING_SECRET, [text], users, team_id=TEAM, channel_id=CHANNEL,
                        response_base=world.collector_url, size=args.requests,
                    )  # fmt: skip
                    started = time.thread_time()
                    for request in pool:
                        _call(app, request)
                    batches.append((time.thread_time() - started) / len(pool) * 1000)
                    time.sleep(1.0)  # let after-ack work of follow finish outside the measurement
                print(f"  /ig {text:<20} {name:<15} {statistics.median(batches[1:]):.3f} ms", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
