"""A Python load generator for machines without wrk: `python -m bench.pyload --port N --pool FILE ...`.

Same protocol as bench/load.py's wrk script: ``--connections`` keep-alive HTTP/1.1 connections, each
sending the next pre-signed request of the pool as soon as the previous answer arrived, for
``--seconds``. Prints one ``BENCH_RESULT {json}`` line in wrk's units (microseconds). One asyncio loop
in its own process; it costs several times more CPU per request than wrk, which the report notes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.load import BUSY_MARKER, EVENTS_PATH, STORAGE_DOWN_MARKER


def _requests(pool: list[list[str]], port: int) -> list[bytes]:
    out = []
    for body, timestamp, sig in pool:
        data = body.encode("ascii")
        head = (
            f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: {sig}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        out.append(head.encode("ascii") + data)
    return out


async def _connection(
    port: int, reqs: list[bytes], start: int, until: float, timeout: float, out: dict[str, list[float] | int]
) -> None:
    latencies: list[float] = out["lat"]  # type: ignore[assignment]
    i = start
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            i = (i + 1) % len(reqs)
            sent = time.perf_counter()
            writer.write(reqs[i])
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
                status = int(head.split(b" ", 2)[1])
                length = 0
                close = False
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                    elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await reader.readexactly(length) if length else b""
            except TimeoutError:
                out["timeout"] += 1  # type: ignore[operator]
                return
            except (asyncio.IncompleteReadError, ConnectionError):
                out["read"] += 1  # type: ignore[operator]
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - sent)
            if len(body) > 2:
                if BUSY_MARKER.encode() in body:
                    out["busy"] += 1  # type: ignore[operator]
                elif STORAGE_DOWN_MARKER.encode() in body:
                    out["down"] += 1  # type: ignore[operator]
            if not 200 <= status < 400:
                out["status"] += 1  # type: ignore[operator]
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _run(port: int, reqs: list[bytes], connections: int, seconds: float, timeout: float) -> None:
    out: dict[str, list[float] | int] = {
        "lat": [], "timeout": 0, "read": 0, "status": 0, "busy": 0, "down": 0
    }  # fmt: skip
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_connection(port, reqs, k * 997, until, timeout, out) for k in range(connections)))
    elapsed = time.perf_counter() - started
    lat = sorted(out["lat"])  # type: ignore[type-var]

    def pct(p: float) -> int:
        return int(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e6) if lat else 0

    result = {
        "requests": len(lat),
        "duration_us": int(elapsed * 1e6),
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": int(lat[-1] * 1e6) if lat else 0,
        "connect": 0,
        "read": out["read"],
        "write": 0,
        "status": out["status"],
        "timeout": out["timeout"],
        "busy": out["busy"],
        "down": out["down"],
    }
    print("BENCH_RESULT " + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pyload")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    with open(args.pool) as f:
        pool = json.load(f)
    asyncio.run(_run(args.port, _requests(pool, args.port), args.connections, args.seconds, args.timeout))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
