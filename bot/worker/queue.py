"""The web tier's side of the job queue: admit (or refuse) work in the ack, enqueue it, report health.

Every call here is on the ack path or the health check, so it uses a Redis client with a short
timeout and no retries: a stalled Redis costs an ack at most a fraction of a second and gets the
"can't reach storage" answer.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis

from bot.core.queue import Admission, Job, P, QueueHealth
from bot.storage.errors import StorageUnavailable
from bot.storage.keys import WORKERS_KEY
from bot.worker.broker import HEARTBEAT_TIMEOUT_MS, INTERACTIVE, queue_key

if TYPE_CHECKING:  # the actors' bodies import the Slack side, which uses this module's Admission
    from bot.worker.actors import Actors

# A worker beats every 2 s (`bot.worker.process.HEARTBEAT_SECONDS`); after 5 missed beats it counts as gone,
# exactly when the broker counts it dead and hands its jobs to the others.
WORKER_ALIVE_SECONDS = HEARTBEAT_TIMEOUT_MS // 1000
DEFAULT_QUEUE_LIMIT = 10_000  # waiting jobs: a hard bound on memory whatever the workers' pace
DEFAULT_MAX_WAIT_SECONDS = 60  # a new command is refused when the oldest waiting one waited this long

# The depth of the queue and the oldest waiting job's message, in one round trip.
_HEAD = """
local depth = redis.call('LLEN', KEYS[1])
if depth == 0 then return {0, false} end
return {depth, redis.call('HGET', KEYS[2], redis.call('LINDEX', KEYS[1], 0))}
"""


def _waited(message: object) -> float:
    """Seconds since a queued Dramatiq message (JSON) was sent; 0 when unknown."""
    if not isinstance(message, str):
        return 0.0
    try:
        sent = json.loads(message).get("message_timestamp")
    except (ValueError, AttributeError):
        return 0.0
    return max(0.0, time.time() - sent / 1000) if isinstance(sent, int | float) else 0.0


def _must_send(send: Callable[[], Any]) -> None:
    """Send a job that is never refused (someone waits for it, or Slack or Instagram will not ask again).

    Raises:
        StorageUnavailable: Redis did not take it.
    """
    try:
        send()
    except (redis.RedisError, OSError) as exc:
        raise StorageUnavailable(type(exc).__name__) from exc


def worker_name() -> str:
    """This process as the heartbeat set names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobQueue:
    """Sends igbot's jobs. Interactive work is refused ("igbot is busy") when the workers are behind:
    the oldest waiting job has waited ``max_wait`` seconds (whatever their pace, a new command would
    wait longer), or ``limit`` jobs wait.

    Args:
        actors: the actors declared on this process's broker.
        client: a redis-py client (``decode_responses=True``) with a short timeout.
        limit: waiting interactive jobs at which new work is refused.
        max_wait: seconds the oldest waiting job may have waited before new work is refused.
        depth_max_age: seconds a look at the queue is reused (0: look for every command).
        clock: seconds (monotonic) for that reuse.
    """

    def __init__(
        self,
        actors: Actors,
        client: redis.Redis,
        *,
        limit: int = DEFAULT_QUEUE_LIMIT,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
        depth_max_age: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._actors = actors
        self._redis = client
        self._limit = limit
        self._max_wait = max_wait
        self._head = client.register_script(_HEAD)
        self._depth_max_age = depth_max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._busy_at: tuple[float, bool] | None = None

    def _busy(self) -> bool:
        now = self._clock()
        with self._lock:
            cached = self._busy_at
        if cached is not None and now - cached[0] <= self._depth_max_age:
            return cached[1]
        key = queue_key(INTERACTIVE)
        depth, oldest = self._head(keys=[key, f"{key}.msgs"])
        busy = int(depth) >= self._limit or _waited(oldest) >= self._max_wait
        with self._lock:
            self._busy_at = (now, busy)
        return busy

    def _admit(self, send: Callable[[], Any]) -> Admission:
        try:
            if self._busy():
                return Admission.BUSY
        except (redis.RedisError, OSError):
            return Admission.STORAGE_DOWN
        try:
            send()
        except (redis.RedisError, OSError):  # the job may have reached Redis before its answer was lost
            return Admission.UNCERTAIN
        return Admission.QUEUED

    def offer(self, job: Job[P], *args: P.args, **kwargs: P.kwargs) -> Admission:
        """Queue ``job`` unless the workers are too far behind (`Admission.BUSY`) or Redis does not answer."""
        return self._admit(lambda: self._actors[job.name].send(*args, **kwargs))

    def send(self, job: Job[P], *args: P.args, **kwargs: P.kwargs) -> None:
        """Queue ``job`` whatever the backlog: someone waits for it, or Slack or Instagram will not ask again.

        Raises:
            StorageUnavailable: Redis did not take it.
        """
        _must_send(lambda: self._actors[job.name].send(*args, **kwargs))

    def health(self) -> QueueHealth:
        """Queue depth and worker heartbeats.

        Raises:
            StorageUnavailable: Redis did not answer.
        """
        now = time.time()
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.llen(queue_key(INTERACTIVE))
            pipe.zrevrange(WORKERS_KEY, 0, -1, withscores=True)
            depth, beats = pipe.execute()
        except (redis.RedisError, OSError) as exc:
            raise StorageUnavailable(type(exc).__name__) from exc
        seen = [float(score) for _, score in beats]
        alive = sum(1 for score in seen if now - score <= WORKER_ALIVE_SECONDS)
        last = round(now - max(seen), 1) if seen else None
        return QueueHealth(depth=int(depth), workers_alive=alive, last_seen_seconds_ago=last)
