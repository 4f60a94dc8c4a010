"""Test doubles around the Slack stand-in: a recording fake bot, a hand-moved clock, an image server."""

from __future__ import annotations

import struct
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


@dataclass
class Received:
    """One request the fake bot received."""

    body: bytes
    headers: dict[str, str]

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


Reply = tuple[str, list[tuple[str, str]], bytes]


@dataclass
class FakeBot:
    """A WSGI app standing in for the bot: records each request and answers with ``reply``."""

    reply: Callable[[Received], Reply] = lambda _req: ("200 OK", [], b"")
    received: list[Received] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")
        }
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        request = Received(body=body, headers=headers)
        self.received.append(request)
        status, response_headers, payload = self.reply(request)
        start_response(status, response_headers)
        return [payload]


class FakeClock:
    """A clock tests move forward by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def json_reply(body: bytes) -> Reply:
    """A 200 answer with a JSON body."""
    return "200 OK", [("Content-Type", "application/json")], body


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@dataclass
class ImageServer:
    """A WSGI app serving pictures and failures for the image download check, counting each path's hits.

    - ``/ok/<anything>.png``: 200 ``image/png`` (after ``delay`` seconds)
    - ``/missing.png``: 404; ``/page.html``: 200 ``text/html``; ``/empty.png``: 200 ``image/png``, no body
    - ``/slow.png``: the picture after ``slow`` seconds
    - ``/redirect/ok`` and ``/redirect/missing``: 302 to ``/ok/r.png`` / ``/missing.png``
    """

    delay: float = 0.0
    slow: float = 3.0
    hits: dict[str, int] = field(default_factory=dict)
    base_url: str = ""
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests served at the same time
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._answer(path, start_response)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, path: str, start_response: Callable[..., Any]) -> Iterable[bytes]:
        png = ("Content-Type", "image/png")
        if path.startswith("/ok/"):
            time.sleep(self.delay)
            start_response("200 OK", [png])
            return [tiny_png()]
        if path == "/slow.png":
            time.sleep(self.slow)
            start_response("200 OK", [png])
            return [tiny_png()]
        if path == "/page.html":
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [b"<html><body>not a picture</body></html>"]
        if path == "/empty.png":
            start_response("200 OK", [png, ("Content-Length", "0")])
            return [b""]
        if path.startswith("/redirect/"):
            target = "/ok/r.png" if path == "/redirect/ok" else "/missing.png"
            start_response("302 Found", [("Location", target)])
            return [b""]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such picture"]

    def total(self) -> int:
        return sum(self.hits.values())


def image_block(url: str, alt: str = "a picture") -> dict[str, Any]:
    return {"type": "image", "image_url": url, "alt_text": alt}
