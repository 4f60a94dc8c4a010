"""Drawing the sandbox's offline map tiles: a coarse world (land and water), a graticule and a label.

The world is a few dozen hand-drawn outlines in longitude/latitude (continents, big islands, inland
seas), projected to Web Mercator and filled with Pillow.  An outline's edges are straight lines in
Mercator space, so neighbouring tiles join up exactly and every zoom level draws the same coastline
(only coarser or finer).  Each seeded sandbox place (`legacy.seeddata.PLACES`) lies well inside land
and also gets a small land patch, so a post's marker never sits in the sea.  Output is deterministic:
the same ``z/x/y`` always gives the same PNG bytes (for one Pillow version).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from igbot_sandboxes.instagram.legacy import seeddata

TILE_SIZE = 256
MAX_ZOOM = 19
MAX_LATITUDE = 85.0511287798  # Web Mercator's edge
LAND: tuple[int, int, int] = (242, 239, 233)
WATER: tuple[int, int, int] = (170, 211, 223)
GRID: tuple[int, int, int] = (182, 182, 190)
LABEL: tuple[int, int, int] = (80, 80, 80)
LABEL_BACKGROUND: tuple[int, int, int] = (255, 255, 255)
PLACE_PATCH_KM = 2.0

Outline = tuple[tuple[float, float], ...]  # (longitude, latitude) vertices

LAND_OUTLINES: dict[str, Outline] = {
    "north_america": (
        (-168, 66), (-162, 70), (-150, 71), (-140, 70), (-125, 70), (-110, 69), (-95, 72), (-82, 73),
        (-70, 70), (-62, 60), (-56, 53), (-60, 47), (-66, 44), (-70, 42), (-74, 40.3), (-76, 37),
        (-76, 35), (-81, 31), (-80, 26), (-81, 25), (-83, 29), (-90, 30), (-97, 28), (-97, 22),
        (-94, 18.5), (-91, 21), (-87, 21.5), (-88, 16), (-84, 15), (-83, 10), (-79, 9), (-77.5, 8),
        (-80, 7), (-85, 10), (-92, 14.5), (-98, 16), (-105, 20), (-106, 23), (-110, 24.5), (-112, 29),
        (-115, 30), (-117, 32.5), (-120.5, 34.5), (-122, 37), (-123, 38), (-124, 40.5), (-124.5, 43),
        (-124, 46.5), (-124.7, 48.4), (-127, 51), (-131, 54.5), (-134, 57.5), (-140, 59.8),
        (-150, 59.5), (-154, 57.5), (-160, 55.5), (-164, 54.5), (-158, 58), (-162, 60), (-166, 62),
        (-165, 64.5),
    ),
    "south_america": (
        (-77.5, 8), (-72, 12), (-62, 10.7), (-50, 1), (-35, -5.5), (-39, -14), (-41, -22), (-48, -26),
        (-53, -34), (-58.5, -34.5), (-57, -38), (-62, -39), (-65, -42), (-65, -47), (-68, -50.5),
        (-68.5, -53), (-74, -52), (-75, -47), (-73.5, -41), (-71.5, -30), (-70.3, -18.5), (-76, -14),
        (-81.3, -5.5), (-80, -1), (-79, 1.5), (-78, 7),
    ),
    "greenland": (
        (-73, 78), (-60, 82), (-30, 83.5), (-20, 81), (-18, 76), (-22, 70), (-32, 68), (-40, 65),
        (-43, 60), (-48, 61), (-53, 66), (-55, 70.5), (-58, 75), (-66, 76.5),
    ),
    "eurasia": (
        (-10, 43.5), (-10, 37), (-6, 36.5), (-5.5, 36), (-2, 36.7), (0.5, 38.5), (0, 40), (3.2, 42),
        (3.5, 43.3), (6, 43), (9, 44), (12, 42), (15.5, 38), (16, 40), (18.5, 40), (13, 45.5),
        (19, 42), (20, 40), (23, 36.5), (26, 40), (36, 36.8), (35.9, 35.5), (34.9, 32.5), (34.3, 31.3),
        (35, 28), (43, 13), (45, 12.8), (52, 16), (58, 22.5), (56.3, 26.2), (54, 24), (51.5, 24.3),
        (50.8, 26), (48.5, 28.5), (48, 30), (50.5, 30), (54, 27), (56.5, 27.1), (57.5, 25.7),
        (62, 25.2), (66.5, 25.4), (68, 23.8), (72, 21), (77, 8), (80, 13), (80, 15.5), (87, 21.5),
        (92, 22), (94, 16), (98, 8), (100.5, 3), (104, 1.3), (103, 5), (100.5, 13), (105, 8.6),
        (109, 12), (108, 16), (106.5, 20), (110, 21), (117, 23), (121, 28), (122, 31), (119.5, 35),
        (122.5, 37), (117.5, 39), (122, 40.5), (126, 37.5), (126.5, 34.5), (129.5, 35.3), (129, 40),
        (131, 42.8), (140, 48), (141, 52), (135, 54.5), (142, 59), (155, 59.5), (156, 57),
        (156.5, 51), (160, 53), (162.5, 56), (163, 62), (170, 60), (180, 65), (180, 69), (160, 70),
        (140, 72), (113, 73.5), (105, 77.5), (95, 76), (80, 73), (70, 73), (68, 68.5), (60, 69.5),
        (44, 68.5), (40, 66), (34, 69.5), (25, 71), (15, 68.5), (5, 62), (5, 58), (8, 57.5),
        (10.5, 57.7), (8.5, 55.5), (8.7, 53.9), (4.5, 52.5), (3.5, 51.5), (1.6, 50.9), (-1.5, 49.7),
        (-4.8, 48.4), (-1.2, 46), (-1.5, 43.4), (-8, 43.7),
    ),
    "great_britain": (
        (-5.7, 50), (1.4, 51.2), (1.7, 52.7), (0, 53.5), (-1.5, 55.5), (-2, 57), (-1.8, 57.7),
        (-3.5, 58.6), (-5, 58.6), (-6.2, 56.5), (-5, 55), (-3.2, 54.8), (-3, 53.4), (-4.6, 53.3),
        (-4.2, 52.2), (-5.3, 51.8), (-3, 51.4),
    ),
    "ireland": ((-10, 51.5), (-6, 52), (-6, 54), (-5.5, 55.2), (-7.3, 55.4), (-10, 54.2)),
    "iceland": ((-24, 65.5), (-22, 66.4), (-16, 66.5), (-13.5, 65), (-18, 63.4), (-22.5, 63.8)),
    "africa": (
        (-17, 21), (-17, 14.7), (-12, 8), (-7.5, 4.4), (2, 6.3), (9.5, 4), (9.5, 1), (13, -5),
        (12, -17), (15, -27), (18.4, -34.3), (20, -34.8), (27, -33.8), (32.5, -28.5), (35.5, -24),
        (35, -20), (40.5, -15), (40, -10), (39.3, -5), (42, -0.5), (51, 11.5), (43.5, 12), (39, 16),
        (35, 23), (34, 27.5), (32.5, 30), (32.3, 31.3), (25, 31.8), (20, 31), (19.5, 30.3), (11, 33),
        (10.5, 37), (9.5, 37.3), (3, 36.8), (-2, 35), (-5.9, 35.8), (-9.8, 30), (-13, 27.5),
    ),
    "madagascar": ((44, -25), (47, -25), (50.5, -15.5), (49.3, -12), (43.5, -16.5)),
    "sri_lanka": ((79.8, 6), (80, 9.8), (81.9, 7.5), (81.3, 6.2)),
    "honshu": (
        (130, 31), (131.5, 31.5), (132, 33.8), (135, 33.5), (136.8, 34.3), (138.5, 34.6), (139.8, 34.9),
        (140.9, 35.7), (140.6, 36.9), (141, 38.3), (142, 39.5), (141.4, 41.4), (140, 41.5),
        (139.8, 40), (139.5, 38.3), (137, 37), (136, 36), (133, 35.5), (131, 34.3), (129.5, 33.3),
    ),
    "hokkaido": (
        (140, 42.5), (141, 41.8), (143.2, 42), (145.5, 43.3), (144, 44.2), (141.8, 45.4), (141.5, 43.5),
        (140, 43.2),
    ),
    "philippines": (
        (120, 18.5), (122.3, 18.5), (124, 12.5), (126.5, 7.5), (125.3, 5.6), (122, 7), (120.5, 14),
    ),
    "borneo": ((109, 1.5), (113, 3.2), (117, 7), (119, 5), (117.5, 0.8), (116, -3.8), (111, -3), (109, -1)),
    "sumatra": (
        (95.2, 5.6), (98, 4), (104, -1), (106, -5.8), (104.5, -5.9), (101, -2.5), (97.5, 2), (95, 4.5),
    ),
    "java": ((105.2, -6), (111, -6.5), (114.5, -7.7), (114.4, -8.7), (106, -7.4)),
    "new_guinea": (
        (131, -1), (134, -1), (141, -2.6), (145.5, -5), (150, -10.5), (147, -10), (143.5, -9), (141, -9),
        (138, -8.3), (137.5, -5), (132, -4),
    ),
    "australia": (
        (113, -22), (114, -26), (115, -34), (118, -35), (124, -33.5), (131, -31.5), (135, -34.8),
        (138, -35.5), (140.5, -38), (146, -39), (150, -37.5), (153, -31), (153.5, -25), (146, -19),
        (142.5, -10.7), (141.5, -17), (136.5, -15.5), (137, -12), (130.5, -11.5), (126, -14), (122, -18),
        (114, -21.8),
    ),
    "new_zealand": (
        (172.6, -34.4), (178.5, -37.7), (177, -39.6), (174.8, -41.4), (173, -43.7), (171, -45.6),
        (168.5, -46.6), (166.5, -45.7), (170.5, -42.8), (172.7, -40.5), (174.6, -37),
    ),
    "cuba": ((-85, 21.9), (-82, 23.2), (-77, 22.2), (-74.1, 20.2), (-77.7, 19.9), (-81, 21.6)),
    "hispaniola": ((-74.5, 18.4), (-72, 19.9), (-68.3, 18.6), (-71, 17.6)),
    "antarctica": (
        (-180, -90), (180, -90), (180, -71), (160, -69), (140, -66.5), (110, -66), (80, -67), (70, -68.5),
        (40, -69), (15, -70), (0, -70.5), (-20, -73), (-45, -78), (-60, -75), (-62, -64), (-58, -63.2),
        (-68, -68), (-75, -72), (-100, -73), (-130, -74), (-150, -77), (-180, -78),
    ),
}  # fmt: skip

WATER_OUTLINES: dict[str, Outline] = {
    "hudson_bay": (
        (-95, 59), (-92.5, 57), (-88, 56), (-82.3, 55), (-79, 51.5), (-78.5, 58.5), (-77, 60.5),
        (-78, 62.5), (-86, 66), (-91, 63.8), (-94, 61),
    ),
    "black_sea": (
        (28, 41.5), (28, 46), (31, 46.6), (34, 44.5), (39, 47), (38, 44.8), (41.5, 41.5), (36, 41.8),
        (31, 41.1),
    ),
    "caspian_sea": (
        (47.5, 43), (47, 44.5), (50, 46.5), (53, 47), (53, 45), (51.5, 43), (53, 41.5), (54, 37.3),
        (50.5, 36.8), (49, 38.5), (49.5, 40.5),
    ),
    "baltic_sea": (
        (10.8, 54.3), (14, 54), (19, 54.4), (21, 55.5), (21.5, 57.3), (24, 57.2), (24, 59.4), (30, 60),
        (23, 60), (21.5, 60.8), (21, 63), (25.5, 65), (22, 65.8), (17.5, 62.5), (18.7, 60), (16.5, 56.5),
        (14.2, 55.4), (12.5, 56), (12.5, 55),
    ),
}  # fmt: skip


def _unit(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in unit square coordinates: x east from -180, y south from the top edge."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    s = math.sin(math.radians(lat))
    return (lon + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def _latitude_of(unit_y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * unit_y))))


def tile_of(latitude: float, longitude: float, zoom: int) -> tuple[int, int]:
    """The ``(x, y)`` of the zoom-``zoom`` tile that holds a point."""
    ux, uy = _unit(longitude, latitude)
    n = 2**zoom
    return min(n - 1, max(0, int(ux * n))), min(n - 1, max(0, int(uy * n)))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of a tile in degrees."""
    n = 2**z
    return x / n * 360 - 180, _latitude_of((y + 1) / n), (x + 1) / n * 360 - 180, _latitude_of(y / n)


def _circle(lat: float, lon: float, radius_km: float, steps: int = 24) -> Outline:
    dlat = radius_km / 111.32
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    return tuple(
        (lon + dlon * math.cos(2 * math.pi * i / steps), lat + dlat * math.sin(2 * math.pi * i / steps))
        for i in range(steps)
    )


class _Shape:
    """An outline in unit Mercator coordinates with its bounding box."""

    def __init__(self, outline: Outline) -> None:
        self.points = [_unit(lon, lat) for lon, lat in outline]
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        self.box = (min(xs), min(ys), max(xs), max(ys))


_LAND = [_Shape(o) for o in LAND_OUTLINES.values()]
_WATER = [_Shape(o) for o in WATER_OUTLINES.values()]
_PATCHES = [_Shape(_circle(p.latitude, p.longitude, PLACE_PATCH_KM)) for p in seeddata.PLACES]

Point = tuple[float, float]


def _clip(points: Sequence[Point], low: float, high: float) -> list[Point]:
    """Sutherland-Hodgman: the polygon cut to the square ``[low, high]``² (pixel coordinates)."""

    def cut(pts: list[Point], axis: int, bound: float, keep_below: bool) -> list[Point]:
        out: list[Point] = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            cur_in = cur[axis] <= bound if keep_below else cur[axis] >= bound
            prev_in = prev[axis] <= bound if keep_below else prev[axis] >= bound
            if cur_in != prev_in:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cur_in:
                out.append(cur)
        return out

    pts = list(points)
    for axis, bound, keep_below in ((0, low, False), (0, high, True), (1, low, False), (1, high, True)):
        if not pts:
            break
        pts = cut(pts, axis, bound, keep_below)
    return pts


def _fill(
    draw: ImageDraw.ImageDraw, shapes: list[_Shape], z: int, x: int, y: int, color: tuple[int, ...]
) -> None:
    n = 2**z
    left, top, right, bottom = x / n, y / n, (x + 1) / n, (y + 1) / n
    scale = TILE_SIZE * n
    for shape in shapes:
        x0, y0, x1, y1 = shape.box
        if x1 < left or x0 > right or y1 < top or y0 > bottom:
            continue
        pixels = [(ux * scale - x * TILE_SIZE, uy * scale - y * TILE_SIZE) for ux, uy in shape.points]
        clipped = _clip(pixels, -2.0, TILE_SIZE + 2.0)
        if len(clipped) >= 3:
            draw.polygon(clipped, fill=color)


def _grid_step(z: int) -> float:
    """Degrees between graticule lines: about 64..160 pixels apart at this zoom."""
    per_degree = TILE_SIZE * 2**z / 360
    steps = [90.0, 45.0, 30.0, 15.0, 10.0, 5.0]
    steps += [m * 10.0**e for e in range(0, -8, -1) for m in (2.0, 1.0, 0.5)]
    for step in steps:
        if step * per_degree <= 160:
            return step
    return steps[-1]


def _graticule(draw: ImageDraw.ImageDraw, z: int, x: int, y: int) -> None:
    west, south, east, north = tile_bounds(z, x, y)
    step = _grid_step(z)
    scale = TILE_SIZE * 2**z
    for k in range(math.ceil(west / step), math.floor(east / step) + 1):
        px = math.floor(_unit(k * step, 0)[0] * scale - x * TILE_SIZE)
        if 0 <= px < TILE_SIZE:
            draw.line([(px, 0), (px, TILE_SIZE - 1)], fill=GRID)
    for k in range(math.ceil(south / step), math.floor(north / step) + 1):
        lat = k * step
        if abs(lat) > MAX_LATITUDE:
            continue
        py = math.floor(_unit(0, lat)[1] * scale - y * TILE_SIZE)
        if 0 <= py < TILE_SIZE:
            draw.line([(0, py), (TILE_SIZE - 1, py)], fill=GRID)


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default()


def _label(draw: ImageDraw.ImageDraw, z: int, x: int, y: int) -> None:
    text = f"{z}/{x}/{y}"
    left, top, right, bottom = draw.textbbox((0, 0), text, font=_font())
    width, height = right - left, bottom - top
    x0, y0 = 3, TILE_SIZE - height - 7
    draw.rectangle([x0 - 2, y0 - 2, x0 + width + 2, y0 + height + 2], fill=LABEL_BACKGROUND)
    draw.text((x0 - left, y0 - top), text, fill=LABEL, font=_font())


def valid_tile(z: int, x: int, y: int) -> bool:
    """True for a tile a ``{z}/{x}/{y}`` server has: zoom 0..`MAX_ZOOM`, x and y within 0..2^z-1."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def render_tile(z: int, x: int, y: int) -> bytes:
    """The PNG (256x256, RGB) of tile ``z/x/y``: land, water, graticule and the tile's name.

    Raises:
        ValueError: not a valid tile (see `valid_tile`).
    """
    if not valid_tile(z, x, y):
        raise ValueError(f"no tile {z}/{x}/{y}")
    image = Image.new("RGB", (TILE_SIZE, TILE_SIZE), WATER)
    draw = ImageDraw.Draw(image)
    _fill(draw, _LAND, z, x, y, LAND)
    _fill(draw, _WATER, z, x, y, WATER)
    _fill(draw, _PATCHES, z, x, y, LAND)
    _graticule(draw, z, x, y)
    _label(draw, z, x, y)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
