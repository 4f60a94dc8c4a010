"""Connecting to Redis: a patient client for workers, a fast-failing one for the ack path."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that fails within seconds when Redis is down and reconnects by itself when
    it is back (workers, scripts)."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=2.0,
        socket_connect_timeout=1.0,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


def connect_fast(url: str, *, timeout: float) -> redis.Redis:
    """A client whose every call fails after ``timeout`` seconds with no retry (the ack path: a
    stalled Redis must not hold an answer to Slack)."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 0),
    )
