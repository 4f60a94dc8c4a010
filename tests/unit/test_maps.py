"""The `/ig map` renderer (bot.maps): projection, framing, markers and clusters, attribution, and the tile
fetcher against a tiny local tile server (PNG tiles made on the fly; switches for 500, garbage, 403
without a User-Agent, and a hang)."""

from __future__ import annotations

import http.client
import io
import math
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import s2sphere
import staticmaps
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bot.maps import (
    CLUSTER_RGB,
    MARKER_RGB,
    MAX_PINS,
    MAX_ZOOM,
    OSM_ATTRIBUTION,
    SINGLE_POINT_ZOOM,
    MemoryTileCache,
    Pin,
    RenderedMap,
    TileCache,
    TileFetcher,
    label,
    project,
    render_map,
    tile_key,
    unproject,
)
from bot.maps.render import FOOTPRINT

UA = "igbot/0.1.0 (+https://github.com/example/igbot)"
LIBRARY_AGENTS = ("python-requests", "python-urllib", "python-urllib3")  # none is a real User-Agent


def tile_rgb(z: int, x: int, y: int) -> tuple[int, int, int]:
    """A test tile's colour: greenish, never the marker red, distinct for neighbouring tiles."""
    return 90 + (x * 37) % 80, 150 + (y * 53) % 80, 100 + z * 5


def tile_png(z: int, x: int, y: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), tile_rgb(z, x, y)).save(out, "PNG")
    return out.getvalue()


class MemorySource:
    """A TileSource without HTTP: every tile present."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, list[tuple[int, int]]]] = []

    def fetch_tiles(self, zoom: int, tiles: object) -> dict[tuple[int, int], bytes | None]:
        wanted = list(tiles)  # type: ignore[call-overload]
        self.calls.append((zoom, wanted))
        return {(x, y): tile_png(zoom, x, y) for x, y in wanted}


class TileServer:
    """``GET /tiles/{z}/{x}/{y}.png`` on 127.0.0.1 and a free port. ``mode``: ``ok``, ``500``,
    ``garbage`` (200 with a non-image body) or ``hang`` (never answers until stopped); requests without
    a User-Agent, or with an HTTP library's default one, get 403 as the sandbox's do."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str, str | None]] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                agent = self.headers.get("User-Agent")
                outer.requests.append((self.path, agent))
                if not agent or agent.lower().startswith(LIBRARY_AGENTS):
                    return self._send(403, b"need a real User-Agent", "text/plain")
                parts = self.path.removesuffix(".png").split("/")
                if len(parts) != 5 or parts[1] != "tiles":
                    return self._send(404, b"no", "text/plain")
                if outer.mode == "hang":
                    outer.release.wait(30)
                    return
                if outer.mode == "500":
                    return self._send(500, b"boom", "text/plain")
                if outer.mode == "garbage":
                    return self._send(200, b"<html>rate limited</html>", "image/png")
                z, x, y = (int(p) for p in parts[2:])
                self._send(200, tile_png(z, x, y), "image/png")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.template = f"http://127.0.0.1:{self.server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def tile_requests(self) -> int:
        return sum(1 for path, _ in self.requests if path.startswith("/tiles/"))


@pytest.fixture
def server() -> Iterator[TileServer]:
    srv = TileServer()
    yield srv
    srv.stop()


def make_fetcher(server: TileServer, cache: TileCache | None = None, **kwargs: Any) -> TileFetcher:
    store = MemoryTileCache() if cache is None else cache
    return TileFetcher(server.template, user_agent=UA, cache=store, **kwargs)


def decode(rendered: RenderedMap) -> Image.Image:
    image = Image.open(io.BytesIO(rendered.png))
    assert image.format == "PNG"
    assert image.size == (rendered.width, rendered.height)
    return image.convert("RGB")


PARIS = [
    Pin(1, 48.8584, 2.2945),  # Eiffel Tower
    Pin(2, 48.8606, 2.3376),  # Louvre
    Pin(3, 48.8530, 2.3499),  # Notre-Dame
    Pin(4, 48.8867, 2.3431),  # Sacré-Cœur
    Pin(5, 48.8738, 2.2950),  # Arc de Triomphe
]


# --- projection ---------------------------------------------------------------------------------


def test_project_center_is_the_middle_and_agrees_with_staticmaps() -> None:
    center = (48.86, 2.33)
    assert project(*center, 13, center, 800, 500) == pytest.approx((400.0, 250.0))
    trans = staticmaps.Transformer(800, 500, 13, s2sphere.LatLng.from_degrees(*center), 256)
    for pin in PARIS:
        expected = trans.ll2pixel(s2sphere.LatLng.from_degrees(pin.lat, pin.lng))
        assert project(pin.lat, pin.lng, 13, center, 800, 500) == pytest.approx(expected, abs=1e-6)


def test_project_scales_by_two_per_zoom_and_wraps_at_the_antimeridian() -> None:
    center = (0.0, 0.0)
    x1, _ = project(0.0, 90.0, 1, center, 512, 512)
    x2, _ = project(0.0, 90.0, 2, center, 512, 512)
    assert (x1 - 256, x2 - 256) == pytest.approx((128.0, 256.0))
    # 179°W seen from a map centred on 179°E is 2° east, not 358° west.
    x, _ = project(0.0, -179.0, 8, (0.0, 179.0), 800, 500)
    assert x == pytest.approx(400 + 2 / 360 * 256 * 2**8)


lats = st.floats(-85.05, 85.05, allow_nan=False)
lngs = st.floats(-179.9, 179.9, allow_nan=False)


@given(lat=lats, lng=lngs, zoom=st.integers(0, MAX_ZOOM), clat=lats, clng=lngs)
def test_project_round_trips(lat: float, lng: float, zoom: int, clat: float, clng: float) -> None:
    px, py = project(lat, lng, zoom, (clat, clng), 800, 500)
    back_lat, back_lng = unproject(px, py, zoom, (clat, clng), 800, 500)
    assert back_lat == pytest.approx(lat, abs=1e-7)
    assert (back_lng - lng + 180) % 360 - 180 == pytest.approx(0, abs=1e-7)


@given(
    lat=st.floats(-85.0, 85.0), lng=st.floats(-89.0, 89.0), d=st.floats(1e-4, 1.0), zoom=st.integers(0, 17)
)
def test_project_is_monotonic(lat: float, lng: float, d: float, zoom: int) -> None:
    center = (0.0, 0.0)
    x, y = project(lat, lng, zoom, center, 800, 500)
    east, _ = project(lat, lng + d, zoom, center, 800, 500)
    _, north = project(min(lat + d, 85.05), lng, zoom, center, 800, 500)
    assert east > x
    assert north < y


# --- framing, markers, clusters, attribution ----------------------------------------------------


def marker_pixel_ok(image: Image.Image, x: int, y: int) -> bool:
    return all(image.getpixel((x + dx, y + dy)) == MARKER_RGB for dx in (-2, 0, 2) for dy in (-2, 0, 2))


def test_each_pin_is_drawn_at_its_projected_pixel() -> None:
    rendered = render_map(PARIS, MemorySource(), attribution=OSM_ATTRIBUTION)
    image = decode(rendered)
    by_number = {pin.number: pin for pin in PARIS}
    assert sorted(n for p in rendered.placed for n in p.numbers) == [1, 2, 3, 4, 5]
    assert all(len(p.numbers) == 1 for p in rendered.placed)
    for placed in rendered.placed:
        pin = by_number[placed.numbers[0]]
        px, py = project(pin.lat, pin.lng, rendered.zoom, rendered.center, rendered.width, rendered.height)
        assert (placed.x, placed.y) == (math.floor(px), math.floor(py))
        assert marker_pixel_ok(image, placed.x, placed.y)
    # ...and the marker colour appears nowhere far from a pin (the tiles never use it).
    reds = [
        (x, y) for x in range(0, 800, 3) for y in range(0, 500, 3) if image.getpixel((x, y)) == MARKER_RGB
    ]
    assert reds
    assert all(min(abs(x - p.x) + abs(y - p.y + 20) for p in rendered.placed) < 40 for x, y in reds)


def test_zoom_fits_all_pins_with_margin_and_is_the_highest_that_does() -> None:
    rendered = render_map(PARIS, MemorySource(), attribution=OSM_ATTRIBUTION)
    left, top, right, bottom = FOOTPRINT
    for p in rendered.placed:
        assert left <= p.x <= rendered.width - right
        assert top <= p.y <= rendered.height - bottom
    # One zoom closer the pins alone would need more room than the image has.
    z = rendered.zoom + 1
    xs, ys = zip(*(project(p.lat, p.lng, z, rendered.center, 800, 500) for p in PARIS), strict=True)
    assert max(xs) - min(xs) > 800 - left - right or max(ys) - min(ys) > 500 - top - bottom
    assert rendered.zoom == 13


def test_far_apart_pins_zoom_out_and_a_single_pin_zooms_to_the_default() -> None:
    world = [Pin(1, 51.5, -0.12), Pin(2, -33.87, 151.21), Pin(3, 40.71, -74.0)]
    far = render_map(world, MemorySource(), attribution=OSM_ATTRIBUTION)
    assert far.zoom <= 2
    assert len(far.placed) == 3
    one = render_map([Pin(7, 40.0, -74.0)], MemorySource(), attribution=OSM_ATTRIBUTION)
    assert one.zoom == SINGLE_POINT_ZOOM
    (placed,) = one.placed
    assert placed.numbers == (7,)
    assert marker_pixel_ok(decode(one), placed.x, placed.y)


def test_very_close_pins_are_capped_at_max_zoom() -> None:
    pins = [Pin(1, 48.85800, 2.29450), Pin(2, 48.85812, 2.29470)]  # ~20 m apart
    rendered = render_map(pins, MemorySource(), attribution=OSM_ATTRIBUTION)
    assert rendered.zoom == MAX_ZOOM


def test_identical_coordinates_become_one_cluster() -> None:
    pins = [Pin(5, 35.0, 139.0), Pin(3, 35.0, 139.0)]
    rendered = render_map(pins, MemorySource(), attribution=OSM_ATTRIBUTION)
    assert rendered.zoom == SINGLE_POINT_ZOOM
    (placed,) = rendered.placed
    assert placed.numbers == (3, 5)
    image = decode(rendered)
    assert marker_pixel_ok(image, placed.x, placed.y)
    badge = [image.getpixel((placed.x + dx, placed.y - 14)) for dx in range(-20, 21)]
    assert CLUSTER_RGB in badge


def test_overlapping_pins_cluster_at_their_mean_pixel() -> None:
    pins = [*PARIS, Pin(6, 48.8531, 2.3501), Pin(7, 48.8529, 2.3497)]  # both a few metres from Notre-Dame
    rendered = render_map(pins, MemorySource(), attribution=OSM_ATTRIBUTION)
    clusters = [p for p in rendered.placed if len(p.numbers) > 1]
    assert [c.numbers for c in clusters] == [(3, 6, 7)]
    members = [p for p in pins if p.number in (3, 6, 7)]
    points = [project(p.lat, p.lng, rendered.zoom, rendered.center, 800, 500) for p in members]
    cluster = clusters[0]
    assert cluster.x == math.floor(sum(x for x, _ in points) / 3)
    assert cluster.y == math.floor(sum(y for _, y in points) / 3)
    assert marker_pixel_ok(decode(rendered), cluster.x, cluster.y)


def test_clustering_is_deterministic_and_leaves_no_overlap() -> None:
    rng = random.Random(15)
    pins = [Pin(n, 40.75 + rng.uniform(-0.02, 0.02), -73.98 + rng.uniform(-0.03, 0.03)) for n in range(1, 41)]
    first = render_map(pins, MemorySource(), attribution=OSM_ATTRIBUTION)
    shuffled = pins[:]
    rng.shuffle(shuffled)
    again = render_map(shuffled, MemorySource(), attribution=OSM_ATTRIBUTION)
    assert first.placed == again.placed and first.png == again.png
    assert sorted(n for p in first.placed for n in p.numbers) == list(range(1, 41))
    # Remaining markers are at least a dot apart and never share a badge row closer than a badge.
    for i, a in enumerate(first.placed):
        for b in first.placed[i + 1 :]:
            assert abs(a.x - b.x) >= 12 or abs(a.y - b.y) >= 40


def test_labels() -> None:
    assert label([7]) == "7"
    assert label([3, 5]) == "3, 5"
    assert label([3, 5, 9]) == "3, 5, 9"
    assert label([3, 5, 9, 11, 12]) == "3, 5 +3"


def test_attribution_is_drawn_bottom_right_on_a_light_background() -> None:
    rendered = render_map(PARIS, MemorySource(), attribution=OSM_ATTRIBUTION)
    image = decode(rendered)
    strip = [image.getpixel((x, y)) for x in range(800 - 120, 800) for y in range(500 - 14, 500)]
    dark = [p for p in strip if sum(p) < 250]
    light = [p for p in strip if min(p) > 200]
    assert len(dark) > 30 and len(light) > 100
    # The bottom-left corner is plain tile.
    tile_corner = {image.getpixel((x, 497)) for x in range(0, 60)}
    assert all(min(p) <= 200 for p in tile_corner)


def test_tiles_requested_are_the_ones_that_cover_the_map() -> None:
    source = MemorySource()
    rendered = render_map(PARIS, source, width=800, height=500, attribution=OSM_ATTRIBUTION)
    ((zoom, tiles),) = source.calls
    assert zoom == rendered.zoom and len(tiles) == rendered.tiles and rendered.missing_tiles == 0
    assert 12 <= len(tiles) <= 20
    image = decode(rendered)
    # The top-left pixel shows the tile it lies in.
    lat, lng = unproject(0.5, 0.5, zoom, rendered.center, 800, 500)
    tx = math.floor((lng + 180) / 360 * 2**zoom)
    ty = math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**zoom)
    assert image.getpixel((0, 0)) == tile_rgb(zoom, tx, ty)


@pytest.mark.parametrize(
    ("pins", "kwargs"),
    [
        ([], {}),
        ([Pin(n, 10.0, 10.0 + n / 100) for n in range(MAX_PINS + 1)], {}),
        ([Pin(1, 86.0, 0.0)], {}),
        ([Pin(1, -85.1, 0.0)], {}),
        ([Pin(1, 0.0, 180.5)], {}),
        ([Pin(1, math.nan, 0.0)], {}),
        ([Pin(1, 0.0, math.inf)], {}),
        ([Pin(1, 1.0, 1.0), Pin(1, 2.0, 2.0)], {}),
        ([Pin(True, 1.0, 1.0)], {}),  # type: ignore[arg-type]
        ([Pin(1, "1", 1.0)], {}),  # type: ignore[arg-type]
        ([Pin(1, 1.0, 1.0)], {"width": 10}),
        ([Pin(1, 1.0, 1.0)], {"height": 100_000}),
        ([Pin(1, 1.0, 1.0)], {"attribution": "  "}),
    ],
)
def test_validation(pins: list[Pin], kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"attribution": OSM_ATTRIBUTION, **kwargs}
    source = MemorySource()
    with pytest.raises(ValueError):
        render_map(pins, source, **args)  # type: ignore[arg-type]
    assert source.calls == []


def test_edge_coordinates_are_accepted() -> None:
    pins = [Pin(1, 85.05, 180.0), Pin(2, -85.05, -180.0)]
    rendered = render_map(pins, MemorySource(), attribution=OSM_ATTRIBUTION)
    assert len(rendered.placed) == 2
    assert rendered.zoom == 0


# --- the fetcher against a local tile server ----------------------------------------------------


def test_server_refuses_requests_without_a_user_agent(server: TileServer) -> None:
    url = server.template.format(z=1, x=0, y=0)
    connection = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=5)
    connection.putrequest("GET", urlsplit(url).path, skip_accept_encoding=True)
    connection.endheaders()  # no User-Agent header at all
    assert connection.getresponse().status == 403
    connection.close()
    assert requests.get(url, timeout=5).status_code == 403  # requests' default
    assert requests.get(url, headers={"User-Agent": UA}, timeout=5).status_code == 200


def test_fetcher_sends_igbot_user_agent_and_renders_real_tiles(server: TileServer) -> None:
    fetcher = make_fetcher(server)
    rendered = render_map(PARIS, fetcher, attribution=OSM_ATTRIBUTION)
    assert rendered.missing_tiles == 0
    assert server.tile_requests() == rendered.tiles
    assert {agent for _, agent in server.requests} == {UA}
    assert all(f"/tiles/{rendered.zoom}/" in path for path, _ in server.requests)
    assert marker_pixel_ok(decode(rendered), rendered.placed[0].x, rendered.placed[0].y)


def test_cached_tiles_are_not_fetched_again(server: TileServer) -> None:
    cache = MemoryTileCache()
    fetcher = make_fetcher(server, cache)
    first = render_map(PARIS, fetcher, attribution=OSM_ATTRIBUTION)
    fetched = server.tile_requests()
    assert fetched == first.tiles and len(cache) == first.tiles
    second = render_map(PARIS, fetcher, attribution=OSM_ATTRIBUTION)
    assert server.tile_requests() == fetched
    assert second.png == first.png and second.missing_tiles == 0
    assert fetcher.stats.cache_hits == second.tiles
    # Another fetcher on the same cache shares it; one with another template does not.
    make_fetcher(server, cache).fetch_tiles(first.zoom, [(0, 0)])
    assert server.tile_requests() == fetched + 1


def test_failing_tiles_are_counted_missing_and_drawn_blank(server: TileServer) -> None:
    server.mode = "500"
    cache = MemoryTileCache()
    rendered = render_map(PARIS, make_fetcher(server, cache), attribution=OSM_ATTRIBUTION)
    assert rendered.tiles > 0 and rendered.missing_tiles == rendered.tiles
    assert len(cache) == 0
    image = decode(rendered)
    assert image.getpixel((5, 5)) == (229, 227, 223)  # the background where a tile is missing
    assert marker_pixel_ok(image, rendered.placed[0].x, rendered.placed[0].y)


def test_garbage_tiles_are_missing_and_never_cached(server: TileServer) -> None:
    server.mode = "garbage"
    cache = MemoryTileCache()
    fetcher = make_fetcher(server, cache)
    rendered = render_map(PARIS, fetcher, attribution=OSM_ATTRIBUTION)
    assert rendered.missing_tiles == rendered.tiles
    assert len(cache) == 0 and fetcher.stats.failures == rendered.tiles


def test_a_hanging_tile_server_costs_the_budget_and_no_more(server: TileServer) -> None:
    server.mode = "hang"
    # A read timeout far beyond the budget: a render that waited for the hung tiles would take 30 s.
    fetcher = make_fetcher(server, budget_seconds=1.0, timeout=(2.0, 30.0))
    started = time.monotonic()
    rendered = render_map(PARIS, fetcher, attribution=OSM_ATTRIBUTION)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 10.0, f"{elapsed:.1f} s: about the 1 s budget is right, 30 s means it waited"
    assert rendered.tiles > 0 and rendered.missing_tiles == rendered.tiles
    assert fetcher.stats.skipped > 0
    assert decode(rendered).getpixel((rendered.placed[0].x, rendered.placed[0].y)) == MARKER_RGB


def test_the_fetcher_uses_at_most_its_pool_of_connections(server: TileServer) -> None:
    server.mode = "hang"
    fetcher = make_fetcher(server, budget_seconds=0.5, workers=3)
    fetcher.fetch_tiles(10, [(x, y) for x in range(5) for y in range(4)])
    assert fetcher.stats.requests == 3  # then the budget was spent: the other tiles were never asked for
    deadline = time.monotonic() + 10
    while server.tile_requests() < 3 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling: the three requests reach the server (they hang there)
    assert server.tile_requests() == 3


def test_fetcher_rejects_bad_configuration() -> None:
    cache = MemoryTileCache()
    with pytest.raises(ValueError):
        TileFetcher("https://tiles.example/{z}/{x}.png", user_agent=UA, cache=cache)
    with pytest.raises(ValueError):
        TileFetcher("file:///{z}/{x}/{y}.png", user_agent=UA, cache=cache)
    with pytest.raises(ValueError):
        TileFetcher("https://tiles.example/{z}/{x}/{y}.png", user_agent=" ", cache=cache)
    fetcher = TileFetcher("https://tiles.example/{z}/{x}/{y}.png?k={k}", user_agent=UA, cache=cache)
    assert fetcher.url(3, 4, 5) == "https://tiles.example/3/4/5.png?k={k}"


# --- the cache ----------------------------------------------------------------------------------


def test_cache_is_an_lru_bounded_by_count() -> None:
    cache = MemoryTileCache(max_tiles=3)
    assert isinstance(cache, TileCache)
    for key in "abc":
        cache.put(key, key.encode())
    assert cache.get("a") == b"a"  # a is now the most recent
    cache.put("d", b"d")
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acd"] == [b"a", b"c", b"d"]
    assert len(cache) == 3 and cache.evictions == 1


def test_cache_is_bounded_by_bytes() -> None:
    cache = MemoryTileCache(max_tiles=100, max_bytes=10)
    cache.put("a", b"12345")
    cache.put("b", b"12345")
    cache.put("c", b"1")
    assert cache.get("a") is None and cache.size_bytes == 6
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and cache.get("b") == b"12345"
    cache.put("b", b"1")  # replacing counts the new size only
    assert cache.size_bytes == 2


def test_cache_entries_expire() -> None:
    now = [1000.0]
    cache = MemoryTileCache(max_age=60, clock=lambda: now[0])
    cache.put("a", b"a")
    now[0] += 59
    assert cache.get("a") == b"a"
    now[0] += 2
    assert cache.get("a") is None and len(cache) == 0


def test_cache_is_thread_safe() -> None:
    cache = MemoryTileCache(max_tiles=50, max_bytes=10_000)

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(2000):
            key = str(rng.randrange(200))
            if rng.random() < 0.5:
                cache.put(key, b"x" * rng.randrange(1, 100))
            else:
                cache.get(key)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) <= 50 and cache.size_bytes <= 10_000
    assert cache.size_bytes == sum(len(cache.get(k) or b"") for k in map(str, range(200)))


def test_tile_key_separates_providers() -> None:
    assert tile_key("a/{z}/{x}/{y}", 1, 2, 3) != tile_key("b/{z}/{x}/{y}", 1, 2, 3)
    assert tile_key("a", 1, 2, 3) != tile_key("a", 1, 3, 2)


def test_pins_are_plain_values() -> None:
    assert replace(Pin(1, 2.0, 3.0), number=2) == Pin(2, 2.0, 3.0)
