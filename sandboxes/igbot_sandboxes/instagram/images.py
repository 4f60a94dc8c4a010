"""Deterministic PNG pictures for media and avatars, drawn with the stdlib only (zlib + struct).

Each picture is a diagonal gradient with a few shapes, all chosen from a hash of its key, so every
media looks different yet the same key always gives the same bytes.  Rows are built with slice
assignment (no per-pixel Python loop), so a 640x640 image takes a few milliseconds; results are cached.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from functools import lru_cache

SIZES = {"thumbnail": 150, "low_resolution": 320, "standard_resolution": 640}
AVATAR_SIZE = 150

Color = tuple[int, int, int]


def png_bytes(width: int, height: int, rows: list[bytes]) -> bytes:
    """Encode RGB rows (3 bytes per pixel) as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


class _Dice:
    """A stream of numbers derived from a key (stable across runs and Python versions)."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self._pool = b""
        self._counter = 0

    def byte(self) -> int:
        if not self._pool:
            self._counter += 1
            self._pool = hashlib.sha256(self._key + self._counter.to_bytes(4, "big")).digest()
        value, self._pool = self._pool[0], self._pool[1:]
        return value

    def unit(self) -> float:
        return (self.byte() * 256 + self.byte()) / 65535

    def color(self, low: int = 30, high: int = 235) -> Color:
        return (
            low + self.byte() % (high - low),
            low + self.byte() % (high - low),
            low + self.byte() % (high - low),
        )


def _gradient(size: int, start: Color, end: Color) -> bytes:
    """2*size colours from start to end; row y of the picture is the slice [3y, 3(y+size))."""
    steps = 2 * size
    out = bytearray()
    for i in range(steps):
        t = i / (steps - 1)
        out += bytes(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
    return bytes(out)


def _draw(size: int, dice: _Dice, shapes: int, play_button: bool) -> bytes:
    background = _gradient(size, dice.color(), dice.color())
    circles = []
    for _ in range(shapes):
        circles.append(
            (
                dice.unit() * size,
                dice.unit() * size,
                (0.08 + dice.unit() * 0.25) * size,
                bytes(dice.color(10, 250)),
            )
        )
    rects = []
    for _ in range(max(1, shapes // 2)):
        x0, y0 = int(dice.unit() * size * 0.8), int(dice.unit() * size * 0.8)
        rects.append(
            (
                x0,
                y0,
                x0 + int((0.1 + dice.unit() * 0.3) * size),
                y0 + int((0.05 + dice.unit() * 0.2) * size),
                bytes(dice.color(10, 250)),
            )
        )
    rows = []
    for y in range(size):
        row = bytearray(background[3 * y : 3 * (y + size)])
        for x0, y0, x1, y1, color in rects:
            if y0 <= y < y1:
                a, b = x0, min(x1, size)
                row[3 * a : 3 * b] = color * (b - a)
        for cx, cy, r, color in circles:
            dy = y + 0.5 - cy
            if abs(dy) < r:
                half = math.sqrt(r * r - dy * dy)
                a, b = max(0, int(cx - half)), min(size, int(cx + half))
                if b > a:
                    row[3 * a : 3 * b] = color * (b - a)
        if play_button:
            _play_span(row, y, size)
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


def _play_span(row: bytearray, y: int, size: int) -> None:
    """A white "play" triangle in the middle, marking a video's cover image."""
    top, bottom, left = size * 0.35, size * 0.65, size * 0.42
    if top <= y < bottom:
        width = (1 - abs(y - size / 2) / (size * 0.15)) * size * 0.26
        a, b = int(left), int(left + width)
        row[3 * a : 3 * b] = b"\xff\xff\xff" * (b - a)


@lru_cache(maxsize=512)
def media_image(media_id: str, size: int, video: bool = False) -> bytes:
    """The picture of a media at ``size`` x ``size`` pixels (PNG); a video's cover has a play button."""
    dice = _Dice(f"media:{media_id}")
    return _draw(size, dice, 3 + dice.byte() % 4, video)


@lru_cache(maxsize=256)
def avatar_image(user_id: str, size: int = AVATAR_SIZE) -> bytes:
    """A profile picture: a head and shoulders over a coloured background (PNG)."""
    dice = _Dice(f"avatar:{user_id}")
    back, skin, shirt = dice.color(60, 220), dice.color(120, 240), dice.color(20, 200)
    darker: Color = (max(0, back[0] - 60), max(0, back[1] - 60), max(0, back[2] - 60))
    background = _gradient(size, back, darker)
    parts = (
        (size * 0.5, size * 0.4, size * 0.2, bytes(skin)),
        (size * 0.5, size * 1.05, size * 0.42, bytes(shirt)),
    )
    rows = []
    for y in range(size):
        row = bytearray(background[3 * y : 3 * (y + size)])
        for cx, cy, r, color in parts:
            dy = y + 0.5 - cy
            if abs(dy) < r:
                half = math.sqrt(r * r - dy * dy)
                a, b = max(0, int(cx - half)), min(size, int(cx + half))
                row[3 * a : 3 * b] = color * (b - a)
        rows.append(bytes(row))
    return png_bytes(size, size, rows)
