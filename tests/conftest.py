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

pytest_plugins = ["tests.run_checks"]


def pytest_configure(config: pytest.Config) -> None:
    """Capture every log record of the run (scanned for secrets when it ends: `tests.run_checks`)."""
    log_capture.install()
    config.addinivalue_line("markers", "allow_skip(reason): this test may skip in CI, for the reason given")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (``CI`` set) a skip fails the run, unless the test is marked ``allow_skip(reason=...)``:
    a check that silently does not run is no check."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and os.environ.get("CI")
        and item.get_closest_marker("allow_skip") is None
    ):
        report.outcome = "failed"
        why = "skipped in CI, which allows no skip without @pytest.mark.allow_skip"
        report.longrepr = f"{why}: {report.longrepr}"


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
