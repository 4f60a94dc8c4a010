"""Slack calls a listener makes once its acknowledgement has left: Bolt's lazy listeners, started only
after the response is on its way, on a small thread pool of the web process.

A listener that must call Slack (``views.open`` with a click's 3-second ``trigger_id``, a private
answer) acks in its ack function and does the call in a lazy listener. With igbot's
``process_before_response=True``, Bolt submits the lazy listener to its ``listener_executor`` as soon as
the ack function returns, while the response is still being written. `AfterAck` is that executor:
while the thread that dispatched the request is inside `holding` (the HTTP guard, slack_guard.py, and
the Socket Mode handler, socket_mode.py, hold around ``App.dispatch``), what Bolt submits waits until
the release `holding` yields is called, once the response has left (a Flask ``call_on_close``, which
a WSGI server calls after the last byte; after Socket Mode's ack was sent). Outside a hold (a test
dispatching to Bolt directly) it starts at once, as with Bolt's own executor.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

WORKERS = 8  # Slack calls of a few seconds at most (every client here has a short timeout)

_held: ContextVar[list[Callable[[], None]] | None] = ContextVar("igbot_after_ack", default=None)


def _run_into(future: Future[T], work: Callable[[], T]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(work())
    except BaseException as exc:  # handed to whoever waits on the future, as an executor does
        future.set_exception(exc)


class AfterAck(ThreadPoolExecutor):
    """Bolt's ``listener_executor`` for igbot: lazy listeners start after the ack's response has left.

    Args:
        max_workers: threads running them at once (more wait their turn).
    """

    def __init__(self, max_workers: int = WORKERS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="igbot-after-ack")

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn`` on the pool: now, or when the response of the request being answered has left."""
        held = _held.get()
        if held is None:
            return super().submit(fn, *args, **kwargs)
        future: Future[T] = Future()
        work = functools.partial(fn, *args, **kwargs)

        def start() -> None:
            try:
                ThreadPoolExecutor.submit(self, _run_into, future, work)
            except RuntimeError as exc:  # shut down meanwhile (the process is stopping)
                future.set_exception(exc)

        held.append(start)
        return future


@contextmanager
def holding() -> Iterator[Callable[[], None]]:
    """Hold what this thread submits to an `AfterAck` until the yielded release is called (once the
    response has left; again is harmless). When the block raises, what it held starts at once."""
    pending: list[Callable[[], None]] = []
    lock = threading.Lock()

    def release() -> None:
        with lock:
            started, pending[:] = list(pending), []
        for start in started:
            start()

    token = _held.set(pending)
    try:
        yield release
    except BaseException:
        release()
        raise
    finally:
        _held.reset(token)
