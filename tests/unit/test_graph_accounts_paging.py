"""`GraphInstagram.accounts` follows ``paging.next`` to the end, bounded, against a tiny local HTTP
server (issue 11, item 11): never past 10 pages or 500 accounts, never in a loop, never to another host,
and always with igbot's own token rather than one a ``next`` URL carries."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.instagram.config import ClientConfig
from bot.instagram.errors import TokenInvalid
from bot.instagram.graph.backend import ACCOUNT_PAGES, MAX_ACCOUNTS, GraphInstagram
from bot.instagram.models import Credentials

Page = Callable[[int, str], dict[str, Any]]  # (page number, base URL) -> answer


class Server:
    """Answers ``/v25.0/me/accounts?page=N`` with ``answer(N, base)``; records every request."""

    def __init__(self, answer: Page) -> None:
        self.answer = answer
        self.requests: list[dict[str, list[str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                outer.requests.append(query)
                body = json.dumps(outer.answer(int(query.get("page", ["1"])[0]), outer.base)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v25.0"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def backend(self) -> GraphInstagram:
        config = ClientConfig(
            "cid", "secret", self.base, f"{self.base}/dialog", f"{self.base}/token", "http://x/cb"
        )
        return GraphInstagram(config)


@pytest.fixture
def serve() -> Iterator[Callable[[Page], Server]]:
    started: list[Server] = []

    def start(answer: Page) -> Server:
        started.append(Server(answer))
        return started[-1]

    yield start
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


def _page(number: int, accounts: int, next_url: str | None, *, start: int = 0) -> dict[str, Any]:
    data: list[dict[str, Any]] = [{"id": f"p{number}-{i}", "name": "No IG"} for i in range(3)]
    data += [
        {
            "id": f"p{number}-ig{i}",
            "instagram_business_account": {"id": f"{start + i}", "username": f"a{start + i}"},
        }
        for i in range(accounts)
    ]
    body: dict[str, Any] = {"data": data, "paging": {"cursors": {"after": f"c{number}"}}}
    if next_url:
        body["paging"]["next"] = next_url
    return body


def test_every_page_is_read_with_igbots_own_token(serve: Callable[[Page], Server]) -> None:
    def answer(n: int, base: str) -> dict[str, Any]:
        following = (
            f"{base}/me/accounts?page={n + 1}&access_token=SOMEONE-ELSES&after=c{n}" if n < 3 else None
        )
        return _page(n, 1, following, start=n)

    server = serve(answer)
    accounts = server.backend().accounts(Credentials("MINE"))
    assert [a.username for a in accounts] == ["a1", "a2", "a3"]
    assert len(server.requests) == 3
    assert all(r["access_token"] == ["MINE"] for r in server.requests)
    assert server.requests[1]["after"] == ["c1"] and "fields" in server.requests[0]


def test_at_most_ten_pages(serve: Callable[[Page], Server]) -> None:
    server = serve(lambda n, base: _page(n, 1, f"{base}/me/accounts?page={n + 1}", start=n))
    accounts = server.backend().accounts(Credentials("MINE"))
    assert len(server.requests) == ACCOUNT_PAGES and len(accounts) == ACCOUNT_PAGES


def test_at_most_five_hundred_accounts(serve: Callable[[Page], Server]) -> None:
    server = serve(lambda n, base: _page(n, 200, f"{base}/me/accounts?page={n + 1}", start=n * 1000))
    accounts = server.backend().accounts(Credentials("MINE"))
    assert len(accounts) == MAX_ACCOUNTS and len(server.requests) == 3


def test_a_cursor_that_does_not_move_stops(serve: Callable[[Page], Server]) -> None:
    server = serve(lambda n, base: _page(n, 1, f"{base}/me/accounts?page=2", start=0))
    accounts = server.backend().accounts(Credentials("MINE"))
    assert len(server.requests) == 2 and [a.id for a in accounts] == ["0"]  # the same account once


@pytest.mark.parametrize(
    "following",
    ["https://evil.example/v25.0/me/accounts?page=2", "http://127.0.0.1:1/v25.0/me/accounts?page=2",
     "http://[::1/x", "not a url", 42, None, ""],
)  # fmt: skip
def test_next_elsewhere_or_malformed_is_not_followed(serve: Callable[[Page], Server], following: Any) -> None:
    def answer(n: int, base: str) -> dict[str, Any]:
        body = _page(n, 1, None, start=n)
        body["paging"]["next"] = following
        return body

    server = serve(answer)
    assert [a.id for a in server.backend().accounts(Credentials("MINE"))] == ["1"]
    assert len(server.requests) == 1


def test_an_error_on_a_later_page_is_the_error(serve: Callable[[Page], Server]) -> None:
    def answer(n: int, base: str) -> dict[str, Any]:
        if n == 2:
            return {"error": {"code": 190, "error_subcode": 463}}
        return _page(n, 1, f"{base}/me/accounts?page=2")

    server = serve(answer)
    with pytest.raises(TokenInvalid) as info:
        server.backend().accounts(Credentials("MINE"))
    assert info.value.token_fingerprint == Credentials("MINE").fingerprint
