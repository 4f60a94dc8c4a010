"""The one storage error the rest of the bot needs to know about."""

from collections.abc import Iterator
from contextlib import contextmanager

import redis


class StorageUnavailable(Exception):
    """Redis could not be reached, did not answer in time, or refused to work (out of memory, a
    read-only replica after a failover, still loading)."""


@contextmanager
def redis_errors() -> Iterator[None]:
    """Turn redis-py's errors into StorageUnavailable."""
    try:
        yield
    except (redis.RedisError, OSError) as exc:
        raise StorageUnavailable(type(exc).__name__) from exc
