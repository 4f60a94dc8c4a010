"""Offline map tiles: ``GET /tiles/<z>/<x>/<y>.png`` over real HTTP, their faults and their request log."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import requests
from PIL import Image
from urllib3.util import SKIP_HEADER

from igbot_sandboxes.instagram import InstagramSandbox, tile_render, tiles
from igbot_sandboxes.instagram.tiles import TILE_ATTRIBUTION
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, api

UA = "igbot-tests/0.1 (+https://github.com/igbot; tests)"
STATICMAPS_UA = "Mozilla/5.0+(compatible; staticmaps/0.5.0; https://github.com/flopp/py-staticmaps)"


def get_tile(
    base: str,
    path: str,
    user_agent: str | None = UA,
    timeout: float | tuple[float, float] = TIMEOUT,
    **headers: str,
) -> requests.Response:
    """A tile request; ``user_agent=None`` sends no User-Agent header at all."""
    sent = {"User-Agent": SKIP_HEADER if user_agent is None else user_agent}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return requests.get(f"{base}{path}", headers=sent, timeout=timeout)


def decode(response: requests.Response) -> Image.Image:
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def color_share(image: Image.Image, color: tuple[int, int, int]) -> float:
    colors = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(count for count, c in colors if c == color) / (image.width * image.height)


@pytest.fixture(autouse=True)
def _fresh_tile_cache() -> Iterator[None]:
    tiles.tile.cache_clear()
    yield


def test_a_tile_is_a_256_pixel_png_with_cache_headers(base: str) -> None:
    response = get_tile(base, "/tiles/0/0/0.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) > 10
    image = decode(response)
    assert (image.format, image.size, image.mode) == ("PNG", (256, 256), "RGB")


@pytest.mark.parametrize("path", ["/tiles/0/0/0.png", "/tiles/1/0/0.png", "/tiles/2/2/1.png"])
def test_low_zoom_tiles_show_land_and_water(base: str, path: str) -> None:
    image = decode(get_tile(base, path))
    assert color_share(image, tile_render.LAND) > 0.05
    assert color_share(image, tile_render.WATER) > 0.05


def test_tiles_are_deterministic(base: str) -> None:
    first = get_tile(base, "/tiles/3/4/2.png")
    tiles.tile.cache_clear()
    second = get_tile(base, "/tiles/3/4/2.png")
    assert first.content == second.content
    assert first.headers["ETag"] == second.headers["ETag"]
    assert tile_render.render_tile(3, 4, 2) == first.content  # the same bytes with no cache at all
    assert get_tile(base, "/tiles/3/4/3.png").content != first.content


def test_every_seeded_place_is_on_land_at_zoom_12(base: str, sandbox: InstagramSandbox) -> None:
    assert sandbox.world.locations
    for place in sandbox.world.locations:
        x, y = tile_render.tile_of(place.latitude, place.longitude, 12)
        image = decode(get_tile(base, f"/tiles/12/{x}/{y}.png"))
        assert color_share(image, tile_render.LAND) > 0.8, place.name


def test_neighbouring_tiles_join_up_and_zoom_levels_agree(base: str) -> None:
    def kind(image: Image.Image, i: int, j: int, inward: int) -> str | None:
        """Land or water at a pixel, stepping inward past graticule lines; None on the label."""
        for step in range(4):
            pixel = image.getpixel((i + step * inward, j))
            if pixel == tile_render.LAND:
                return "land"
            if pixel == tile_render.WATER:
                return "water"
        return None

    # Spain, the Mediterranean and Algeria at zoom 4: the seam between x=7 and x=8 is longitude 0.
    left, right = (decode(get_tile(base, f"/tiles/4/{x}/5.png")) for x in (7, 8))
    seam = [(kind(left, 255, j, -1), kind(right, 0, j, 1)) for j in range(256)]
    seam = [(a, b) for a, b in seam if a and b]
    assert len(seam) > 200
    assert sum(1 for a, b in seam if a != b) <= 8  # rasterising rounds either side of a coast
    assert {a for a, _ in seam} == {"land", "water"}

    parent = decode(get_tile(base, "/tiles/3/4/2.png"))
    for dx in (0, 1):
        for dy in (0, 1):
            child = decode(get_tile(base, f"/tiles/4/{8 + dx}/{4 + dy}.png"))
            quarter = parent.crop((dx * 128, dy * 128, dx * 128 + 128, dy * 128 + 128))
            share = color_share(quarter, tile_render.WATER)
            assert abs(color_share(child, tile_render.WATER) - share) < 0.1


def test_the_deepest_zoom_is_served(base: str) -> None:
    x, y = tile_render.tile_of(37.7596, -122.4269, 19)
    image = decode(get_tile(base, f"/tiles/19/{x}/{y}.png"))
    assert color_share(image, tile_render.LAND) > 0.8


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/20/0/0.png",
        "/tiles/1/2/0.png",
        "/tiles/1/0/2.png",
        "/tiles/0/0/1.png",
        "/tiles/-1/0/0.png",
        "/tiles/1/-1/0.png",
        "/tiles/1/0/0.jpg",
        "/tiles/1/0/0",
        "/tiles/1/0.png",
        "/tiles/a/b/c.png",
        "/tiles/",
    ],
)
def test_a_tile_outside_the_pyramid_is_a_404(base: str, path: str) -> None:
    assert get_tile(base, path).status_code == 404


@pytest.mark.parametrize(
    "agent", [None, "", "python-requests/2.32.3", "Python-urllib/3.11", "python-urllib3/2.8.0"]
)
def test_generic_or_missing_user_agents_are_refused(base: str, agent: str | None) -> None:
    response = get_tile(base, "/tiles/0/0/0.png", user_agent=agent)
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "User-Agent" in response.text and len(response.text) < 300


def test_blank_and_default_agents_are_recognised() -> None:
    for agent in (None, "", "   ", "PYTHON-REQUESTS/2.0", "python-httpx/0.28.1", "aiohttp/3.9"):
        assert tiles.refused_user_agent(agent), agent
    for agent in (STATICMAPS_UA, UA, "curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"):
        assert not tiles.refused_user_agent(agent), agent


def test_library_defaults_are_refused_as_sent(base: str) -> None:
    assert requests.get(f"{base}/tiles/0/0/0.png", timeout=TIMEOUT).status_code == 403
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/tiles/0/0/0.png", timeout=TIMEOUT)
    assert refused.value.code == 403


@pytest.mark.parametrize("agent", [STATICMAPS_UA, UA, "curl/8.5.0"])
def test_identifying_user_agents_are_served(base: str, agent: str) -> None:
    assert get_tile(base, "/tiles/0/0/0.png", user_agent=agent).status_code == 200


def test_if_none_match_answers_304(base: str) -> None:
    first = get_tile(base, "/tiles/2/1/1.png")
    etag = first.headers["ETag"]
    for sent in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        again = get_tile(base, "/tiles/2/1/1.png", If_None_Match=sent)
        assert again.status_code == 304, sent
        assert again.content == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "public, max-age=86400"
    assert get_tile(base, "/tiles/2/1/1.png", If_None_Match='"nope"').status_code == 200
    assert get_tile(base, "/tiles/2/2/1.png", If_None_Match=etag).status_code == 200  # another tile


def test_tile_requests_are_recorded_and_reset(base: str, sandbox: InstagramSandbox) -> None:
    etag = get_tile(base, "/tiles/0/0/0.png").headers["ETag"]
    get_tile(base, "/tiles/0/0/0.png", If_None_Match=etag)
    get_tile(base, "/tiles/0/0/0.png", user_agent=None)
    get_tile(base, "/tiles/5/99/0.png")
    requests.get(f"{base}/__sandbox__/users", timeout=TIMEOUT)
    api(base, "/media/popular", client_id=CLIENT_ID)
    seen = [(r["path"], r["user_agent"], r["status"]) for r in sandbox.tile_requests()]
    assert seen == [
        ("/tiles/0/0/0.png", UA, 200),
        ("/tiles/0/0/0.png", UA, 304),
        ("/tiles/0/0/0.png", None, 403),
        ("/tiles/5/99/0.png", UA, 404),
    ]
    assert all(isinstance(r["time"], float) for r in sandbox.tile_requests())
    control = requests.get(f"{base}/__sandbox__/tiles", timeout=TIMEOUT).json()
    assert [r["status"] for r in control["requests"]] == [200, 304, 403, 404]
    assert control["url_template"] == f"{base}/tiles/{{z}}/{{x}}/{{y}}.png"
    assert control["attribution"] == TILE_ATTRIBUTION
    assert (control["max_zoom"], control["tile_size"]) == (19, 256)
    sandbox.reset()
    assert sandbox.tile_requests() == []


def test_url_template_and_attribution(base: str, sandbox: InstagramSandbox) -> None:
    template = sandbox.tile_url_template(base)
    assert template == f"{base}/tiles/{{z}}/{{x}}/{{y}}.png"
    assert InstagramSandbox.tile_url_template("http://h:1") == "http://h:1/tiles/{z}/{x}/{y}.png"
    assert TILE_ATTRIBUTION == "Sandbox tiles, generated offline"
    url = template.format(z=3, x=1, y=2)
    assert requests.get(url, headers={"User-Agent": UA}, timeout=TIMEOUT).status_code == 200


def test_the_tile_cache_is_bounded() -> None:
    assert tiles.tile.cache_info().maxsize == tiles.CACHE_TILES <= 1000
    tiles.tile(1, 0, 0)
    tiles.tile(1, 0, 0)
    assert tiles.tile.cache_info().hits == 1


@pytest.mark.parametrize("status", [500, 503])
def test_status_faults_hit_tiles_only(base: str, sandbox: InstagramSandbox, status: int) -> None:
    sandbox.inject_faults(1, status=status, path_prefix="/tiles/", headers={"Retry-After": "7"})
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 200  # /v1 untouched
    faulted = get_tile(base, "/tiles/1/1/1.png")
    assert faulted.status_code == status
    assert faulted.headers["Content-Type"].startswith("text/html")
    assert faulted.headers["Retry-After"] == "7"
    assert str(status) in faulted.text
    assert get_tile(base, "/tiles/1/1/1.png").status_code == 200  # one fault, one request
    assert [r["status"] for r in sandbox.tile_requests()] == [status, 200]


def test_v1_faults_leave_tiles_alone(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=500)  # the default prefix, /v1
    assert get_tile(base, "/tiles/0/0/0.png").status_code == 200
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 500


def test_tile_faults_over_the_http_control(base: str, sandbox: InstagramSandbox) -> None:
    body = {"count": 2, "status": 503, "path_prefix": "/tiles/", "error_message": "tile server overloaded"}
    queued = requests.post(f"{base}/__sandbox__/faults", json=body, timeout=TIMEOUT).json()
    assert queued == {"queued": 2, "pending": 2}
    for _ in range(2):
        response = get_tile(base, "/tiles/0/0/0.png")
        assert (response.status_code, response.text) == (503, "tile server overloaded\n")
    assert get_tile(base, "/tiles/0/0/0.png").status_code == 200


def test_a_malformed_tile_does_not_decode(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, malformed=True, path_prefix="/tiles/")
    response = get_tile(base, "/tiles/0/0/0.png")
    assert (response.status_code, response.headers["Content-Type"]) == (200, "image/png")
    with pytest.raises(OSError):
        decode(response)


def test_a_hung_tile_times_the_client_out_and_the_rest_keeps_working(
    base: str, sandbox: InstagramSandbox
) -> None:
    sandbox.inject_faults(1, status=None, latency_ms=30_000, path_prefix="/tiles/")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        get_tile(base, "/tiles/2/0/1.png", timeout=(2, 1))
    assert time.monotonic() - started < 15  # the client's timeout ended it, not the 30 s hang
    assert get_tile(base, "/tiles/2/0/1.png").status_code == 200  # served while the first still hangs
    log = sandbox.tile_requests()
    assert [(r["path"], r["status"]) for r in log] == [("/tiles/2/0/1.png", None), ("/tiles/2/0/1.png", 200)]
    sandbox.reset()  # wakes the hung request


def test_py_staticmaps_draws_a_map_from_the_sandbox(
    base: str, sandbox: InstagramSandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import staticmaps  # a dependency of igbot (pyproject): never skipped

    template = sandbox.tile_url_template(base)
    pattern = template.replace("{z}", "$z").replace("{x}", "$x").replace("{y}", "$y")
    context = staticmaps.Context()
    context.set_cache_dir(str(tmp_path_factory.mktemp("tiles")))
    context.set_tile_provider(staticmaps.TileProvider("sandbox", pattern, attribution=TILE_ATTRIBUTION))
    context.set_center(staticmaps.create_latlng(37.7596, -122.4269))
    context.set_zoom(12)
    image = context.render_pillow(300, 200)
    assert image.size == (300, 200)
    fetched = sandbox.tile_requests()
    assert fetched and all(r["status"] == 200 and "staticmaps" in r["user_agent"] for r in fetched)
