"""The running stack for end-to-end tests; every server a test starts is stopped by it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.stack import Stack, start_stack


@pytest.fixture
def stack(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """Sandbox Instagram + Slack stand-in + the bot on a clean Redis."""
    running = start_stack(redis_url)
    yield running
    running.close()
