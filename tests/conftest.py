"""Shared fixtures: a real Redis server (embedded unless REDIS_URL is given)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import tests.hypothesis_profiles  # noqa: F401  (registers the Hypothesis profiles and loads dev/ci/fuzz)
from bot.storage.connection import connect
from bot.storage.embedded import EmbeddedRedis
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
