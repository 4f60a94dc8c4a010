"""Test doubles around the Slack stand-in: a recording fake bot and a hand-moved clock."""

from __future__ import annotations

import urllib.parse
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
