"""The one storage error the rest of the bot needs to know about."""

from collections.abc import Iterator
from contextlib import contextmanager

import redis


class StorageUnavailable(Exception):
    """Redis could not be reached or did not answer in time."""


@contextmanager
def redis_errors() -> Iterator[None]:
    """Turn redis-py's connection errors into StorageUnavailable."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise StorageUnavailable(type(exc).__name__) from exc
