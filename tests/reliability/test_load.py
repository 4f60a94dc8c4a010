"""200 simulated users with mixed commands while Instagram fails one request in five (docs/security.md, 4).

Every command gets exactly one final answer, the failed ones the promised message; nothing crashes and
no link is lost. Faults come from the sandbox's own fault queue in a fixed pattern (four requests pass,
the fifth fails, rotating through 500, 503, 502 with an envelope, 429 and malformed JSON), so exactly
20 % of Instagram requests fail whatever the interleaving.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests import log_capture
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import alive, work_of
from tests.stack import TEAM, Stack

USERS = 200
LINKED = 150  # the others meet the login button
COMMANDS_PER_USER = 3
CONCURRENCY = 24
DEADLINE_SECONDS = 30
ACCOUNTS = ["alice", "bob", "chloemurphy", "aishasilva", "maya.novak93", "liam.nguyen", "priya.eats"]
LINKED_MIX = ["follow dan_the_man", "me", "popular 2", "user bob", "unfollow dan_the_man", "help"]
UNLINKED_MIX = ["popular 1", "follow dan_the_man", "help", "me"]
FAILURES: list[dict[str, Any]] = [
    {"status": 500},
    {"status": 503},
    {"status": 502, "error_type": "APIError"},
    {"status": 429},
    {"malformed": True},
]
IG_DOWN = "Instagram didn't answer; nothing was changed"
IG_LIMITED = "Instagram is limiting requests"


def _queue_faults(stack: Stack, requests_expected: int) -> int:
    """Queue pass x4, fail x1, ... for ``requests_expected`` Instagram requests; returns the queue length."""
    rounds = requests_expected // 5 + 1
    for index in range(rounds):
        stack.instagram.inject_faults(4, status=None)  # latency 0, no status: the request goes through
        stack.instagram.inject_faults(1, **FAILURES[index % len(FAILURES)])
    return rounds * 5


def _pending_faults(stack: Stack) -> int:
    """Faults still queued, read through the sandbox's HTTP control (adding one harmless pass)."""
    control = f"{stack.servers[0].url}/__sandbox__/faults"
    answer = requests.post(control, json={"count": 1, "status": None}, timeout=5).json()
    return int(answer["pending"]) - 1


def _kind(text: str) -> str:
    if IG_DOWN in text or IG_LIMITED in text:
        return "instagram failure"
    if "something went wrong on igbot's side" in text:
        return "crash"
    if "can't reach its storage" in text:
        return "storage"
    if "Connect Instagram" in text or "connect your Instagram" in text or "haven't connected" in text:
        return "login prompt"
    return "done"


def test_200_users_with_mixed_commands_while_instagram_fails_one_request_in_five(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(rate_limit_per_hour=1_000_000)
    users = [f"U0LOAD{n:03d}" for n in range(USERS)]
    for n, user in enumerate(users[:LINKED]):
        stack.link(ACCOUNTS[n % len(ACCOUNTS)], user_id=user)
    queued = _queue_faults(stack, USERS * COMMANDS_PER_USER * 2)
    errors_before = sum(
        1 for line in log_capture.CAPTURE.lines if " ERROR " in line and line.startswith("bot.")
    )

    def run_user(n: int) -> list[tuple[str, str, str, float]]:
        user, mix = users[n], LINKED_MIX if n < LINKED else UNLINKED_MIX
        done = []
        for k in range(COMMANDS_PER_USER):
            text, channel = mix[(n + k) % len(mix)], f"C0L{n:03d}X{k}"
            started = time.monotonic()
            ack = stack.command(text, user_id=user, channel_id=channel)
            assert ack.status == 200 and ack.error is None, (text, ack.status, ack.error)
            reply = stack.slack.wait_for(lambda m, c=channel: m.channel_id == c, timeout=DEADLINE_SECONDS)
            done.append((channel, text, reply.all_text(), time.monotonic() - started))
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="slack-user") as pool:
        results = [item for batch in pool.map(run_user, range(USERS)) for item in batch]
    elapsed = time.monotonic() - started
    assert work_of(stack).wait_idle(10)

    sent = USERS * COMMANDS_PER_USER
    per_channel = Counter(m.channel_id for m in stack.slack.messages() if m.channel_id.startswith("C0L"))
    answered = sum(1 for channel, *_ in results if per_channel[channel] == 1)
    FIGURES.commands(sent, answered)
    kinds = Counter(_kind(text) for _, _, text, _ in results)
    consumed = queued - _pending_faults(stack)  # the queue is consumed strictly in order
    failed_requests = consumed // 5
    survived = kinds["instagram failure"] == failed_requests and kinds["crash"] == 0 and alive(stack)
    for index in range(failed_requests):
        FIGURES.fault(f"load: {FAILURES[index % len(FAILURES)]}", survived)
    lost = sum(1 for user in users[:LINKED] if stack.services.links.get(TEAM, user) is None)
    FIGURES.links(LINKED, lost)
    crashes = [
        line
        for line in log_capture.CAPTURE.lines[errors_before:]
        if " ERROR " in line and line.startswith("bot.")
    ]
    slowest = max(seconds for *_, seconds in results)
    logging.getLogger(__name__).info(
        "load: %d commands in %.1f s, slowest answer %.2f s, kinds %s, %d Instagram requests failed",
        sent, elapsed, slowest, dict(kinds), failed_requests,
    )  # fmt: skip

    assert len(results) == sent and answered == sent, per_channel
    assert kinds["crash"] == 0 and not crashes, crashes[:3]
    assert kinds["storage"] == 0
    assert failed_requests > 0.15 * sent, "fewer faults than intended were injected"
    assert kinds["instagram failure"] == failed_requests, (kinds, failed_requests)
    assert lost == 0
    assert elapsed < DEADLINE_SECONDS, f"the run took {elapsed:.1f} s"
    assert not stack.slack.failures(), stack.slack.failures()[:3]
