"""`/ig map` end to end (issue 15): the command, a worker reading the sandbox Instagram and its offline
tiles, the PNG served at `/maps/<id>.png` (fetched here without any Slack session, as Slack's image
proxy does), pins checked pixel by pixel against Web Mercator, and every refusal."""

from __future__ import annotations

import io
import math
import re
import time
from typing import Any

import redis
import requests
from PIL import Image

from bot.maps import CLUSTER_RGB, MARKER_RGB, Pin, RenderedMap, render_map
from bot.storage.maps import map_key
from tests.stack import Stack

CHANNEL = "C0GENERAL"
MAP_URL = re.compile(r"/maps/([A-Za-z0-9_-]{22})\.png$")


class _BlankTiles:
    """A tile source with no tiles: recomputes a map's layout without fetching anything."""

    def fetch_tiles(self, zoom: int, tiles: Any) -> dict[Any, bytes | None]:
        return dict.fromkeys(tiles)


def _map_message(stack: Stack, user_id: str) -> Any:
    return stack.slack.wait_for(
        lambda m: m.valid and ":world_map:" in m.all_text() and f"<@{user_id}>" in m.all_text(), timeout=20
    )


def _image_url(message: Any) -> str:
    image = next(b for b in message.blocks if b.get("type") == "image")
    return str(image["image_url"])


def _gallery_media(stack: Stack, message: Any) -> list[Any]:
    """The gallery's posts, in the order of their numbers (found in the sandbox by their links)."""
    world = stack.instagram.world
    by_shortcode = {m.shortcode: m for m in world.media}
    found = []
    for block in message.blocks:
        text = (block.get("text") or {}).get("text", "") if block.get("type") == "section" else ""
        number = re.match(r"\*(\d+)\* · ", text)
        link = re.search(r"<http[^|>]+/p/([^/|>]+)/\|Open on Instagram>", text)
        if number and link:
            found.append((int(number.group(1)), by_shortcode[link.group(1)]))
    assert [n for n, _ in found] == list(range(1, len(found) + 1)), found
    return [m for _, m in found]


def _world_pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    """Web Mercator: a coordinate's pixel on the whole world's 256 x 2^zoom square."""
    size = 256 * 2**zoom
    siny = math.sin(math.radians(lat))
    return (lng + 180) / 360 * size, (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * size


def _pixel(lat: float, lng: float, layout: RenderedMap) -> tuple[float, float]:
    px, py = _world_pixel(lat, lng, layout.zoom)
    cx, cy = _world_pixel(layout.center[0], layout.center[1], layout.zoom)
    return px - cx + layout.width / 2, py - cy + layout.height / 2


def _check_pins(stack: Stack, message: Any) -> RenderedMap:
    """The served PNG has each gallery photo's marker exactly where its coordinates project to."""
    answer = requests.get(_image_url(message), timeout=5)  # no cookie, no token: like Slack's proxy
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"
    assert "max-age=" in answer.headers["Cache-Control"]
    picture = Image.open(io.BytesIO(answer.content)).convert("RGB")
    media = _gallery_media(stack, message)
    assert media, "the map has no numbered photos under it"
    world = stack.instagram.world
    pins = []
    for number, item in enumerate(media, start=1):
        point = world.point_of(item)
        assert point is not None
        pins.append(Pin(number, point[0], point[1]))
    layout = render_map(pins, _BlankTiles(), attribution="layout only")
    assert picture.size == (layout.width, layout.height)
    assert sorted(n for p in layout.placed for n in p.numbers) == list(range(1, len(media) + 1))
    for pin in pins:  # a lone pin's dot: at the pixel Web Mercator gives, computed here independently
        placed = next(p for p in layout.placed if pin.number in p.numbers)
        if len(placed.numbers) == 1:
            x, y = _pixel(pin.lat, pin.lng, layout)
            assert (placed.x, placed.y) == (math.floor(x), math.floor(y)), (pin, placed)
    for placed in layout.placed:
        expected = MARKER_RGB if len(placed.numbers) == 1 else CLUSTER_RGB
        colour = picture.getpixel((placed.x, placed.y))
        assert colour == MARKER_RGB, (placed, colour)  # every marker's dot sits on its exact pixel
        badge = (
            picture.crop((placed.x - 12, placed.y - 40, placed.x + 12, placed.y - 8)).getcolors(4096) or []
        )
        assert any(c == expected for _, c in badge), (placed, expected)
    return layout


def test_a_place_a_point_and_an_account_each_get_a_map(stack: Stack) -> None:
    stack.command("map Shibuya Crossing", user_id="U0CAROL", channel_id=CHANNEL)  # no link needed
    place = _map_message(stack, "U0CAROL")
    assert place.response_type == "in_channel" and "Shibuya Crossing" in place.all_text()
    assert "could not be loaded" not in place.all_text()  # the worker drew MAP_TILE_URL's tiles
    fetched = stack.instagram.tile_requests()
    assert fetched and all(r["status"] == 200 and r["user_agent"].startswith("igbot/") for r in fetched)
    layout = _check_pins(stack, place)
    assert len(layout.placed) >= 1

    stack.command("map 48.871,2.365 2000", user_id="U0DAN", channel_id=CHANNEL)
    point = _map_message(stack, "U0DAN")
    assert "near 48.871,2.365 (2000 m)" in point.all_text()
    _check_pins(stack, point)

    owner = max(
        stack.instagram.world.users,
        key=lambda u: sum(
            1 for m in stack.instagram.world.media if m.owner_id == u.id and stack.instagram.world.point_of(m)
        ),
    )
    stack.link("bob", user_id="U0BOB")
    stack.command(f"map @{owner.username}", user_id="U0BOB", channel_id=CHANNEL)
    account = _map_message(stack, "U0BOB")
    assert f"@{owner.username}" in account.all_text()
    _check_pins(stack, account)


def test_refusals_are_private_and_draw_nothing(stack: Stack) -> None:
    cases = {
        "map Nowhere-Land-Xyz": "knows no place by that name",
        "map 0.0,-160.0 10": "no geotagged photos",
        "map 48.87,2.36 9000": "The radius goes from 1 to 5000 m.",
        "map 89.5,2.36": "latitude goes from -85.05 to 85.05",
        "map": "What should igbot map?",
        "map @": "doesn't look like an Instagram username",
    }
    for text, expected in cases.items():
        stack.command(text, user_id="U0CAROL", channel_id=CHANNEL)
        answer = stack.wait_message(expected, user_id="U0CAROL", timeout=15)
        assert answer.ephemeral, text
    stack.command("map me", user_id="U0DAN", channel_id=CHANNEL)  # an account's map needs a link
    stack.wait_message("Connect Instagram", user_id="U0DAN", timeout=15)
    assert stack.wait_idle()
    assert not any(":world_map:" in m.all_text() for m in stack.slack.messages())


def test_the_map_url_expires_and_cannot_be_guessed(stack: Stack, redis_client: redis.Redis) -> None:
    stack.command("map Canal Saint-Martin", user_id="U0CAROL", channel_id=CHANNEL)
    url = _image_url(_map_message(stack, "U0CAROL"))
    map_id = MAP_URL.search(url)
    assert map_id is not None and "U0CAROL" not in url and "Canal" not in url
    assert requests.get(url, timeout=5).status_code == 200
    for other in (
        "A" * 22,
        map_id.group(1)[:-1] + ("B" if map_id.group(1)[-1] != "B" else "C"),
        "x",
        "..%2f",
    ):
        assert requests.get(url.replace(map_id.group(1), other), timeout=5).status_code == 404
    assert 6 * 86400 < redis_client.ttl(map_key(map_id.group(1))) <= 7 * 86400
    redis_client.pexpire(map_key(map_id.group(1)), 1)  # 7 days, as Redis would end them
    deadline = time.monotonic() + 5
    while requests.get(url, timeout=5).status_code != 404:
        assert time.monotonic() < deadline, "an expired map is still served"
        time.sleep(0.01)  # Redis expires the key within milliseconds


def test_failing_tiles_still_give_a_map_that_says_so(stack: Stack) -> None:
    stack.instagram.inject_faults(1000, status=500, path_prefix="/tiles/")
    stack.command("map Primrose Hill", user_id="U0CAROL", channel_id=CHANNEL)
    message = _map_message(stack, "U0CAROL")
    assert "map tiles could not be loaded" in message.all_text()
    _check_pins(stack, message)


def test_the_graph_api_answers_honestly(redis_client: redis.Redis, redis_url: str) -> None:
    from tests.stack import start_stack

    graph = start_stack(redis_url, api="graph")
    try:
        graph.command("map Shibuya Crossing", user_id="U0CAROL", channel_id=CHANNEL)
        answer = graph.wait_message("no location search", user_id="U0CAROL", timeout=15)
        assert answer.ephemeral and "/ig recent" in answer.all_text()
    finally:
        graph.close()
