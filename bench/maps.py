"""Time and size of one `/ig map` PNG (bot.maps.render_map), with cold and with cached tiles.

`python -m bench.maps [--renders 7] [--latency-ms 25]` (about 15 seconds)

A tile server runs in this process on loopback (``http.server``, one thread per connection): it answers
``GET /tiles/{z}/{x}/{y}.png`` with a 256 px PNG drawn once per tile and kept (streets, blocks and
water in OSM-like colours, so the map's PNG compresses like a real one), after ``--latency-ms`` of
sleep standing in for the network and the tile CDN. For 1, 10 and 40 pins (seeded, scattered over a
city), ``render_map`` at 800x500 is timed ``--renders`` times with a fresh ``MemoryTileCache`` per
render (``cold``: every tile fetched, on igbot's 4-connection pool) and ``--renders`` times on one
warm cache (``cached``: no request at all; drawing and PNG encoding only). Printed per pin count:
the tiles per map, median milliseconds for both, their ratio (cold / cached, both measured in this
run) and the PNG's bytes.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

from bot.maps import OSM_ATTRIBUTION, MemoryTileCache, Pin, TileFetcher, render_map

USER_AGENT = "igbot-bench/0 (+https://github.com/igbot/igbot)"
CITY = (40.7484, -73.9857)  # midtown Manhattan
PIN_COUNTS = (1, 10, 40)


def _tile(z: int, x: int, y: int) -> bytes:
    """A tile with an OSM-ish texture: land, blocks, a few streets, sometimes water."""
    rng = random.Random(hash((z, x, y)))
    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(10, 30)):
        left, top = rng.randrange(256), rng.randrange(256)
        draw.rectangle(
            [left, top, left + rng.randrange(8, 40), top + rng.randrange(8, 40)], fill=(217, 208, 201)
        )
    for _ in range(rng.randrange(6, 14)):
        points = [(rng.randrange(256), rng.randrange(256)) for _ in range(2)]
        draw.line(points, fill=(255, 255, 255), width=rng.choice((3, 5, 7)))
    if rng.random() < 0.3:
        draw.ellipse([rng.randrange(-100, 200), rng.randrange(-100, 200), 300, 300], fill=(170, 211, 223))
    out = io.BytesIO()
    image.quantize(64).save(out, "PNG")
    return out.getvalue()


@contextmanager
def tile_server(latency: float) -> Iterator[str]:
    """A loopback tile server; yields its URL template."""
    tiles: dict[tuple[int, int, int], bytes] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body, written apart, wait out a delayed ACK

        def do_GET(self) -> None:
            parts = self.path.removesuffix(".png").split("/")
            z, x, y = (int(p) for p in parts[2:5])
            with lock:
                body = tiles.get((z, x, y)) or tiles.setdefault((z, x, y), _tile(z, x, y))
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


def pins(count: int, seed: int = 15) -> list[Pin]:
    """``count`` pins scattered over a few kilometres of the city (one pin: the city itself)."""
    rng = random.Random(seed)
    if count == 1:
        return [Pin(1, *CITY)]
    return [
        Pin(n, CITY[0] + rng.uniform(-0.03, 0.03), CITY[1] + rng.uniform(-0.04, 0.04))
        for n in range(1, count + 1)
    ]


def _timed(fetcher: TileFetcher, map_pins: list[Pin]) -> tuple[float, int, int, int]:
    started = time.perf_counter()
    rendered = render_map(map_pins, fetcher, attribution=OSM_ATTRIBUTION)
    elapsed = (time.perf_counter() - started) * 1000
    if rendered.missing_tiles:
        raise RuntimeError(f"{rendered.missing_tiles} tiles missing")
    return elapsed, len(rendered.png), rendered.tiles, rendered.zoom


def main() -> None:
    """Run the bench and print one line per pin count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=7, help="renders per case (median reported)")
    parser.add_argument("--latency-ms", type=float, default=25.0, help="tile server delay per tile")
    args = parser.parse_args()

    with tile_server(args.latency_ms / 1000) as template:

        def fetcher(cache: MemoryTileCache) -> TileFetcher:
            return TileFetcher(template, user_agent=USER_AGENT, cache=cache)

        # Warm-up: imports, fonts, the server's tile drawing (so cold times are the fetch, not _tile).
        for count in PIN_COUNTS:
            _timed(fetcher(MemoryTileCache()), pins(count))

        print(f"render_map 800x500, tile latency {args.latency_ms:g} ms, median of {args.renders} renders")
        header = ("pins", 4), ("zoom", 4), ("tiles", 5), ("cold ms", 8), ("cached ms", 9), ("cold/cached", 11)
        print(" ".join(f"{name:>{width}}" for name, width in (*header, ("PNG bytes", 9))))
        for count in PIN_COUNTS:
            map_pins = pins(count)
            cold = [_timed(fetcher(MemoryTileCache()), map_pins) for _ in range(args.renders)]
            warm_fetcher = fetcher(MemoryTileCache())
            _timed(warm_fetcher, map_pins)
            cached = [_timed(warm_fetcher, map_pins) for _ in range(args.renders)]
            if warm_fetcher.stats.requests != cold[0][2]:
                raise RuntimeError("cached renders fetched tiles")
            cold_ms = statistics.median(c[0] for c in cold)
            cached_ms = statistics.median(c[0] for c in cached)
            _, size, tiles, zoom = cached[0]
            print(
                f"{count:>4} {zoom:>4} {tiles:>5} {cold_ms:>8.1f} {cached_ms:>9.1f} "
                f"{cold_ms / cached_ms:>10.1f}x {size:>9}"
            )


if __name__ == "__main__":
    main()
