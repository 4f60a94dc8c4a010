"""Dramatiq on igbot's Redis: the broker, its middleware and the settings that make delivery safe.

Delivery is at least once. A worker that dies (SIGKILL, OOM) stops sending heartbeats; after
``HEARTBEAT_TIMEOUT_MS`` its unacknowledged jobs go back on their queue the next time any broker
call runs maintenance. Dramatiq's defaults (60 s heartbeat timeout, maintenance on 0.1 % of calls)
left jobs stuck for minutes; these settings re-deliver within about 15 s (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AgeLimit, CurrentMessage, Retries, ShutdownNotifications, SkipMessage

from bot.core.jobs import MAX_BUSY_RETRIES, MAX_RETRIES, Later, RunLater
from bot.storage.keys import JOBS_NAMESPACE

log = logging.getLogger(__name__)

NAMESPACE = JOBS_NAMESPACE
INTERACTIVE = "interactive"  # commands, button work, the end of a link: someone is waiting
BACKGROUND = "background"  # reminders and other scheduled work
HEARTBEAT_TIMEOUT_MS = 10_000
MAINTENANCE_CHANCE = 100_000  # per million broker calls: about every 10th idle poll of a worker
DEAD_MESSAGE_TTL_MS = 86_400_000  # failed jobs kept a day for inspection (they hold response URLs)
RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000  # Slack's: a command job older than this cannot answer
MIN_BACKOFF_MS = 300
MAX_BACKOFF_MS = 3_000
DROPPED_KEY = f"{NAMESPACE}:dropped"  # how many jobs were too old to run (a counter, 30-day expiry)


def _retry_when(retries: int, exc: BaseException) -> bool:
    if isinstance(exc, RunLater) and exc.why is Later.BUSY:
        return retries < MAX_BUSY_RETRIES
    return isinstance(exc, dramatiq.Retry) and retries < MAX_RETRIES


class DropStale(AgeLimit):
    """Dramatiq's age limit, plus a count of the dropped jobs in Redis and a log line without the payload."""

    def __init__(self, counter: redis.Redis, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._counter = counter

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        try:
            super().before_process_message(broker, message)  # type: ignore[no-untyped-call]
        except SkipMessage:
            log.warning("dropped a %s job older than its age limit", message.actor_name)
            try:
                pipe = self._counter.pipeline()
                pipe.incr(DROPPED_KEY)
                pipe.expire(DROPPED_KEY, 30 * 86400)
                pipe.execute()
            except redis.RedisError:
                pass
            raise


def broker_client(url: str, *, timeout: float) -> redis.Redis:
    """A client for the broker (bytes, as Dramatiq needs), failing after ``timeout`` seconds, no retries.

    The web tier uses a short ``timeout`` so an ack never waits on a stalled Redis; workers a longer one.
    """
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
    )


def make_broker(client: redis.Redis) -> RedisBroker:
    """The broker every igbot process shares (through Redis) with its middleware.

    Retries happen only for `dramatiq.Retry`, which job bodies raise for transient Instagram or Slack
    failures; user errors are answered, never retried.
    """
    middleware = [
        DropStale(client),
        ShutdownNotifications(),
        CurrentMessage(),
        Retries(
            max_retries=MAX_RETRIES,
            min_backoff=MIN_BACKOFF_MS,
            max_backoff=MAX_BACKOFF_MS,
            retry_when=_retry_when,
        ),
    ]
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=NAMESPACE,
        middleware=middleware,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
        dead_message_ttl=DEAD_MESSAGE_TTL_MS,
    )
    return broker


def queue_key(queue_name: str) -> str:
    """The Redis list holding a queue's waiting job ids."""
    return f"{NAMESPACE}:{queue_name}"


def quiet_dramatiq() -> None:
    """Dramatiq logs whole messages (their arguments hold response URLs) when it skips or fails one;
    igbot's job bodies log their own lines instead."""
    logging.getLogger("dramatiq.worker.WorkerThread").setLevel(logging.ERROR)
    logging.getLogger("dramatiq.middleware.age_limit.DropStale").setLevel(logging.ERROR)
