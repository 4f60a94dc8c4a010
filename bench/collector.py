"""A cheap stand-in for Slack's response URLs during load runs: `python -m bench.collector --port N`.

The Slack stand-in (`sandboxes/igbot_sandboxes/slack`) validates every Block Kit message in Python and takes 5
posts per URL; under load that would spend the machine's 2 cores on the harness. This collector
answers ``POST /respond/<anything>`` with ``{"ok":true}`` from one asyncio loop, counts the replies
and keeps, per reply kind (first words of its ``text``), a count, so a run can check that the work
after the ack really succeeded. ``GET /stats`` returns the counts as JSON; ``POST /reset`` clears them.
``GET /arrivals`` returns, per response URL (the part after ``/respond/``), the moments its posts
arrived (``time.monotonic()``, a clock every process on the machine shares on Linux): the worker-tier
bench computes reply latencies and checks that each command was answered exactly once from them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from collections import Counter, defaultdict

OK = b'{"ok":true}'
_stats: Counter[str] = Counter()
_kinds: Counter[str] = Counter()
_arrivals: defaultdict[str, list[float]] = defaultdict(list)


_MENTION = re.compile(r"<[@#!][^>]*>")


def _kind(body: bytes) -> str:
    """The first words of a reply's text, with mentions and numbers masked: one kind per message type."""
    try:
        text = str(json.loads(body).get("text", ""))
    except (ValueError, AttributeError):
        return "unparsable"
    text = re.sub(r"\d+", "N", _MENTION.sub("<@>", text))
    return " ".join(text.split()[:5])[:60]


def _answer(status: str, body: bytes, close: bool) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    return head.encode() + body


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            close = headers.get("connection", "").lower() == "close"
            if method == "POST" and path.startswith("/respond/"):
                _arrivals[path[len("/respond/") :]].append(time.monotonic())
                _stats["replies"] += 1
                _stats["bytes"] += len(body)
                _kinds[_kind(body)] += 1
                out = _answer("200 OK", OK, close)
            elif method == "GET" and path == "/stats":
                out = _answer("200 OK", json.dumps({**_stats, "kinds": dict(_kinds)}).encode(), close)
            elif method == "GET" and path == "/arrivals":
                out = _answer("200 OK", json.dumps(_arrivals).encode(), close)
            elif method == "POST" and path == "/reset":
                _stats.clear()
                _kinds.clear()
                _arrivals.clear()
                out = _answer("200 OK", OK, close)
            else:
                out = _answer("404 Not Found", b'{"ok":false,"error":"no_service"}', close)
            writer.write(out)
            await writer.drain()
            if close:
                return
    finally:
        writer.close()


async def _main(host: str, port: int) -> None:
    server = await asyncio.start_server(_serve, host, port, backlog=1024)
    print(f"collector listening on http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.collector")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
