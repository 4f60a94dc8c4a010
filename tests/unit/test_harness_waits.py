"""The test harness's wait for the worker tier (`tests.stack.Stack.wait_idle`) on a loaded machine.

A slow machine is not a failure: the wait goes on for as long as jobs keep finishing, and gives up only
when none has finished for a while. When it gives up, it says how many jobs were unfinished at that
moment (a count read afterwards, once the stragglers finished, once said "0 jobs unfinished").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.stack import Stack


@dataclass
class _Queue:
    """Stands in for a stack: ``pending_jobs`` reads the next count (the last one from then on)."""

    counts: list[int]
    reads: int = field(default=0)

    def pending_jobs(self) -> int:
        self.reads += 1
        return self.counts.pop(0) if len(self.counts) > 1 else self.counts[0]


def test_the_wait_goes_on_while_jobs_keep_finishing_however_long_that_takes() -> None:
    # 120 jobs finishing one per look, a look at least every 20 ms: 2.4 s or more in all, longer than
    # the stall below, while no look ever waits anywhere near it.
    queue = _Queue(list(range(120, -1, -1)))
    idle = Stack.wait_idle(queue, 1.5)  # type: ignore[arg-type]
    assert idle and idle.unfinished == 0, idle
    assert queue.reads >= 120


def test_a_stuck_queue_is_reported_with_the_count_at_the_moment_the_wait_gave_up() -> None:
    queue = _Queue([5, 4, 3])  # two jobs finish, then three stay stuck
    idle = Stack.wait_idle(queue, 0.2)  # type: ignore[arg-type]
    queue.counts = [0]  # the stragglers finish after the wait gave up
    assert not idle
    assert idle.unfinished == 3
    assert "3 jobs unfinished" in repr(idle) and "none finished in the last 0.2 s" in repr(idle)
