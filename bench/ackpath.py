"""CPU of the ack path alone, without HTTP server, load generator or other processes in the way.

`python -m bench.ackpath [--requests 2000] [--repeats 3]` (about 1 minute)

Each app (igbot's web tier as `bot.app.build` makes it, bare Bolt on its WSGI adapter, bare Bolt
behind Flask) is built in this process against the bench's Redis and sandboxes, and called directly
as a WSGI app with pre-signed `/ig help`, `/ig popular 5`, `/ig follow` and `/ig me` requests, one
after the other. No worker runs: igbot's enqueued jobs are deleted between chunks of 250 requests
(outside the timed part), so the queue never reaches the busy limit and every ack is a real
enqueue. Printed: CPU milliseconds of the calling thread per request (`time.thread_time`), i.e. what
one acknowledgement costs before it is sent. Also: the Dramatiq ``send`` of one job alone (igbot's
actor, as the ack path calls it) and a bare ``LPUSH`` of the same payload, for the enqueue's share.
The median of ``--repeats`` batches.
"""

from __future__ import annotations

import argparse
import io
import json
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


CHUNK = 250
COMMANDS = ("help", "popular 5", "follow dan_the_man", "me")


def _clear_queue(client: Any) -> None:
    from bot.jobs.broker import queue_key

    client.delete(queue_key("interactive"), queue_key("interactive") + ".msgs")


def _timed_batch(work: list[Callable[[], None]], between: Callable[[], None]) -> float:
    """CPU ms of this thread per item of ``work``, ``between`` called (untimed) every CHUNK items."""
    spent = 0.0
    for start in range(0, len(work), CHUNK):
        between()
        started = time.thread_time()
        for item in work[start : start + CHUNK]:
            item()
        spent += time.thread_time() - started
    between()
    return spent / len(work) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ackpath")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from bench.variants import bolt_flask_wsgi, bolt_wsgi
    from bot import logs
    from bot.app import build
    from bot.jobs.broker import queue_key
    from bot.settings import Settings
    from bot.slack.invocation import Invocation

    with managed(ROOT / "bench" / "results" / "ackpath-logs") as procs:
        world = start_world(procs)
        users = world.link_users(20)
        env = world.env(3000)
        os.environ.update(env)
        settings = Settings.from_env(env)
        logs.configure()
        igbot = build(settings)
        client = igbot.tier.redis
        apps: dict[str, Any] = {
            "igbot": igbot.wsgi,
            "bolt": bolt_wsgi(settings),
            "bolt-flask": bolt_flask_wsgi(settings),
        }
        print("CPU ms per ack in the request thread (median of batches)")
        for text in COMMANDS:
            for name, app in apps.items():
                batches = []
                for _ in range(args.repeats + 1):  # the first batch warms up
                    pool = sign_pool(
                        SIGNING_SECRET, [text], users, team_id=TEAM, channel_id=CHANNEL,
                        response_base=world.collector_url, size=args.requests,
                    )  # fmt: skip
                    work = [lambda r=request, a=app: _call(a, r) for request in pool]
                    batches.append(_timed_batch(work, lambda: _clear_queue(client)))
                print(f"  /ig {text:<20} {name:<15} {statistics.median(batches[1:]):.3f} ms", flush=True)
        # the enqueue alone: igbot's actor (as the ack path sends it) vs a bare LPUSH of the payload
        payload = Invocation(
            team_id=TEAM, user_id=users[0], user_name="bench", channel_id=CHANNEL,
            response_url=f"{world.collector_url}/respond/0", text="popular 5",
        ).payload()  # fmt: skip
        sends: dict[str, Callable[[], Any]] = {
            "Dramatiq send (igbot's actor)": lambda: igbot.tier.actors.run_command.send(payload),
            "LPUSH of the same payload": lambda: client.lpush(queue_key("bench-lpush"), json.dumps(payload)),
        }
        for label, send in sends.items():
            batches = []
            for _ in range(args.repeats + 1):
                work = [send] * args.requests
                batches.append(
                    _timed_batch(
                        work, lambda: (_clear_queue(client), client.delete(queue_key("bench-lpush")))
                    )
                )
            print(f"  {label:<44} {statistics.median(batches[1:]):.3f} ms", flush=True)
        igbot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
