"""Issue 11 item 3: every failure of the OAuth callback gets the small HTML page, never a bare 500, and a
failure that may pass keeps the link usable. Real Redis faults (a read-only replica after a failover,
out of memory), a token endpoint that grants fewer permissions, and a bug."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask, request

from bot.instagram.config import ClientConfig
from bot.instagram.errors import ScopeDeclined
from bot.instagram.legacy import LegacyInstagram
from bot.storage.connection import connect
from bot.storage.embedded import EmbeddedRedis
from bot.storage.keys import link_key
from bot.threaded_server import start_server
from tests.stack import TEAM, Stack, login_url, start_stack


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[Stack, redis.Redis]]:
    """A stack on a Redis of its own, so the test may break that Redis."""
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    running = start_stack(url)
    client = connect(url)
    try:
        yield running, client
    finally:
        running.close()
        client.close()
        server.stop()


def _login(running: Stack) -> str:
    seen = len(running.slack.messages())
    running.command("login")
    prompt = running.slack.wait_for(lambda m: m.seq > seen and "Connect Instagram" in m.all_text())
    return login_url(prompt)


def test_a_read_only_redis_after_a_failover_gets_a_page_and_the_same_link_works_later(
    own_redis: tuple[Stack, redis.Redis],
) -> None:
    running, client = own_redis
    url = _login(running)
    client.execute_command("REPLICAOF", "127.0.0.1", "1")  # now a replica of nothing: READONLY writes
    try:
        page = running.approve(url, "alice")
    finally:
        client.execute_command("REPLICAOF", "NO", "ONE")
    assert page.status_code == 503 and "storage" in page.text and "<html" in page.text
    again = running.approve(url, "alice")  # the same Connect button, once storage is back
    assert again.status_code == 200 and "Instagram account @alice" in again.text
    running.wait_message("Connected as @alice", user_id="U0ALICE")


def test_redis_out_of_memory_while_storing_the_link_gets_a_page_not_a_500(
    own_redis: tuple[Stack, redis.Redis],
) -> None:
    running, client = own_redis
    url = _login(running)
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")  # every write that needs memory is refused with OOM
    try:
        page = running.approve(url, "alice")
    finally:
        client.config_set("maxmemory", "0")
    assert page.status_code < 500 or page.status_code == 503
    assert "storage" in page.text and "<html" in page.text
    assert not client.exists(link_key(TEAM, "U0ALICE"))


@pytest.fixture
def narrowing_token_server() -> Iterator[str]:
    """A token endpoint that answers with a narrower scope than asked for (oauthlib warns)."""
    app = Flask("narrow")

    @app.post("/oauth/access_token")
    def token() -> Any:
        assert request.form.get("code")
        return (
            json.dumps({"access_token": "narrow-token-123456", "scope": "basic", "user": {"id": "1"}}),
            200,
            {"Content-Type": "application/json"},
        )

    server = start_server(app)
    yield server.url
    server.stop()


def test_a_narrower_granted_scope_is_a_clear_refusal(narrowing_token_server: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    backend = LegacyInstagram(
        ClientConfig(
            client_id="c",
            client_secret="s",
            api_url=f"{narrowing_token_server}/v1",
            authorize_url=f"{narrowing_token_server}/oauth/authorize",
            token_url=f"{narrowing_token_server}/oauth/access_token",
            redirect_uri="http://127.0.0.1:1/instagram/callback",
        )
    )
    with pytest.raises(ScopeDeclined):
        backend.exchange_code("a-code")


def test_the_callback_page_for_a_narrower_scope_and_for_a_bug(stack: Stack, monkeypatch: Any) -> None:
    url = _login(stack)

    def narrower(code: str) -> Any:
        raise ScopeDeclined("fewer permissions granted than asked for")

    monkeypatch.setattr(stack.services.instagram, "exchange_code", narrower)
    page = stack.approve(url, "alice")
    assert page.status_code == 400 and "fewer permissions" in page.text
    url = _login(stack)

    def bug(code: str) -> Any:
        raise RuntimeError("a bug in igbot")

    monkeypatch.setattr(stack.services.instagram, "exchange_code", bug)
    page = stack.approve(url, "alice")
    assert page.status_code == 500 and "Reference" in page.text and "a bug in igbot" not in page.text
