"""igbot's Dramatiq actors: one per `Job` the features declare (`bot.features.catalog.JOBS`). Every process
declares them on its broker; only workers run them.

The web tier sends (one Redis round trip); a worker process sets the `JobContext` the bodies need. Bodies
never raise except `RunLater` for a transient failure: everything else is answered to the user (or logged,
for scheduled work), so Dramatiq never logs a job's arguments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage

from bot.core.failures import is_transient
from bot.core.jobs import JobContext, Later, RunLater, final_attempt, retry_later
from bot.core.queue import Job, Lane
from bot.storage import StorageUnavailable
from bot.storage.errors import redis_errors
from bot.worker.broker import RESPONSE_URL_LIFETIME_MS

log = logging.getLogger(__name__)

Actors = Mapping[str, dramatiq.Actor[..., None]]  # by job name


class ContextHolder:
    """Where a worker process puts its `JobContext`; the web tier never sets one."""

    def __init__(self) -> None:
        self.context: JobContext | None = None

    def get(self) -> JobContext:
        """The worker's context (a job cannot run outside a worker)."""
        if self.context is None:
            raise RuntimeError("igbot jobs run only in a worker process (igbot worker)")
        return self.context


def _guarded(broker: RedisBroker, context: JobContext, what: str, work: Callable[[], None]) -> None:
    """Run a job body: transient failures become a retry, a paced job a fresh one at its slot, anything
    else is logged once, without arguments."""
    try:
        work()
    except StorageUnavailable as exc:
        _wait_for_storage(context.redis)  # a retry must be queued in Redis: give it a moment to come back
        raise retry_later(f"storage unavailable ({exc})") from None
    except RunLater as later:
        if later.why is not Later.PACED:
            raise
        try:
            _send_again(broker, later.delay_ms or 0)
        except StorageUnavailable as exc:  # not sent again: retried like any job that found Redis away
            _wait_for_storage(context.redis)
            raise retry_later(f"storage unavailable ({exc})") from None
    except dramatiq.Retry:
        raise
    except Exception as exc:
        if is_transient(exc) and not final_attempt():
            raise retry_later(type(exc).__name__) from None
        log.exception("%s job failed", what)


def _send_again(broker: RedisBroker, delay_ms: int) -> None:
    """The current job again as a fresh one (its retries not counted) in ``delay_ms``: pacing is not a
    failure, so a burst drains at Slack's pace however long it is."""
    message = CurrentMessage.get_current_message()
    if message is None:
        return
    actor = broker.get_actor(message.actor_name)
    with redis_errors():
        actor.send_with_options(args=message.args, kwargs=message.kwargs, delay=delay_ms)


STORAGE_WAIT_SECONDS = 20.0


def _wait_for_storage(client: redis.Redis) -> None:
    """Block (bounded) until Redis answers again, so that the job's retry can be queued there."""
    deadline = time.monotonic() + STORAGE_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            client.ping()
            return
        except (redis.RedisError, OSError):
            time.sleep(0.5)  # waiting for Redis to come back, bounded by the deadline


def declare_actors(broker: RedisBroker, holder: ContextHolder, jobs: Sequence[Job[Any]]) -> Actors:
    """Declare one actor per job on ``broker``; their bodies use the context ``holder`` gets in a worker."""

    def actor(job: Job[Any]) -> dramatiq.Actor[..., None]:
        def run(*args: Any, **kwargs: Any) -> None:
            context = holder.get()
            _guarded(broker, context, job.what, lambda: job.body(context, *args, **kwargs))

        options: dict[str, Any] = {}
        if job.lane is Lane.INTERACTIVE:  # older than a response URL's lifetime, nobody can be answered
            options["max_age"] = RESPONSE_URL_LIFETIME_MS
        return dramatiq.actor(actor_name=job.name, queue_name=job.lane.value, broker=broker, **options)(run)

    actors: dict[str, dramatiq.Actor[..., None]] = {}
    for job in jobs:
        if job.name in actors:
            raise ValueError(f"job {job.name} is declared twice")
        actors[job.name] = actor(job)
    return actors
