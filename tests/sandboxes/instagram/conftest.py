"""Fixtures for the Instagram sandbox tests: a fake clock, a sandbox on a free port, small helpers."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.threaded_server import RunningServer, start_server
from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.callback_server import CallbackServer

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:3000/instagram/callback"
TIMEOUT = 5


class FakeClock:
    """A clock tests move by hand (code expiry, rate windows) instead of sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> InstagramSandbox:
    return InstagramSandbox(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        rate_limit_per_hour=5000,
        code_ttl_seconds=600,
        seed=1,
        clock=clock,
        push_timeout_seconds=1.0,
        push_retry_delays=(0.05, 0.1, 0.2),  # the default 0.5, 1, 2 s, sped up
        webhook_timeout_seconds=0.5,  # Meta's 5 s, sped up
        webhook_retry_delays=(0.0, 0.05, 0.1),  # the default 0, 0.2, 0.5, 1, 2, 4 s, shortened
    )


@pytest.fixture
def server(sandbox: InstagramSandbox) -> Iterator[RunningServer]:
    running = sandbox.start(host="127.0.0.1", port=0)
    yield running
    sandbox.reset()  # wakes any request still sleeping in injected latency
    sandbox.stop()  # this server and the push delivery threads


@pytest.fixture
def callback() -> Iterator[CallbackServer]:
    """A real-time callback on a free loopback port (see callback_server.py)."""
    app = CallbackServer()
    running = start_server(app, host="127.0.0.1", port=0, name="test-callback")
    app.base_url = running.url
    yield app
    running.stop()


def subscribe(base: str, callback_url: str, object_type: str, **fields: Any) -> requests.Response:
    """Create a subscription as python-instagram does: client_id and client_secret in the query
    string, the other parameters as a form body, ``.json`` after the path."""
    data = {"object": object_type, "aspect": "media", "callback_url": callback_url, "verify_token": "vt-123"}
    data.update({k: str(v) for k, v in fields.items()})
    credentials = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return requests.post(f"{base}/v1/subscriptions.json", params=credentials, data=data, timeout=TIMEOUT)


def add_media(base: str, **body: Any) -> requests.Response:
    """``POST /__sandbox__/media``."""
    return requests.post(f"{base}/__sandbox__/media", json=body, timeout=TIMEOUT)


@pytest.fixture
def base(server: RunningServer) -> str:
    return server.url


class FormParser(HTMLParser):
    """Collects the authorize form: action, hidden inputs, select options, buttons, element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.method = ""
        self.hidden: dict[str, str] = {}
        self.options: list[str] = []
        self.buttons: dict[str, tuple[str, str]] = {}  # id -> (name, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "form":
            self.action, self.method = a.get("action", ""), a.get("method", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "option":
            self.options.append(a.get("value", ""))
        elif tag == "button":
            self.buttons[a.get("id", "")] = (a.get("name", ""), a.get("value", ""))


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def approve(
    base: str,
    *,
    username: str = "alice",
    redirect_uri: str = REDIRECT_URI,
    scope: str | None = "basic relationships public_content",
    state: str | None = "st4te",
    decision: str = "authorize",
) -> requests.Response:
    """Open the authorize page and press a button as a browser would; returns the (unfollowed) redirect."""
    params = {"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code"}
    if scope is not None:
        params["scope"] = scope
    if state is not None:
        params["state"] = state
    page = requests.get(f"{base}/oauth/authorize", params=params, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = parse_form(page.text)
    data = dict(form.hidden)
    data["username"] = username
    name, value = form.buttons[decision]
    data[name] = value
    return requests.post(base + form.action, data=data, allow_redirects=False, timeout=TIMEOUT)


def get_code(base: str, **kwargs: Any) -> str:
    response = approve(base, **kwargs)
    assert response.status_code == 302, response.text
    return query_of(response.headers["Location"])["code"]


def exchange(base: str, code: str, **overrides: str) -> requests.Response:
    data = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    data.update(overrides)
    return requests.post(f"{base}/oauth/access_token", data=data, timeout=TIMEOUT)


def api(
    base: str,
    path: str,
    method: str = "GET",
    data: dict[str, str] | None = None,
    timeout: float | tuple[float, float] = TIMEOUT,
    **params: Any,
) -> requests.Response:
    return requests.request(method, f"{base}/v1{path}", params=params, data=data, timeout=timeout)
