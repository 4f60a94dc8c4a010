"""Hostile numbers from Instagram end in the promised message, never "something went wrong" (issue 11,
item 5): the sandbox sends ``Retry-After: ²``, usage headers with ``Infinity``, ``NaN``, huge or deeply
nested values, and a ``meta.code`` that is not a number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.stack import Stack, start_stack

LIMITED_UNKNOWN = "Instagram is limiting requests; try again in about 60 minutes"
DOWN = "Instagram didn't answer; nothing was changed"
ATTEMPTS = 3  # "didn't answer" is retried by the worker (bot.worker.broker.MAX_RETRIES + 1) before it is said
ACCOUNT = "17841400000000011"  # alice.shop


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack with INSTAGRAM_API=graph."""
    running = start_stack(redis_url, api="graph")
    yield running
    running.close()


def _answer(stack: Stack, channel_id: str) -> str:
    message = stack.slack.wait_for(
        lambda m: m.user_id == "U0ALICE" and m.channel_id == channel_id, timeout=15
    )
    return str(message.all_text())


LEGACY: list[tuple[str, str, dict[str, Any], str]] = [
    ("retry-after-superscript", "popular 2", {"status": 429, "headers": {"Retry-After": "²"}},
     LIMITED_UNKNOWN),
    ("retry-after-date", "popular 2",
     {"status": 429, "headers": {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}}, LIMITED_UNKNOWN),
    ("retry-after-huge", "user bob", {"status": 429, "headers": {"Retry-After": "9" * 40}}, LIMITED_UNKNOWN),
    ("retry-after-negative", "user bob", {"status": 429, "headers": {"Retry-After": "-60"}}, LIMITED_UNKNOWN),
    ("ratelimit-headers-nan", "user bob",
     {"status": 429, "meta_code": "²", "headers": {"X-Ratelimit-Remaining": "NaN", "X-Ratelimit-Limit": "²",
                                                   "Retry-After": float("inf")}},
     LIMITED_UNKNOWN),
    ("meta-code-superscript", "user bob", {"status": 200, "meta_code": "²"}, DOWN),
    ("meta-code-infinity", "popular 1", {"status": 200, "meta_code": float("inf")}, DOWN),
    ("meta-code-null", "popular 1", {"status": 200, "meta_code": None}, DOWN),
    ("meta-code-list", "popular 1", {"status": 400, "meta_code": [400]}, DOWN),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "fault", "expected"), LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_hostile_numbers(
    stack: Stack, name: str, text: str, fault: dict[str, Any], expected: str
) -> None:
    stack.link("alice")
    stack.instagram.inject_faults(ATTEMPTS, **fault)
    stack.command(text, channel_id="C0HOSTILE")
    said = _answer(stack, "C0HOSTILE")
    assert expected in said, said


GRAPH: list[tuple[str, Any]] = [
    ("buc-infinity", {ACCOUNT: [{"type": "instagram", "estimated_time_to_regain_access": float("inf")}]}),
    ("buc-nan", {ACCOUNT: [{"estimated_time_to_regain_access": float("nan")}]}),
    ("buc-huge", '{"17841400000000011": [{"estimated_time_to_regain_access": 1e400}]}'),
    ("buc-too-long", {ACCOUNT: [{"estimated_time_to_regain_access": 10**12}]}),
    ("buc-negative", {ACCOUNT: [{"estimated_time_to_regain_access": -5}]}),
    ("buc-deep", "[" * 20000),
    ("buc-superscript", "²"),
]


@pytest.mark.parametrize(("name", "usage"), GRAPH, ids=[c[0] for c in GRAPH])
def test_graph_hostile_usage_headers(graph: Stack, name: str, usage: Any) -> None:
    graph.link_graph("alice", "alice.shop")
    headers = {"X-Business-Use-Case-Usage": usage, "X-App-Usage": {"call_count": float("inf")}}
    graph.instagram.inject_faults(1, path_prefix="/graph", error_code=80002, headers=headers)
    graph.command("me", channel_id="C0HOSTILE")
    said = _answer(graph, "C0HOSTILE")
    assert LIMITED_UNKNOWN in said, said


def test_graph_hostile_usage_headers_on_a_good_answer_change_nothing(graph: Stack) -> None:
    graph.link_graph("alice", "alice.shop")
    headers = {"X-Business-Use-Case-Usage": "[" * 20000, "X-App-Usage": "NaN", "Retry-After": "²"}
    graph.instagram.inject_faults(1, status=None, path_prefix="/graph", headers=headers)
    graph.command("me", channel_id="C0FINE")
    assert "@alice.shop" in _answer(graph, "C0FINE")
