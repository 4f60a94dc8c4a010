"""How the worker runtime turns a job body's `RunLater` into Dramatiq's next step (`bot.worker.actors`)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import redis
from dramatiq.middleware import CurrentMessage

from bot.core.jobs import Later, RunLater, busy, paced
from bot.worker.actors import _guarded


class Actor:
    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.sent: list[dict[str, Any]] = []

    def send_with_options(self, **options: Any) -> None:
        if self.fail:
            raise redis.ConnectionError("Redis went away")
        self.sent.append(options)


class Broker:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def get_actor(self, name: str) -> Actor:
        assert name == "deliver_inbox"
        return self.actor


CONTEXT = SimpleNamespace(redis=SimpleNamespace(ping=lambda: True))


@pytest.fixture(autouse=True)
def _current_job(monkeypatch: pytest.MonkeyPatch) -> None:
    job = SimpleNamespace(actor_name="deliver_inbox", args=("17841400001", "comment"), kwargs={})
    monkeypatch.setattr(CurrentMessage, "get_current_message", staticmethod(lambda: job))


def _raise(later: RunLater) -> None:
    raise later


def test_a_paced_job_is_sent_again_fresh_with_its_arguments_and_delay() -> None:
    actor = Actor(fail=False)
    _guarded(Broker(actor), CONTEXT, "inbox", lambda: _raise(paced(1500)))  # type: ignore[arg-type]
    assert actor.sent == [{"args": ("17841400001", "comment"), "kwargs": {}, "delay": 1500}]


def test_a_paced_job_that_cannot_be_sent_again_is_retried_not_lost() -> None:
    with pytest.raises(RunLater) as raised:
        _guarded(Broker(Actor(fail=True)), CONTEXT, "inbox", lambda: _raise(paced(1500)))  # type: ignore[arg-type]
    assert raised.value.why is Later.FAILED


def test_a_busy_job_is_left_to_dramatiqs_retries_with_its_delay() -> None:
    actor = Actor(fail=False)
    with pytest.raises(RunLater) as raised:
        _guarded(Broker(actor), CONTEXT, "feed", lambda: _raise(busy("held", delay_ms=300)))  # type: ignore[arg-type]
    assert (raised.value.why, raised.value.delay_ms, actor.sent) == (Later.BUSY, 300, [])
