"""200 simulated users with mixed commands while Instagram fails one request in five (docs/security.md, 4).

Every command gets exactly one final answer, the failed ones the promised message; nothing crashes and
no link is lost. Faults come from the sandbox's own fault queue in a fixed pattern (four requests pass,
the fifth fails, rotating through 500, 503, 502 with an envelope, 429 and malformed JSON), so exactly
20 % of Instagram requests fail whatever the interleaving.

A rate limit (429) is answered at once; a transient failure (5xx, malformed) makes the job run again,
up to `MAX_RETRIES` times, and only the last attempt's failure is answered. So the books balance exactly:
every 429 served is one "limiting requests" answer, and every transient failure served is either one
retry (counted in the workers' log) or one "Instagram didn't answer" answer.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.core import replies
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import LogWindow, alive, pending_faults
from tests.stack import TEAM, Stack

USERS = 200
LINKED = 150  # the others meet the login button
COMMANDS_PER_USER = 3
CONCURRENCY = 24
WORKER_THREADS = 16  # one worker process as `igbot serve` starts it by default
# The run's length is a printed figure (about 6 s here), not a check. Each answer is waited for this
# long at most: the slowest, after retries, takes about 2 s on an idle machine.
ANSWER_TIMEOUT_SECONDS = 30
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
IG_UNCONFIRMED = replies.UNCONFIRMED.split(",")[0]  # a change sent, its answer lost: not "nothing changed"
RETRIED = "Retrying message"  # Dramatiq's line (message id only) for each retry it schedules


def _queue_faults(stack: Stack, requests_expected: int) -> int:
    """Queue pass x4, fail x1, ... for ``requests_expected`` Instagram requests; returns the queue length."""
    rounds = requests_expected // 5 + 1
    for index in range(rounds):
        stack.instagram.inject_faults(4, status=None)  # latency 0, no status: the request goes through
        stack.instagram.inject_faults(1, **FAILURES[index % len(FAILURES)])
    return rounds * 5


def _kind(text: str) -> str:
    if IG_DOWN in text:
        return "instagram down"
    if IG_LIMITED in text:
        return "instagram limiting"
    if IG_UNCONFIRMED in text:
        return "unconfirmed"
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
    stack = make_stack(rate_limit_per_hour=1_000_000, worker_threads=WORKER_THREADS)
    users = [f"U0LOAD{n:03d}" for n in range(USERS)]
    for n, user in enumerate(users[:LINKED]):
        stack.link(ACCOUNTS[n % len(ACCOUNTS)], user_id=user)
    queued = _queue_faults(stack, USERS * COMMANDS_PER_USER * 3)
    window = LogWindow(stack)  # this process's log and the workers', from here on

    def run_user(n: int) -> list[tuple[str, str, str, float]]:
        user, mix = users[n], LINKED_MIX if n < LINKED else UNLINKED_MIX
        done = []
        for k in range(COMMANDS_PER_USER):
            text, channel = mix[(n + k) % len(mix)], f"C0L{n:03d}X{k}"
            started = time.monotonic()
            ack = stack.command(text, user_id=user, channel_id=channel)
            assert ack.status == 200 and ack.error is None, (text, ack.status, ack.error)
            reply = stack.slack.wait_for(
                lambda m, c=channel: m.channel_id == c, timeout=ANSWER_TIMEOUT_SECONDS
            )
            done.append((channel, text, reply.all_text(), time.monotonic() - started))
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="slack-user") as pool:
        results = [item for batch in pool.map(run_user, range(USERS)) for item in batch]
    elapsed = time.monotonic() - started
    idle = stack.wait_idle()
    assert idle, idle

    sent = USERS * COMMANDS_PER_USER
    per_channel = Counter(m.channel_id for m in stack.slack.messages() if m.channel_id.startswith("C0L"))
    answered = sum(1 for channel, *_ in results if per_channel[channel] == 1)
    FIGURES.commands(sent, answered)
    kinds = Counter(_kind(text) for _, _, text, _ in results)
    consumed = queued - pending_faults(stack)  # the queue is consumed strictly in order
    failed_requests = consumed // 5
    served = [FAILURES[index % len(FAILURES)] for index in range(failed_requests)]
    limited = sum(1 for fault in served if fault.get("status") == 429)
    transient = failed_requests - limited
    retries = len(window.worker_lines(RETRIED))
    crashes = window.errors()
    balanced = kinds["instagram limiting"] == limited and (
        kinds["instagram down"] + kinds["unconfirmed"] + retries == transient
    )
    survived = balanced and kinds["crash"] == 0 and not crashes and alive(stack)
    for fault in served:
        FIGURES.fault(f"load: {fault}", survived)
    lost = sum(1 for user in users[:LINKED] if stack.services.links.get(TEAM, user) is None)
    FIGURES.links(LINKED, lost)
    slowest = max(seconds for *_, seconds in results)
    summary = (
        f"load: {sent} commands in {elapsed:.1f} s, slowest answer {slowest:.2f} s, kinds {dict(kinds)}, "
        f"{failed_requests} Instagram requests failed ({limited} rate limits), {retries} retries"
    )
    logging.getLogger(__name__).info(summary)
    FIGURES.note(summary)

    assert len(results) == sent and answered == sent, per_channel
    assert kinds["crash"] == 0 and not crashes, crashes[:5]
    assert kinds["storage"] == 0
    assert failed_requests > 0.15 * sent, "fewer faults than intended were injected"
    assert kinds["instagram limiting"] == limited, (kinds, limited)
    assert kinds["instagram down"] + kinds["unconfirmed"] + retries == transient, (kinds, retries, transient)
    assert lost == 0
    assert not stack.slack.failures(), stack.slack.failures()[:3]
