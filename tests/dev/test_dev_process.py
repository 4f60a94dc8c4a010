"""`igbot dev` as a newcomer runs it: starts, answers, links a user, stops on Ctrl-C without leftovers,
and keeps the link across a restart (Redis data in IGBOT_DATA_DIR)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from tests.dev.process import DevProcess, alive, command_name, descendants
from tests.stack import _FormParser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command(dev: DevProcess, text: str, user_id: str = "U0ALICE") -> int:
    """Send `/ig text` through the console's JSON control; returns the seq after which answers come."""
    base = dev.urls["console"]
    before = requests.get(f"{base}__sandbox__/messages", timeout=5).json()
    answer = requests.post(f"{base}__sandbox__/command", json={"text": text, "user_id": user_id}, timeout=10)
    assert answer.status_code == 200 and answer.json()["error"] is None, answer.text
    return max((m["seq"] for m in before), default=0)


def wait_message(dev: DevProcess, since: int, containing: str, timeout: float = 10.0) -> dict[str, Any]:
    """Poll the stand-in for a message after ``since`` that contains ``containing``."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        found = requests.get(f"{dev.urls['console']}__sandbox__/messages?since={since}", timeout=5).json()
        seen = [m["all_text"] for m in found]
        match = next((m for m in found if containing in m["all_text"]), None)
        if match is not None:
            return dict(match)
        time.sleep(0.05)  # polling another process's state; each round is a real check
    raise AssertionError(f"no message with {containing!r} in {timeout} s; got {seen}")


def approve(authorize_url: str, username: str) -> requests.Response:
    """A browser on the sandbox's approval page: pick ``username``, Authorize, follow to the callback."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=5)
    form = _FormParser()
    form.feed(page.text)
    data = {**form.fields, "username": username, "decision": "authorize"}
    return browser.post(urljoin(page.url, form.action), data=data, timeout=10)


def test_dev_stops_without_leftovers_and_keeps_links_across_a_restart(tmp_path: Path) -> None:
    port = free_port()
    first = DevProcess.start(port, tmp_path)
    try:
        assert set(first.urls) == {"redis", "instagram", "slack", "bot", "workers", "console"}, first.lines
        assert first.urls["bot"] == f"http://127.0.0.1:{port}"
        assert f"igbot dev: instagram  {first.urls['instagram']} (sandbox, API v1)" in first.lines
        # legacy keeps its Redis data directly in IGBOT_DATA_DIR, where it always was (upgrades keep links)
        assert any(f"(data in {tmp_path.resolve()}; API v1 links)" in line for line in first.lines)
        console = requests.get(first.urls["console"], timeout=5)
        assert console.status_code == 200 and 'id="message-input"' in console.text
        assert requests.get(f"{first.urls['bot']}/healthz", timeout=5).json()["status"] == "ok"
        assert "workers" in first.urls  # `igbot dev` runs the worker tier too

        since = command(first, "login")
        prompt = wait_message(first, since, "Connect Instagram")
        [url] = [b["url"] for b in _buttons(prompt) if b.get("action_id") == "ig_connect"]
        page = approve(url, "alice")
        assert page.status_code == 200 and "Instagram account @alice" in page.text
        assert page.url.startswith(first.urls["bot"])
        back = requests.get(_back_link(page.text), timeout=5)  # the callback page's "Back to Slack"
        assert back.url.startswith(f"{first.urls['slack']}/?team=T0SANDBOX&channel=C0GENERAL")
        wait_message(first, since, "Connected as @alice")

        tree = descendants(first.process.pid)
        assert "redis-server" in {command_name(pid) for pid in tree}, tree
        first.interrupt()
        assert first.wait() == 0, first.lines
        assert first.lines[-1] == "igbot dev: stopped", first.lines
        assert [pid for pid in tree if alive(pid)] == []
    finally:
        first.kill()
    assert (tmp_path / "redis.log").exists() and not (tmp_path / "graph").exists()

    second = DevProcess.start(port, tmp_path)
    try:
        since = command(second, "me")
        wait_message(second, since, "@alice")  # not linked, it would say "You haven't connected ..."
        second.interrupt()
        assert second.wait() == 0, second.lines
    finally:
        second.kill()


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b.get("type") == "actions" for e in b.get("elements", [])]


def _back_link(html: str) -> str:
    marker = 'id="back-to-slack" href="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)].replace("&amp;", "&")
