"""Delivering real-time updates to callback URLs: signed POSTs from background threads, with retries.

Each push is ``POST callback_url`` with a JSON **array** of updates as the raw body,
``Content-Type: application/json`` and ``X-Hub-Signature`` = the bare hex HMAC-SHA1 of the raw body
keyed with the client secret (python-instagram `instagram/subscriptions.py` ``_verify_signature``:
``hmac.new(client_secret, raw_response, sha1).hexdigest() == x_hub_signature``; a captured real push
replayed with curl carries ``X-Hub-Signature: 5392d3…``, ``User-Agent: Python-urllib/2.7``,
``Connection: close``, ``Accept-Encoding: identity``).  The body is ``json.dumps`` with its default
separators (``", "``, ``": "``), as in the captured pushes.

A push that answers anything but 2xx, or nothing within ``timeout`` seconds (default 3), is tried again
after each of ``retry_delays`` (default 0.5 s, 1 s, 2 s: four attempts in all), then given up.  Real
Instagram's retry schedule is not documented [unconfirmed]; it only asked callbacks to answer quickly.
Every attempt is recorded (`records`).  `submit_body` sends any prepared body with its own headers
(graph mode's webhooks use it, with their own `PushDelivery`: Meta's signatures, timeout and retry
schedule).  `wait_idle` lets a test wait until nothing is queued or in
flight, without sleeping.  `reset` cancels what is queued and forgets the records; `stop` also ends the
worker threads (the next push starts them again).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.legacy.callbacks import CallbackError, call

DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0)
WORKERS = 4
MAX_RECORDS = 5000
PUSH_HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "Python-urllib/2.7",
    "Accept-Encoding": "identity",
    "Connection": "close",
}


def signature_of(body: bytes, secret: str) -> str:
    """``X-Hub-Signature``: bare hex HMAC-SHA1 of the raw body, keyed with the client secret."""
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


@dataclass(frozen=True)
class PushAttempt:
    """One POST of one push.  ``outcome``: ``delivered`` (2xx), ``retrying`` or ``failed`` (last try)."""

    seq: int
    delivery: int
    attempt: int
    url: str
    status: int | None
    error: str | None  # "timeout", a connection error, or None when the callback answered
    outcome: str
    body: str
    signature: str
    subscription_ids: tuple[int, ...]
    time: float  # sandbox clock when the attempt started
    elapsed_ms: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dataclasses.asdict(self)
        out["subscription_ids"] = list(self.subscription_ids)
        return out


@dataclass(frozen=True)
class _Job:
    delivery: int
    url: str
    body: bytes
    signature: str
    subscription_ids: tuple[int, ...]
    cancelled: threading.Event
    headers: tuple[tuple[str, str], ...]


class PushDelivery:
    """Queues pushes and delivers them from daemon worker threads; thread-safe."""

    def __init__(
        self,
        clock: Callable[[], float],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        workers: int = WORKERS,
    ) -> None:
        if timeout <= 0 or any(d < 0 for d in retry_delays):
            raise ValueError("push timeout must be positive and retry delays not negative")
        self._clock = clock
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays)
        self._workers = workers
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._changed = threading.Condition()
        self._active = 0
        self._records: deque[PushAttempt] = deque(maxlen=MAX_RECORDS)
        self._cancelled = threading.Event()
        self._ids = itertools.count(1)
        self._seqs = itertools.count(1)

    def submit(self, url: str, updates: list[dict[str, Any]], secret: str) -> int:
        """Queue one push of ``updates`` to ``url``; returns its delivery id (attempts name it)."""
        body = json.dumps(updates).encode()
        sub_ids = tuple(int(u["subscription_id"]) for u in updates)
        signature = signature_of(body, secret)
        return self.submit_body(url, body, {**PUSH_HEADERS, "X-Hub-Signature": signature}, signature, sub_ids)

    def submit_body(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        signature: str,
        subscription_ids: tuple[int, ...] = (),
    ) -> int:
        """Queue one POST of the raw ``body`` with exactly ``headers``; ``signature`` is what the attempts
        record as theirs.  Returns the delivery id."""
        with self._changed:
            job = _Job(
                next(self._ids),
                url,
                body,
                signature,
                subscription_ids,
                self._cancelled,
                tuple(headers.items()),
            )
            self._active += 1
            self._start_workers_locked()
        self._queue.put(job)
        return job.delivery

    def _start_workers_locked(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self._workers:
            thread = threading.Thread(target=self._work, name="instagram-sandbox-push", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._deliver(job)
            finally:
                with self._changed:
                    self._active -= 1
                    self._changed.notify_all()

    def _deliver(self, job: _Job) -> None:
        headers = dict(job.headers)
        for attempt in range(1, len(self.retry_delays) + 2):
            if job.cancelled.is_set():
                return
            started, at = time.monotonic(), self._clock()
            try:
                answer = call("POST", job.url, body=job.body, headers=headers, timeout=self.timeout)
                status, error = answer.status, None
            except CallbackError as exc:
                status, error = None, str(exc)
            delivered = status is not None and 200 <= status < 300
            last = attempt > len(self.retry_delays)
            outcome = "delivered" if delivered else "failed" if last else "retrying"
            self._record(job, attempt, status, error, outcome, at, started)
            if delivered or last or job.cancelled.wait(self.retry_delays[attempt - 1]):
                return

    def _record(
        self,
        job: _Job,
        attempt: int,
        status: int | None,
        error: str | None,
        outcome: str,
        at: float,
        started: float,
    ) -> None:
        with self._changed:
            if job.cancelled.is_set():
                return  # reset while the request was in flight: the sandbox forgot this push
            self._records.append(
                PushAttempt(
                    seq=next(self._seqs),
                    delivery=job.delivery,
                    attempt=attempt,
                    url=job.url,
                    status=status,
                    error=error,
                    outcome=outcome,
                    body=job.body.decode(),
                    signature=job.signature,
                    subscription_ids=job.subscription_ids,
                    time=at,
                    elapsed_ms=round((time.monotonic() - started) * 1000, 1),
                )
            )
            self._changed.notify_all()

    def records(self) -> list[PushAttempt]:
        """Every recorded attempt, oldest first."""
        with self._changed:
            return list(self._records)

    def pending(self) -> int:
        """Pushes queued or still being delivered (retries included)."""
        with self._changed:
            return self._active

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no push is queued or in flight; False when ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._active > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def reset(self) -> None:
        """Cancel every queued push and pending retry, and forget the records."""
        with self._changed:
            self._cancelled.set()
            self._cancelled = threading.Event()
            self._records.clear()
            self._changed.notify_all()

    def stop(self, join_timeout: float = 5.0) -> None:
        """Cancel everything (as `reset`, records kept) and end the worker threads."""
        with self._changed:
            self._cancelled.set()
            self._cancelled = threading.Event()
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(join_timeout)
