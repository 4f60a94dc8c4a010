"""One measured load run against one server: throughput and ack latency from the load generator,
CPU seconds of every process involved (from /proc), replies that reached the collector, and how
much CPU *other* programs on the machine used meanwhile (the bench shares its cores)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Generator, LoadResult, Signed
from bench.stack import Server, World


def _busy_jiffies() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0, 0.0
    values = [int(v) for v in parts]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """A measured run of one scenario against one server."""

    target: str
    scenario: str
    load: LoadResult
    cpu: dict[str, float]  # CPU seconds used during the load window, per component
    cpu_after: float  # CPU seconds the server used after the window (draining work after the ack)
    replies: int  # replies that reached the response_url collector (window + drain)
    reply_kinds: dict[str, int] = field(default_factory=dict)
    drain_s: float = 0.0
    other_cpu_pct: float = 0.0  # CPU used by programs outside the bench during the window, % of all cores
    window_replies: int = 0  # replies that reached the collector before the load stopped
    parts_window: dict[str, float] = field(default_factory=dict)  # CPU s per server part, load window
    parts_after: dict[str, float] = field(default_factory=dict)  # CPU s per server part, while draining
    quiet_s: float = 0.0  # the reply-free time that ended the drain (part of drain_s)

    @property
    def window_completed_per_s(self) -> float:
        """Commands answered (replies at the collector) per second while the load ran."""
        return self.window_replies / self.load.seconds if self.load.seconds else 0.0

    @property
    def drain_completed_per_s(self) -> float:
        """Commands answered per second after the load stopped (the backlog, workers alone)."""
        busy = self.drain_s - self.quiet_s
        extra = self.replies - self.window_replies
        return extra / busy if busy > 0.05 and extra > 0 else float("nan")

    @property
    def server_ms_per_request(self) -> float:
        """Server CPU per acknowledged command, counting the work done after the ack too."""
        return 1000 * (self.cpu["server"] + self.cpu_after) / max(1, self.load.requests)

    @property
    def ack_window_ms_per_request(self) -> float:
        return 1000 * self.cpu["server"] / max(1, self.load.requests)


def wait_replies_settled(
    world: World, quiet_s: float = 1.0, limit_s: float = 90.0
) -> tuple[int, dict[str, Any]]:
    """Poll the collector until its reply count stops growing for ``quiet_s``; returns (count, stats)."""
    deadline = time.monotonic() + limit_s
    stats = world.collector_stats()
    last, since = stats.get("replies", 0), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        stats = world.collector_stats()
        count = stats.get("replies", 0)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return int(last), stats


def measure(
    world: World,
    server: Server,
    scenario: str,
    gen: Generator,
    pool: Sequence[Signed],
    *,
    seconds: float,
    connections: int,
    expect_replies: bool,
    parts: Callable[[], dict[str, float]] | None = None,
    quiet_s: float | None = None,
) -> Run:
    """Run ``pool`` against ``server`` for ``seconds`` and account for everything it cost.

    ``parts`` returns the server's CPU seconds so far split by part (e.g. web and worker processes);
    ``quiet_s`` is how long no reply may arrive before the drain counts as over."""
    world.collector_reset()
    others = {name: child for name, child in world.children.items()}
    before = {"server": server.child.cpu_seconds(), **{n: c.cpu_seconds() for n, c in others.items()}}
    parts_before = parts() if parts else {}
    gen_before, self_before = _children_cpu(), _self_cpu()
    busy_before, total_before = _busy_jiffies()
    load = gen.run(server.port, pool, connections=connections, seconds=seconds)
    busy_after, total_after = _busy_jiffies()
    window_replies = int(world.collector_stats().get("replies", 0)) if expect_replies else 0
    parts_mid = parts() if parts else {}
    cpu = {"server": server.child.cpu_seconds() - before["server"]}
    for name, child in others.items():
        cpu[name] = child.cpu_seconds() - before[name]
    cpu["loadgen"] = _children_cpu() - gen_before
    cpu["bench"] = _self_cpu() - self_before  # this process: the Slack stand-in (auth.test) and polling
    ours = sum(cpu.values())
    cores = os.cpu_count() or 1
    wall = max(1e-9, total_after - total_before) / cores
    other_pct = max(0.0, (busy_after - busy_before) - ours) / (wall * cores) * 100
    t0 = time.monotonic()
    server_mid = server.child.cpu_seconds()
    quiet = quiet_s if quiet_s is not None else (0.6 if expect_replies else 0.2)
    replies, stats = wait_replies_settled(world, quiet_s=quiet)
    drain = time.monotonic() - t0
    cpu_after = server.child.cpu_seconds() - server_mid
    parts_end = parts() if parts else {}
    return Run(
        target=server.name,
        scenario=scenario,
        load=load,
        cpu=cpu,
        cpu_after=cpu_after,
        replies=replies,
        reply_kinds=dict(stats.get("kinds", {})),
        drain_s=drain if expect_replies else 0.0,
        other_cpu_pct=other_pct,
        window_replies=window_replies,
        parts_window={k: parts_mid.get(k, 0.0) - v for k, v in parts_before.items()},
        parts_after={k: parts_end.get(k, 0.0) - parts_mid.get(k, 0.0) for k in parts_mid},
        quiet_s=quiet if expect_replies else 0.0,
    )
