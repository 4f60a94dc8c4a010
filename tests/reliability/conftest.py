"""Fixtures of the reliability suite and the figures table printed at the end of the run.

The `stack` here is the e2e harness (`tests.stack.start_stack`) plus what every reliability test
checks when it ends: the bot's background work finished, nothing it sent to Slack carries a secret, and
the process still serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from _pytest.terminal import TerminalReporter

from tests.reliability.figures import FIGURES
from tests.reliability.helpers import BackgroundWork, check_messages
from tests.stack import Stack, start_stack


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print the figures table when any reliability test ran."""
    if not (FIGURES.attacks_tried or FIGURES.faults_injected or FIGURES.commands_sent):
        return
    write = terminalreporter.write_line
    terminalreporter.section("igbot reliability figures")
    width = max(len(name) for name, _, _ in FIGURES.rows())
    write(f"{'figure'.ljust(width)}  {'value':>15}  check")
    for name, value, ok in FIGURES.rows():
        write(f"{name.ljust(width)}  {value:>15}  {'ok' if ok else 'OFF'}")
    for miss in FIGURES.misses:
        write(f"  off: {miss}")


class StackFactory:
    """Starts stacks for a test and checks and stops each one when the test ends."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.started: list[tuple[Stack, BackgroundWork]] = []

    def __call__(self, redis_url: str | None = None, **kw: Any) -> Stack:
        running = start_stack(redis_url or self.redis_url, **kw)
        work = BackgroundWork(running.igbot.executor)
        running.work = work  # type: ignore[attr-defined]
        self.started.append((running, work))
        return running

    def finish(self) -> None:
        problems: list[str] = []
        for running, work in self.started:
            try:
                if not work.wait_idle(15):
                    problems.append("the bot's background work did not finish")
                check_messages(running)
            except AssertionError as exc:
                problems.append(str(exc))
            finally:
                running.close()
        assert not problems, problems


@pytest.fixture
def make_stack(redis_client: redis.Redis, redis_url: str) -> Iterator[Callable[..., Stack]]:
    """A function starting stacks (``start_stack`` keywords) on the clean session Redis or another."""
    factory = StackFactory(redis_url)
    yield factory
    factory.finish()


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    """Sandbox Instagram + Slack stand-in + the bot on a clean Redis, checked when the test ends."""
    return make_stack()
