"""Fixtures of the reliability suite (its figures table is printed and checked when the run ends:
`tests.run_checks`).

The `stack` here is the e2e harness (`tests.stack.start_stack`: the web tier in this process, real
`igbot worker` processes) plus what every reliability test checks when it ends: every job the bot
queued finished, no error or traceback was logged during the test (by any logger of this process or in
the workers' log), and nothing the bot sent to Slack carries a secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import redis

from tests.reliability.helpers import LogWindow, check_messages
from tests.stack import Stack, start_stack


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "stack(**kw): start_stack keywords for the test's `stack`")


class StackFactory:
    """Starts stacks for a test and checks and stops each one when the test ends."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.started: list[Stack] = []
        self.window = LogWindow()  # opened before the test body: the whole test is its window
        self.expected: list[re.Pattern[str]] = []

    def __call__(
        self, redis_url: str | None = None, *, expect_errors: Iterable[re.Pattern[str]] = (), **kw: Any
    ) -> Stack:
        """A stack (``start_stack`` keywords); ``expect_errors``: log lines the test's faults cause."""
        self.expected.extend(expect_errors)
        running = start_stack(redis_url or self.redis_url, **kw)
        self.window.watch(running)
        self.started.append(running)
        return running

    def finish(self) -> None:
        problems: list[str] = []
        for running in self.started:
            try:
                idle = running.wait_idle() if not running.closed else None
                if idle is not None and not idle:
                    problems.append(f"after the test: {idle!r}")
                check_messages(running)
            except AssertionError as exc:
                problems.append(str(exc))
            finally:
                running.close()  # the workers' last lines (a crash while stopping) are in the log now
        errors = self.window.errors(self.expected)
        if errors:
            listed = "\n  ".join(errors)
            problems.append(
                f"errors logged during the test:\n  {listed}\nworker log:\n{self.window.worker_log_text()}"
            )
        assert not problems, "\n".join(problems)


@pytest.fixture
def make_stack(redis_client: redis.Redis, redis_url: str) -> Iterator[Callable[..., Stack]]:
    """A function starting stacks (``start_stack`` keywords) on the clean session Redis or another."""
    factory = StackFactory(redis_url)
    yield factory
    factory.finish()


@pytest.fixture
def stack(make_stack: Callable[..., Stack], request: pytest.FixtureRequest) -> Stack:
    """Sandbox Instagram + Slack stand-in + the bot (web tier and one worker process) on a clean Redis,
    checked when the test ends. ``@pytest.mark.stack(**kw)`` passes ``start_stack`` keywords."""
    marker = request.node.get_closest_marker("stack")
    return make_stack(**(marker.kwargs if marker else {}))
