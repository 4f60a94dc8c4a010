"""Deleting keys by pattern, for the stores' ``forget_team`` (a workspace that uninstalled igbot)."""

from __future__ import annotations

from collections.abc import Iterator

import redis

from bot.storage.errors import redis_errors

SCAN_COUNT = 500


def scan(client: redis.Redis, pattern: str) -> Iterator[str]:
    """Every key matching ``pattern`` (SCAN: never blocks Redis the way KEYS does).

    Raises:
        StorageUnavailable: Redis did not answer.
    """
    with redis_errors():
        for key in client.scan_iter(match=pattern, count=SCAN_COUNT):
            yield str(key)


def delete_matching(client: redis.Redis, *patterns: str) -> int:
    """Delete every key matching any of ``patterns``; returns how many went.

    Raises:
        StorageUnavailable: Redis did not answer.
    """
    deleted = 0
    with redis_errors():
        for pattern in patterns:
            for key in scan(client, pattern):
                deleted += int(client.delete(key))
    return deleted
