"""Web Mercator (EPSG:3857) in the XYZ tile scheme: where a coordinate lands on a rendered map."""

from __future__ import annotations

import math

TILE_SIZE = 256
MAX_LATITUDE = 85.05112877980659  # Web Mercator's square world: atan(sinh(pi))


def world_xy(lat: float, lng: float) -> tuple[float, float]:
    """``(lat, lng)`` in degrees as fractions of the world, ``(0, 0)`` top-left (180°W, 85.05°N) to
    ``(1, 1)`` bottom-right; longitudes outside -180..180 wrap."""
    x = ((lng + 180.0) / 360.0) % 1.0
    phi = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(phi)) / math.pi) / 2.0
    return x, y


def world_latlng(x: float, y: float) -> tuple[float, float]:
    """The inverse of :func:`world_xy`: world fractions back to ``(lat, lng)`` in degrees."""
    lng = ((x % 1.0) * 360.0) - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y))))
    return lat, lng


def world_size(zoom: int) -> int:
    """The width (and height) of the whole world in pixels at ``zoom``."""
    return TILE_SIZE * (1 << zoom)


def project(
    lat: float, lng: float, zoom: int, center: tuple[float, float], width: int, height: int
) -> tuple[float, float]:
    """The pixel ``(x, y)`` of ``(lat, lng)`` on a ``width`` x ``height`` map at ``zoom`` whose centre
    ``(lat, lng)`` is at pixel ``(width / 2, height / 2)``; pixel ``(0, 0)`` is the top-left corner of
    the top-left pixel, so a point lies in pixel ``(floor(x), floor(y))``.

    Longitude differences wrap to the nearest copy of the world (a pin at 179°E on a map centred on
    179°W is drawn 2° east of the centre, not 358° west)."""
    x, y = world_xy(lat, lng)
    cx, cy = world_xy(*center)
    dx = (x - cx + 0.5) % 1.0 - 0.5
    size = world_size(zoom)
    return width / 2.0 + dx * size, height / 2.0 + (y - cy) * size


def unproject(
    px: float, py: float, zoom: int, center: tuple[float, float], width: int, height: int
) -> tuple[float, float]:
    """The ``(lat, lng)`` at pixel ``(px, py)`` of the map :func:`project` describes."""
    cx, cy = world_xy(*center)
    size = world_size(zoom)
    return world_latlng(cx + (px - width / 2.0) / size, cy + (py - height / 2.0) / size)
