"""Shared fixtures: a real Redis server (embedded unless REDIS_URL is given), and `serve` (any WSGI app on
a free loopback port, stopped after the test)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

import tests.hypothesis_profiles  # noqa: F401  (registers the Hypothesis profiles and loads dev/ci/fuzz)
from bot.storage.connection import connect
from bot.storage.embedded import EmbeddedRedis
from bot.threaded_server import RunningServer, start_server
from tests import log_capture


def pytest_configure(config: pytest.Config) -> None:
    """Capture every log record of the run (see tests/zz_last/test_no_secrets_in_logs.py)."""
    log_capture.install()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server for the whole run: REDIS_URL if set, else the embedded one (stopped at the end)."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield server.start()
    server.stop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on an empty database; emptied again after the test."""
    client = connect(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh IGBOT_DATA_DIR."""
    path = tmp_path / "igbot-data"
    path.mkdir()
    return path


@pytest.fixture
def serve() -> Iterator[Callable[[Any], RunningServer]]:
    """Serve any WSGI app on a free loopback port; every server is stopped after the test."""
    servers: list[RunningServer] = []

    def _serve(app: Any) -> RunningServer:
        server = start_server(app, host="127.0.0.1", port=0, name="test-bot")
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.stop()
