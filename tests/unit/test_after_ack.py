"""`bot.web.after_ack`: what Bolt submits while a response is being prepared starts only once it has left."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import BoltRequest

from bot.web.after_ack import AfterAck, holding


@pytest.fixture
def pool() -> Iterator[AfterAck]:
    executor = AfterAck(max_workers=2)
    yield executor
    executor.shutdown(wait=True)


def test_work_submitted_while_holding_starts_only_when_released(pool: AfterAck) -> None:
    ran = threading.Event()
    with holding() as release:
        future = pool.submit(ran.set)
    assert not ran.is_set() and not future.done()  # nothing can start before the release
    release()
    assert future.result(timeout=5) is None and ran.is_set()
    release()  # again: nothing more happens


def test_outside_a_hold_work_starts_at_once_and_results_reach_the_future(pool: AfterAck) -> None:
    assert pool.submit(lambda x: x * 2, 21).result(timeout=5) == 42

    def fails() -> None:
        raise ValueError("boom")

    with holding() as release:
        failed = pool.submit(fails)
    release()
    with pytest.raises(ValueError, match="boom"):
        failed.result(timeout=5)


def test_a_block_that_raises_starts_what_it_held(pool: AfterAck) -> None:
    with pytest.raises(RuntimeError), holding():
        future = pool.submit(lambda: "ran")
        raise RuntimeError("dispatch failed")
    assert future.result(timeout=5) == "ran"


def test_a_hold_is_per_thread(pool: AfterAck) -> None:
    futures: list[Any] = []
    with holding():
        other = threading.Thread(target=lambda: futures.append(pool.submit(lambda: "elsewhere")))
        other.start()
        other.join()
        assert futures[0].result(timeout=5) == "elsewhere"  # not held: another request's thread


def test_bolts_lazy_listener_runs_after_dispatch_returned_and_the_hold_is_released(pool: AfterAck) -> None:
    bolt = App(
        signing_secret="unused",
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-u"),
        request_verification_enabled=False,
        process_before_response=True,
        listener_executor=pool,
    )
    lazy_ran = threading.Event()
    seen: dict[str, Any] = {}

    def acked(ack: Ack) -> None:
        ack()

    def later(body: dict[str, Any]) -> None:
        seen["user"] = body["user"]["id"]
        lazy_ran.set()

    bolt.action("ig_inbox_reply")(ack=acked, lazy=[later])
    body = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "1.2.abc",
        "actions": [{"action_id": "ig_inbox_reply", "block_id": "b", "type": "button", "value": "v"}],
    }
    with holding() as release:
        response = bolt.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    assert not lazy_ran.is_set()  # held until the response has left
    release()
    assert lazy_ran.wait(5) and seen == {"user": "U1"}
