"""Open-loop load: `python -m bench.openloop --port N --pool FILE --rate R --seconds S --out FILE`.

Unlike wrk (closed loop: a new request only when an answer came back), request ``i`` of the pool is
due at ``start + i / rate`` whatever happened before, so a slow server meets the same offered load
and its queueing shows in the latency (no coordinated omission). Each request takes an idle
keep-alive connection, or opens a new one (up to ``--connections``; past that it waits for one, and
that wait counts in its latency). Latency is measured from the moment the request was *due*.

Writes ``--out`` as JSON: ``{"start": t0, "rows": [[i, due, answered, status, kind], ...]}`` with
times from ``time.monotonic()`` (the clock the collector stamps replies with) and ``kind`` one of
``ok``, ``busy``, ``down``, ``error``. One asyncio loop in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.load import BUSY_MARKER, STORAGE_DOWN_MARKER
from bench.pyload import _requests


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer


async def _exchange(conn: _Conn, request: bytes, timeout: float) -> tuple[int, bytes, bool]:
    conn.writer.write(request)
    head = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), timeout)
    status = int(head.split(b" ", 2)[1])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
            close = True
    body = await asyncio.wait_for(conn.reader.readexactly(length), timeout) if length else b""
    return status, body, close


async def _run(port: int, reqs: list[bytes], rate: float, seconds: float, limit: int, timeout: float) -> dict:
    idle: asyncio.Queue[_Conn] = asyncio.Queue()
    opened = 0
    rows: list[list[object]] = []
    tasks: set[asyncio.Task[None]] = set()
    slots = asyncio.Semaphore(limit)

    async def one(i: int, due: float) -> None:
        nonlocal opened
        async with slots:
            try:
                conn = idle.get_nowait()
            except asyncio.QueueEmpty:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                conn = _Conn(reader, writer)
                opened += 1
            try:
                status, body, close = await _exchange(conn, reqs[i], timeout)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                rows.append([i, due, time.monotonic(), 0, "error"])
                conn.writer.close()
                return
            answered = time.monotonic()
            kind = "ok"
            if status != 200:
                kind = "error"
            elif BUSY_MARKER.encode() in body:
                kind = "busy"
            elif STORAGE_DOWN_MARKER.encode() in body:
                kind = "down"
            rows.append([i, due, answered, status, kind])
            if close:
                conn.writer.close()
            else:
                idle.put_nowait(conn)

    count = min(len(reqs), int(rate * seconds))
    start = time.monotonic() + 0.05
    for i in range(count):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    while not idle.empty():
        idle.get_nowait().writer.close()
    return {"start": start, "rate": rate, "connections_opened": opened, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.openloop")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=64, help="most connections open at once")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.pool) as f:
        pool = json.load(f)
    result = asyncio.run(
        _run(args.port, _requests(pool, args.port), args.rate, args.seconds, args.connections, args.timeout)
    )
    with open(args.out, "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
