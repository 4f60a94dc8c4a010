"""One PNG map with numbered pins, drawn with py-staticmaps on Pillow.

py-staticmaps picks the centre and zoom that fit every pin's marker (``Context.determine_center_zoom``),
lays out and pastes the tiles and calls our marker objects; igbot supplies the tiles (all of a map
fetched at once through a :class:`~bot.maps.tiles.TileSource`, in place of the library's downloader),
clusters pins whose markers would overlap, draws the markers and the attribution, and checks the fit
against :func:`~bot.maps.projection.project`, which is where every marker is drawn.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import s2sphere
import staticmaps
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from bot.maps.projection import TILE_SIZE, project
from bot.maps.tiles import TileSource, TileXY

MAX_PINS = 50
MAX_ZOOM = 17  # street level; OSM's standard tiles go to 19, but a photo's place is not that precise
SINGLE_POINT_ZOOM = 15  # one pin (or pins all at one spot): a neighbourhood around it
MAX_PIN_LATITUDE = 85.05  # Web Mercator stops at 85.0511°
MIN_SIZE, MAX_SIZE = 200, 2048

MARKER_RGB = (220, 38, 38)  # the dot at each pin's exact pixel, and a single pin's badge
CLUSTER_RGB = (124, 58, 237)  # a cluster's badge
OUTLINE_RGB = (255, 255, 255)
TEXT_RGB = (255, 255, 255)
BACKGROUND_RGB = (229, 227, 223)  # where a tile is missing: OSM's land colour, a little darker
ATTRIBUTION_TEXT_RGB = (34, 34, 34)
ATTRIBUTION_BACKGROUND = (255, 255, 255, 210)

# Marker geometry, in pixels, relative to the pin's pixel (x, y): a dot centred there, a stem up
# to a pill-shaped badge with the number.
DOT_RADIUS = 6
STEM = 10
BADGE_HEIGHT = 26
BADGE_PAD = 8
FONT_SIZE = 16
ATTRIBUTION_FONT_SIZE = 11
ATTRIBUTION_PAD = 3
CLUSTER_GAP = 2  # markers closer than this (box to box) count as overlapping too
MARGIN = 6  # between a marker and the image's edge
# Room a marker needs, for fitting: left, top, right, bottom of the pin's pixel (two-digit badge wide;
# below the dot, room for the attribution strip).
FOOTPRINT = (24 + MARGIN, STEM + BADGE_HEIGHT + MARGIN, 24 + MARGIN, DOT_RADIUS + 18 + MARGIN)


@dataclass(frozen=True)
class Pin:
    """A photo's place on the map: ``number`` is what its marker shows (and what the photo is listed
    as below the map)."""

    number: int
    lat: float
    lng: float


@dataclass(frozen=True)
class PlacedPin:
    """A marker as drawn: the numbers of the pins it stands for (one, or several for a cluster, in
    ascending order) and its pixel, the one its dot is centred on."""

    numbers: tuple[int, ...]
    x: int
    y: int


@dataclass(frozen=True)
class RenderedMap:
    """A rendered map: the PNG, how it was framed, where its markers are and how many of its ``tiles``
    could not be had (drawn blank)."""

    png: bytes
    zoom: int
    center: tuple[float, float]
    width: int
    height: int
    placed: list[PlacedPin]
    missing_tiles: int
    tiles: int


def render_map(
    pins: Sequence[Pin], fetcher: TileSource, *, width: int = 800, height: int = 500, attribution: str
) -> RenderedMap:
    """Render ``pins`` on a ``width`` x ``height`` map framed to show them all, with the tiles from
    ``fetcher`` and ``attribution`` (the tile provider's, required) in the bottom-right corner.

    Pins whose markers would overlap at the chosen zoom share one marker. Raises ``ValueError`` for no
    pins, more than :data:`MAX_PINS`, repeated numbers, coordinates out of range or a bad size."""
    _validate(pins, width, height, attribution)
    ordered = sorted(pins, key=lambda pin: pin.number)
    center, zoom = fit(ordered, width, height)
    positions = [project(pin.lat, pin.lng, zoom, center, width, height) for pin in ordered]
    clusters = cluster(ordered, positions, width)

    ll_center = s2sphere.LatLng.from_degrees(*center)
    layout = staticmaps.Transformer(width, height, zoom, ll_center, TILE_SIZE)
    wanted = _tiles_of(layout)
    fetched = fetcher.fetch_tiles(zoom, wanted)
    usable = {xy: data for xy in wanted if (data := fetched.get(xy)) is not None and _decodes(data)}

    context = staticmaps.Context()
    context.set_tile_provider(_provider())
    context.set_tile_downloader(_Prefetched(usable))
    context.set_background_color(staticmaps.Color(*BACKGROUND_RGB))
    context.set_center(ll_center)
    context.set_zoom(zoom)
    for group in clusters:
        context.add_object(_Marker(group))
    image = context.render_pillow(width, height)
    image = _draw_attribution(image, attribution)

    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return RenderedMap(
        png=out.getvalue(),
        zoom=zoom,
        center=center,
        width=width,
        height=height,
        placed=[PlacedPin(group.numbers, group.x, group.y) for group in clusters],
        missing_tiles=len(wanted) - len(usable),
        tiles=len(wanted),
    )


def fit(pins: Sequence[Pin], width: int, height: int) -> tuple[tuple[float, float], int]:
    """The centre ``(lat, lng)`` and zoom (at most :data:`MAX_ZOOM`) at which every pin's marker,
    with a margin, lies inside a ``width`` x ``height`` map: py-staticmaps' choice, checked with
    :func:`project` and moved to the highest zoom that fits (the library stops at 15 when everything
    fits, and sees no wrap at the antimeridian). One spot: :data:`SINGLE_POINT_ZOOM`."""
    context = staticmaps.Context()
    context.set_tile_provider(_provider())
    for pin in pins:
        context.add_object(_Footprint(pin.lat, pin.lng))

    def at(zoom: int | None) -> tuple[tuple[float, float], int]:
        if zoom is not None:
            context.set_zoom(zoom)  # the library then only centres the markers at that zoom
        ll, chosen = context.determine_center_zoom(width, height)
        return (ll.lat().degrees, _wrap_lng(ll.lng().degrees)), int(chosen)

    center, zoom = at(None)
    if len({(pin.lat, pin.lng) for pin in pins}) == 1:
        return at(SINGLE_POINT_ZOOM)
    if _fits(pins, zoom, center, width, height):
        while zoom < MAX_ZOOM:
            higher = at(zoom + 1)
            if not _fits(pins, higher[1], higher[0], width, height):
                break
            center, zoom = higher
        return center, zoom
    while zoom > 0:
        center, zoom = at(zoom - 1)
        if _fits(pins, zoom, center, width, height):
            break
    return center, zoom


@dataclass(frozen=True)
class _Cluster:
    numbers: tuple[int, ...]
    x: int
    y: int
    label: str
    badge: tuple[int, int, int, int]  # left, top, right, bottom


def cluster(pins: Sequence[Pin], positions: Sequence[tuple[float, float]], width: int) -> list[_Cluster]:
    """Group pins (sorted by number, with their projected pixels) whose markers would overlap: every
    pair of overlapping markers merges, at the mean pixel of its members, until none overlap. The
    result depends on the pins only, never on their order; clusters come sorted by first number."""
    groups = [[i] for i in range(len(pins))]
    while True:
        markers = [
            _layout(tuple(pins[i].number for i in g), [positions[i] for i in g], width) for g in groups
        ]
        boxes = [_box(m) for m in markers]
        parent = list(range(len(groups)))
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if _overlap(boxes[a], boxes[b]):
                    ra, rb = _root(parent, a), _root(parent, b)
                    parent[max(ra, rb)] = min(ra, rb)
        if all(_root(parent, i) == i for i in range(len(groups))):
            return sorted(markers, key=lambda m: m.numbers)
        joined: dict[int, list[int]] = {}
        for i, group in enumerate(groups):
            joined.setdefault(_root(parent, i), []).extend(group)
        groups = [sorted(g) for g in joined.values()]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def label(numbers: Sequence[int]) -> str:
    """What a marker shows: its number, up to three numbers of a cluster (``"3, 5, 9"``), or the first
    two and how many more (``"3, 5 +4"``)."""
    if len(numbers) <= 3:
        return ", ".join(str(n) for n in numbers)
    return f"{numbers[0]}, {numbers[1]} +{len(numbers) - 2}"


def _layout(numbers: tuple[int, ...], points: Sequence[tuple[float, float]], width: int) -> _Cluster:
    x = math.floor(sum(p[0] for p in points) / len(points))
    y = math.floor(sum(p[1] for p in points) / len(points))
    text = label(numbers)
    text_width = _text_width(text, FONT_SIZE)
    badge_width = max(BADGE_HEIGHT, text_width + 2 * BADGE_PAD)
    left = x - badge_width // 2
    left = max(1, min(left, width - 1 - badge_width))  # a wide cluster label slides, the dot stays put
    bottom = y - STEM
    return _Cluster(numbers, x, y, text, (left, bottom - BADGE_HEIGHT, left + badge_width, bottom))


def _box(marker: _Cluster) -> tuple[int, int, int, int]:
    left, top, right, _ = marker.badge
    return (
        min(left, marker.x - DOT_RADIUS) - CLUSTER_GAP,
        top - CLUSTER_GAP,
        max(right, marker.x + DOT_RADIUS) + CLUSTER_GAP,
        marker.y + DOT_RADIUS + CLUSTER_GAP,
    )


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _fits(pins: Sequence[Pin], zoom: int, center: tuple[float, float], width: int, height: int) -> bool:
    left, top, right, bottom = FOOTPRINT
    for pin in pins:
        x, y = project(pin.lat, pin.lng, zoom, center, width, height)
        if x - left < 0 or y - top < 0 or x + right > width or y + bottom > height:
            return False
    return True


def _tiles_of(layout: Any) -> list[TileXY]:
    """The tiles py-staticmaps' Pillow renderer will ask for, in its order (x wraps, y out of range is
    skipped): the same loop as ``PillowRenderer.render_tiles``."""
    count = layout.number_of_tiles()
    tiles: dict[TileXY, None] = {}
    for yy in range(layout.tiles_y()):
        y = layout.first_tile_y() + yy
        if 0 <= y < count:
            for xx in range(layout.tiles_x()):
                tiles[((layout.first_tile_x() + xx) % count, y)] = None
    return list(tiles)


def _decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size == (TILE_SIZE, TILE_SIZE)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def _provider() -> Any:
    # Attribution None: the library would draw it bottom-left; we draw ours bottom-right.
    return staticmaps.TileProvider("igbot", url_pattern="", attribution=None, max_zoom=MAX_ZOOM)


class _Prefetched(staticmaps.TileDownloader):  # type: ignore[misc]
    """Hands py-staticmaps the tiles fetched beforehand (it asks for them one by one while drawing)."""

    def __init__(self, tiles: dict[TileXY, bytes]) -> None:
        super().__init__()
        self._tiles = tiles

    def get(self, provider: Any, cache_dir: Any, zoom: int, x: int, y: int) -> bytes | None:
        return self._tiles.get((x, y))


class _Footprint(staticmaps.Object):  # type: ignore[misc]
    """A pin as py-staticmaps' framing sees it: a point plus the pixels its marker needs around it."""

    def __init__(self, lat: float, lng: float) -> None:
        super().__init__()
        self._latlng = s2sphere.LatLng.from_degrees(lat, lng)

    def bounds(self) -> Any:
        return s2sphere.LatLngRect.from_point(self._latlng)

    def extra_pixel_bounds(self) -> tuple[int, int, int, int]:
        return FOOTPRINT


class _Marker(staticmaps.Object):  # type: ignore[misc]
    """One marker (a pin or a cluster) drawn at its pixel from :func:`project`."""

    def __init__(self, marker: _Cluster) -> None:
        super().__init__()
        self._marker = marker

    def bounds(self) -> Any:
        return s2sphere.LatLngRect()  # unused: the map's centre and zoom are set

    def extra_pixel_bounds(self) -> tuple[int, int, int, int]:
        return 0, 0, 0, 0

    def render_pillow(self, renderer: Any) -> None:
        if renderer.offset_x() != 0:
            return  # py-staticmaps draws objects once per copy of the world; project() picked ours
        _draw_marker(renderer.draw(), self._marker)


def _draw_marker(draw: ImageDraw.ImageDraw, marker: _Cluster) -> None:
    x, y = marker.x, marker.y
    colour = CLUSTER_RGB if len(marker.numbers) > 1 else MARKER_RGB
    left, top, right, bottom = marker.badge
    draw.line([(x, y), (x, bottom)], fill=OUTLINE_RGB, width=5)
    draw.line([(x, y), (x, bottom)], fill=colour, width=3)
    draw.rounded_rectangle(
        [left, top, right, bottom], radius=BADGE_HEIGHT // 2, fill=colour, outline=OUTLINE_RGB, width=2
    )
    draw.text(
        ((left + right) / 2, (top + bottom) / 2),
        marker.label,
        fill=TEXT_RGB,
        font=_font(FONT_SIZE),
        anchor="mm",
    )
    r = DOT_RADIUS
    draw.ellipse([x - r - 1, y - r - 1, x + r + 1, y + r + 1], fill=OUTLINE_RGB)
    draw.ellipse([x - r + 1, y - r + 1, x + r - 1, y + r - 1], fill=MARKER_RGB)


def _draw_attribution(image: Image.Image, text: str) -> Image.Image:
    font = _font(ATTRIBUTION_FONT_SIZE)
    width, height = image.size
    scratch = ImageDraw.Draw(image)
    left, top, right, bottom = scratch.textbbox((0, 0), text, font=font)
    box_left = width - (right - left) - 2 * ATTRIBUTION_PAD
    box_top = height - (bottom - top) - 2 * ATTRIBUTION_PAD
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rectangle([box_left, box_top, width, height], fill=ATTRIBUTION_BACKGROUND)
    image = Image.alpha_composite(image.convert("RGBA"), overlay)
    ImageDraw.Draw(image).text(
        (box_left + ATTRIBUTION_PAD - left, box_top + ATTRIBUTION_PAD - top),
        text,
        fill=ATTRIBUTION_TEXT_RGB,
        font=font,
    )
    return image


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1 with FreeType: a scalable font
    except (TypeError, OSError):
        return ImageFont.load_default()


def _text_width(text: str, size: int) -> int:
    left, _, right, _ = _font(size).getbbox(text)
    return math.ceil(right - left)


def _wrap_lng(lng: float) -> float:
    return (lng + 180.0) % 360.0 - 180.0


def _validate(pins: Sequence[Pin], width: int, height: int, attribution: str) -> None:
    if not pins:
        raise ValueError("a map needs at least one pin")
    if len(pins) > MAX_PINS:
        raise ValueError(f"at most {MAX_PINS} pins on a map, not {len(pins)}")
    numbers = set()
    for pin in pins:
        if isinstance(pin.number, bool) or not isinstance(pin.number, int) or pin.number < 0:
            raise ValueError(f"pin number must be a non-negative int: {pin.number!r}")
        if pin.number in numbers:
            raise ValueError(f"pin number {pin.number} appears twice")
        numbers.add(pin.number)
        for name, value, limit in (("lat", pin.lat, MAX_PIN_LATITUDE), ("lng", pin.lng, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"pin {pin.number}: {name} must be a finite number: {value!r}")
            if not -limit <= value <= limit:
                raise ValueError(f"pin {pin.number}: {name} {value} outside -{limit}..{limit}")
    for name, size in (("width", width), ("height", height)):
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"map {name} must be an int in {MIN_SIZE}..{MAX_SIZE}: {size!r}")
    if not isinstance(attribution, str) or not attribution.strip() or "\n" in attribution:
        raise ValueError("the tile provider's attribution (one line) is required")
