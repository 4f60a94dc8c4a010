"""Connecting to Redis with timeouts that keep a command's answer inside Slack's limits."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that fails fast when Redis is down and reconnects by itself when it is back."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=2.0,
        socket_connect_timeout=1.0,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )
