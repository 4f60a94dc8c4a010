"""The worker tier's benchmark (issue 10): `.venv/bin/python -m bench.workers [--quick]`.

About 8 minutes on 2 cores (``--quick``: about 3). In one run, on loopback only (the bench's world:
a real Redis, the sandbox Instagram under gunicorn, the reply collector, the Slack stand-in; 200
linked users), it measures and prints as ratios:

1. **Ack path, workers paused**: `igbot serve --web-only` (the Procfile's ``web:``; no worker runs)
   against bare Bolt, for `/ig help`, `/ig follow x`, `/ig popular 5`, `/ig me` and the mixed
   workload (wrk, closed loop, alternating rounds). The queue is kept below the busy limit by the
   bench: every 0.1 s it reads and deletes the job list and its messages hash in one MULTI/EXEC
   (``igbot:jobs:interactive`` and ``….msgs``) and adds up what it took, so every ack measured is a
   real enqueue (busy acks, counted from the ack bodies, stay 0).
2. **Workers draining on the same cores**: `igbot serve`, the one-machine form (2 web processes x 8
   threads, 1 `igbot worker` x 16 threads at nice 10) against bare Bolt (acks), and against the same
   web tier with the minimal reference worker (`bench.refworker`: BLPOP, one Instagram call, one response URL
   POST; same threads and nice, same session) for completed commands per second, `/ig popular 5`.
   Diagnostics (not with ``--quick``): the same with the workers at nice 0, and with the busy limit
   lifted (a `bench.variants` igbot), each against the reference in the same configuration.
3. **Open loop at half of capacity**: `/ig popular 5` at half the rate igbot's worker tier finished
   commands in (2) (after the load stopped: the rate it drains at), from `bench.openloop`; ack p99 and
   reply p99 (command due -> its response URL post recorded by the collector); the mixed workload too,
   at half of its own capacity, measured the same way (not with ``--quick``).
4. **1, 2 and 4 worker processes** (`igbot serve --worker-processes N` vs N reference workers): the time
   to drain a backlog enqueued while the workers were stopped (SIGSTOP), and a closed-loop round.
5. **Re-delivery after kill -9**: 50 `/ig popular 1` with Instagram slowed to 300 ms, SIGKILL of the
   worker while it holds jobs; seconds from the kill to the last answer, answers lost and repeated.
   The same with the reference worker (which has no acknowledgement) for comparison.

Every process it starts is stopped at the end, also on Ctrl-C or failure. Results are printed and
written to bench/results/workers-<stamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import redis
import requests

from bench.load import EVENTS_PATH, Generator, Signed, ensure_wrk, sign_pool, write_pool_json
from bench.measure import Run, measure, wait_replies_settled
from bench.procs import ROOT, cpu_seconds, managed
from bench.refworker import READY_KEY
from bench.run import SCENARIOS as RUN_SCENARIOS
from bench.run import _machine
from bench.stack import CHANNEL, SIGNING_SECRET, TEAM, Server, World, http_json, start_world
from bot.slack.invocation import Invocation
from bot.worker.actors import ContextHolder, declare_actors
from bot.worker.broker import HEARTBEAT_TIMEOUT_MS, NAMESPACE, broker_client, make_broker, queue_key
from bot.worker.queue import DEFAULT_QUEUE_LIMIT, WORKERS_KEY

RESULTS = ROOT / "bench" / "results"
QUEUE = queue_key("interactive")
SCENARIOS: dict[str, list[str]] = {
    "help": ["help"],
    "follow": ["follow dan_the_man", "follow bob"],
    "popular": ["popular 5"],
    "me": ["me"],
    "mixed": RUN_SCENARIOS["mixed"],
}
REF_DB = 1  # the reference tier's Redis database (igbot's own is 0)
DIAG_DB = 2  # the diagnostics' igbot (2) and reference (3)


# ---------------------------------------------------------------- processes of a stack


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _is_worker(cmd: bytes) -> bool:
    return b"bot\0worker" in cmd or b"bench.refworker" in cmd


def worker_pids(server: Server) -> list[int]:
    """The worker-tier processes of a running stack (igbot's `igbot worker` or `bench.refworker`)."""
    return [pid for pid in server.child.pids() if _is_worker(_cmdline(pid))]


def part_cpu(server: Server) -> dict[str, float]:
    """CPU seconds so far of the stack's web processes and of its worker processes."""
    out = {"web": 0.0, "workers": 0.0}
    for pid in server.child.pids():
        out["workers" if _is_worker(_cmdline(pid)) else "web"] += cpu_seconds(pid)
    return out


def wait_workers(client: redis.Redis, server: Server, count: int, timeout: float = 30.0) -> list[int]:
    """Wait until ``count`` worker processes of ``server`` are consuming; returns their pids."""
    deadline = time.monotonic() + timeout
    while True:
        now = time.time()
        beats = {str(m).rsplit(":", 1)[-1] for m in client.zrangebyscore(WORKERS_KEY, now - 5, "+inf")}
        beats |= {str(m) for m in client.zrange(READY_KEY, 0, -1)}
        ready = [pid for pid in worker_pids(server) if str(pid) in beats]
        if len(ready) >= count:
            return ready
        if time.monotonic() > deadline:
            raise TimeoutError(f"{server.name}: {len(ready)} of {count} workers ready after {timeout:.0f} s")
        time.sleep(0.05)  # polling the heartbeats of processes we just started


def clear_jobs(client: redis.Redis) -> None:
    """Forget every job, acknowledgement set and heartbeat of the job namespace (between stacks)."""
    keys = list(client.scan_iter(f"{NAMESPACE}:*", count=1000))
    if keys:
        client.delete(*keys)


def pending_jobs(client: redis.Redis) -> tuple[int, int]:
    """(waiting in the queue, fetched by a worker and not acknowledged)."""
    taken = sum(int(client.scard(k)) for k in client.scan_iter(f"{NAMESPACE}:__acks__.*", count=1000))
    return int(client.llen(QUEUE)), taken


class Sweeper(threading.Thread):
    """Keeps the job list of a paused worker tier short: every ``period`` s, reads its length and
    deletes it and its messages hash in one MULTI/EXEC, and counts what it took (= jobs enqueued)."""

    def __init__(self, client: redis.Redis, period: float = 0.1) -> None:
        super().__init__(name="bench-sweeper", daemon=True)
        self._client = client
        self._period = period
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self.taken = 0
        self.max_depth = 0

    def sweep(self) -> None:
        pipe = self._client.pipeline(transaction=True)
        pipe.llen(QUEUE)
        pipe.delete(QUEUE, f"{QUEUE}.msgs")
        depth, _ = pipe.execute()
        with self._lock:
            self.taken += int(depth)
            self.max_depth = max(self.max_depth, int(depth))

    def run(self) -> None:
        while not self._halt.wait(self._period):
            self.sweep()

    def take(self) -> tuple[int, int]:
        """(jobs enqueued, deepest queue seen) since the last take."""
        self.sweep()
        with self._lock:
            taken, deepest = self.taken, self.max_depth
            self.taken = self.max_depth = 0
        return taken, deepest

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


# ---------------------------------------------------------------- summaries


def _median(values: list[float]) -> float:
    clean = [v for v in values if not math.isnan(v)]
    return statistics.median(clean) if clean else float("nan")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclasses.dataclass
class Row:
    """Median over the rounds of one server in one scenario."""

    phase: str
    scenario: str
    target: str
    rounds: int
    acks_per_s: float
    queued_acks_per_s: float  # acks minus those that said "busy" / "can't reach storage"
    p50_ms: float
    p99_ms: float
    cpu_ms_per_ack: float  # whole stack CPU (web + workers, window + drain) per ack
    web_cpu_ms: float  # web processes per ack (load window)
    worker_cpu_ms_per_job: float  # worker processes per completed command (window + drain)
    busy: int
    storage_down: int
    errors: int
    requests: int
    enqueued: int  # phase 1: jobs the sweeper took
    max_depth: int
    replies: int
    window_completed_per_s: float
    drain_completed_per_s: float
    drain_s: float
    other_cpu_pct: float
    loadgen_cpu_pct: float
    reply_kinds: dict[str, int]

    @classmethod
    def of(cls, phase: str, runs: list[Run], extra: list[dict[str, int]] | None = None) -> Row:
        extra = extra or [{} for _ in runs]
        kinds: dict[str, int] = {}
        for run in runs:
            for kind, count in run.reply_kinds.items():
                kinds[kind] = kinds.get(kind, 0) + count

        def per_job(r: Run) -> float:
            spent = r.parts_window.get("workers", 0.0) + r.parts_after.get("workers", 0.0)
            return 1000 * spent / r.replies if r.replies else float("nan")

        return cls(
            phase=phase,
            scenario=runs[0].scenario,
            target=runs[0].target,
            rounds=len(runs),
            acks_per_s=_median([r.load.rps for r in runs]),
            queued_acks_per_s=_median(
                [(r.load.requests - r.load.busy - r.load.storage_down) / r.load.seconds for r in runs]
            ),
            p50_ms=_median([r.load.p50_ms for r in runs]),
            p99_ms=_median([r.load.p99_ms for r in runs]),
            cpu_ms_per_ack=_median([r.server_ms_per_request for r in runs]),
            web_cpu_ms=_median(
                [1000 * r.parts_window.get("web", r.cpu["server"]) / max(1, r.load.requests) for r in runs]
            ),
            worker_cpu_ms_per_job=_median([per_job(r) for r in runs]),
            busy=sum(r.load.busy for r in runs),
            storage_down=sum(r.load.storage_down for r in runs),
            errors=sum(r.load.error_count for r in runs),
            requests=sum(r.load.requests for r in runs),
            enqueued=sum(e.get("enqueued", 0) for e in extra),
            max_depth=max([e.get("max_depth", 0) for e in extra] or [0]),
            replies=sum(r.replies for r in runs),
            window_completed_per_s=_median([r.window_completed_per_s for r in runs]),
            drain_completed_per_s=_median([r.drain_completed_per_s for r in runs]),
            drain_s=_median([r.drain_s for r in runs]),
            other_cpu_pct=_median([r.other_cpu_pct for r in runs]),
            loadgen_cpu_pct=_median([100 * r.cpu["loadgen"] / max(1e-9, r.load.seconds) for r in runs]),
            reply_kinds=kinds,
        )


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# ---------------------------------------------------------------- the bench


class WorkerBench:
    def __init__(self, args: argparse.Namespace, world: World, gen: Generator, users: list[str]) -> None:
        self.args = args
        self.world = world
        self.gen = gen
        self.users = users
        self._clients: dict[int, redis.Redis] = {}
        self.redis = self.client(0)
        self.ref_redis = self.client(REF_DB)
        self.report: dict[str, Any] = {}

    def client(self, db: int) -> redis.Redis:
        """A client of the bench's Redis, database ``db``."""
        if db not in self._clients:
            self._clients[db] = redis.Redis.from_url(self.world.redis_url_of(db), decode_responses=True)
        return self._clients[db]

    def pool(self, texts: list[str], seconds: float, base: str | None = None) -> list[Signed]:
        # 4000 commands a second is above what igbot reaches, so its pool never wraps (it refuses
        # a signature it has seen); bare Bolt may wrap around, which it does not check.
        return sign_pool(
            SIGNING_SECRET, texts, self.users, team_id=TEAM, channel_id=CHANNEL,
            response_base=base or self.world.collector_url, size=int(4000 * seconds) + 500,
        )  # fmt: skip

    def _rounds(
        self,
        scenario: str,
        servers: list[Server],
        rounds: int,
        seconds: float,
        *,
        replies: Callable[[Server], bool],
        sweeper: Sweeper | None = None,
    ) -> dict[str, tuple[list[Run], list[dict[str, int]]]]:
        """Alternate ``servers`` for a 1 s warm-up round and ``rounds`` rounds of ``seconds``."""
        out: dict[str, tuple[list[Run], list[dict[str, int]]]] = {s.name: ([], []) for s in servers}
        for round_ in range(rounds + 1):
            length = 1.0 if round_ == 0 else seconds
            for server in servers:
                if sweeper is not None:
                    sweeper.take()
                run = measure(
                    self.world, server, scenario, self.gen, self.pool(SCENARIOS[scenario], length),
                    seconds=length, connections=self.args.connections, expect_replies=replies(server),
                    parts=lambda s=server: part_cpu(s),
                )  # fmt: skip
                extra: dict[str, int] = {}
                if sweeper is not None and server.name.startswith("igbot"):
                    extra["enqueued"], extra["max_depth"] = sweeper.take()
                if round_:
                    out[server.name][0].append(run)
                    out[server.name][1].append(extra)
        return out

    # ------------------------------------------------------------ (1)

    def paused(self, bolt: Server) -> list[Row]:
        print("\n== (1) ack path with the workers paused: igbot serve --web-only vs bare Bolt", flush=True)
        clear_jobs(self.redis)
        web = self.world.start_igbot(name="igbot-web-only", web_only=True)
        sweeper = Sweeper(self.redis)
        sweeper.start()
        rows = []
        try:
            for scenario in self.args.scenarios.split(","):
                got = self._rounds(
                    scenario, [web, bolt], self.args.rounds, self.args.seconds,
                    replies=lambda s: False, sweeper=sweeper,
                )  # fmt: skip
                pair = [Row.of("paused", *got[s.name]) for s in (web, bolt)]
                rows += pair
                w, b = pair
                print(
                    f"  {scenario:<8} igbot {w.acks_per_s:6.0f}/s p99 {w.p99_ms:5.1f} ms"
                    f" cpu {w.cpu_ms_per_ack:4.2f} ms | bolt {b.acks_per_s:6.0f}/s p99 {b.p99_ms:5.1f} ms"
                    f" cpu {b.cpu_ms_per_ack:4.2f} ms | ratio {_ratio(w.acks_per_s, b.acks_per_s):.2f}"
                    f" | enqueued {w.enqueued} of {w.requests} acks, busy {w.busy}, deepest {w.max_depth}"
                    f" | other {w.other_cpu_pct:.0f}%",
                    flush=True,
                )
        finally:
            sweeper.stop()
            self.world.stop_server(web)
            clear_jobs(self.redis)
        return rows

    # ------------------------------------------------------------ (2)

    def idle_cost(self, server: Server, seconds: float) -> dict[str, float]:
        """CPU of the idle worker processes and the Redis commands they send, over ``seconds``."""
        before_cpu = part_cpu(server)["workers"]
        before = {k: int(v["calls"]) for k, v in self.redis.info("commandstats").items()}
        time.sleep(seconds)  # measuring an idle interval
        after = {k: int(v["calls"]) for k, v in self.redis.info("commandstats").items()}
        cpu = part_cpu(server)["workers"] - before_cpu
        calls = {k.removeprefix("cmdstat_"): (after[k] - before.get(k, 0)) / seconds for k in after}
        calls.pop("info", None)
        return {
            "worker_cpu_pct": 100 * cpu / seconds,
            **{f"redis_{k}_per_s": round(v, 1) for k, v in calls.items() if v > 0.05},
        }

    def draining(self, igbot: Server, ref: Server, bolt: Server) -> list[Row]:
        print(
            "\n== (2) workers draining on the same cores: igbot serve vs bare Bolt (acks) and vs the same"
            " web tier with the reference worker (completed), /ig popular 5",
            flush=True,
        )
        got = self._rounds(
            "popular", [igbot, ref, bolt], self.args.drain_rounds, self.args.seconds,
            replies=lambda s: s is not bolt,
        )  # fmt: skip
        rows = [Row.of("draining", *got[s.name]) for s in (igbot, ref, bolt)]
        for r in rows:
            self._print_draining(r)
        return rows

    def _print_draining(self, r: Row) -> None:
        print(
            f"  {r.target:<17} acks {r.acks_per_s:6.0f}/s (queued {r.queued_acks_per_s:5.0f}/s, busy"
            f" {r.busy}) p99 {r.p99_ms:6.1f} ms | completed {r.window_completed_per_s:5.0f}/s under load,"
            f" {r.drain_completed_per_s:5.0f}/s draining | web {r.web_cpu_ms:4.2f} ms/ack,"
            f" worker {r.worker_cpu_ms_per_job:4.2f} ms/job | replies {r.replies}"
            f" | other {r.other_cpu_pct:.0f}%",
            flush=True,
        )

    def diagnostics(self) -> list[Row]:
        """(2) again in two other configurations, each igbot against the reference in the same one:
        the workers at nice 0 (as the web tier), and the busy limit lifted (every ack an enqueue)."""
        print("\n== (2) diagnostics: workers at nice 0; busy limit lifted (/ig popular 5)", flush=True)
        no_limit = ["--queue-limit", "1000000000"]
        variant_web = [sys.executable, "-m", "bench.variants", "igbot", "--web-only", *no_limit]
        configs = [
            ("nice0", ["--worker-nice", "0"], {"nice": 0}),
            ("nolimit", no_limit, {"web": variant_web}),
        ]
        rows = []
        for label, igbot_flags, ref_options in configs:
            for db in (DIAG_DB, DIAG_DB + 1):
                clear_jobs(self.client(db))
            igbot = self.world.start_variant("igbot", igbot_flags, name=f"igbot-{label}", db=DIAG_DB)
            ref = self.world.start_reference_tier(f"reference-{label}", db=DIAG_DB + 1, **ref_options)
            try:
                wait_workers(self.client(DIAG_DB), igbot, 1)
                wait_workers(self.client(DIAG_DB + 1), ref, 1)
                got = self._rounds(
                    "popular", [igbot, ref], self.args.rounds, self.args.seconds, replies=lambda s: True
                )
                pair = [Row.of(f"diagnostic-{label}", *got[s.name]) for s in (igbot, ref)]
            finally:
                self.world.stop_server(igbot)
                self.world.stop_server(ref)
            for r in pair:
                self._print_draining(r)
            rows += pair
        return rows

    # ------------------------------------------------------------ (3)

    def capacity(self, igbot: Server, scenario: str, known: Row | None = None) -> float:
        """Commands a second (ack-only ones included) igbot finishes in ``scenario`` on this machine:
        the rate its worker tier drains a closed-loop round's backlog at once the load stops (from
        ``known``, a row of (2), or from a round measured now)."""
        if known is None:
            got = self._rounds(scenario, [igbot], 1, self.args.seconds, replies=lambda s: True)
            known = Row.of("capacity", *got[igbot.name])
        texts = SCENARIOS[scenario]
        share = sum(1 for t in texts if t not in ACK_ONLY) / len(texts)  # commands with a reply
        rate = known.drain_completed_per_s
        if math.isnan(rate):
            rate = known.window_completed_per_s
        return rate / share

    def open_loop(self, server: Server, scenario: str, rate: float, seconds: float) -> dict[str, Any]:
        """``rate`` commands a second for ``seconds`` from `bench.openloop`; ack and reply latencies."""
        texts = SCENARIOS[scenario]
        pool = sign_pool(
            SIGNING_SECRET, texts, self.users, team_id=TEAM, channel_id=CHANNEL,
            response_base=self.world.collector_url, size=int(rate * seconds) + 10,
        )  # fmt: skip
        work = self.gen.workdir
        pool_file = write_pool_json(pool, work)
        out_file = work / "openloop.json"
        self.world.collector_reset()
        before = server.child.cpu_seconds()
        subprocess.run(
            [sys.executable, "-m", "bench.openloop", "--port", str(server.port), "--pool", str(pool_file),
             "--rate", f"{rate:g}", "--seconds", f"{seconds:g}", "--out", str(out_file)],
            check=True, timeout=seconds + 60, cwd=ROOT,
        )  # fmt: skip
        wait_replies_settled(self.world, quiet_s=1.0)
        cpu = server.child.cpu_seconds() - before
        data = json.loads(out_file.read_text())
        arrivals = self.world.collector_arrivals()
        rows = data["rows"]
        acks = [1000 * (answered - due) for _, due, answered, _, kind in rows if kind != "error"]
        expects = [i for i, _, _, _, kind in rows if kind == "ok" and pool_text(texts, i) not in ACK_ONLY]
        due_of = {i: due for i, due, _, _, _ in rows}
        reply_ms = [1000 * (min(arrivals[str(i)]) - due_of[i]) for i in expects if str(i) in arrivals]
        return {
            "scenario": scenario,
            "target": server.name,
            "rate": rate,
            "seconds": seconds,
            "sent": len(rows),
            "errors": sum(1 for r in rows if r[4] == "error"),
            "busy": sum(1 for r in rows if r[4] == "busy"),
            "storage_down": sum(1 for r in rows if r[4] == "down"),
            "ack_p50_ms": _pct(acks, 50),
            "ack_p99_ms": _pct(acks, 99),
            "ack_max_ms": max(acks) if acks else float("nan"),
            "replies_expected": len(expects),
            "replies": len(reply_ms),
            "duplicates": sum(len(v) - 1 for v in arrivals.values()),
            "reply_p50_ms": _pct(reply_ms, 50),
            "reply_p99_ms": _pct(reply_ms, 99),
            "reply_max_ms": max(reply_ms) if reply_ms else float("nan"),
            "connections_opened": data["connections_opened"],
            "server_cpu_pct": 100 * cpu / seconds,
        }

    def print_open(self, r: dict[str, Any]) -> None:
        print(
            f"  {r['scenario']:<8} {r['target']:<6} {r['rate']:.0f}/s for {r['seconds']:g} s: ack p50"
            f" {r['ack_p50_ms']:.1f} p99 {r['ack_p99_ms']:.1f} max {r['ack_max_ms']:.0f} ms"
            + (
                f" | reply p50 {r['reply_p50_ms']:.0f} p99 {r['reply_p99_ms']:.0f} max"
                f" {r['reply_max_ms']:.0f} ms, {r['replies']}/{r['replies_expected']} answered,"
                f" {r['duplicates']} twice"
                if r["replies_expected"]
                else ""
            )
            + f" | busy {r['busy']} errors {r['errors']} | server CPU {r['server_cpu_pct']:.0f}%",
            flush=True,
        )

    # ------------------------------------------------------------ (4)

    def backlog_drain(self, server: Server, client: redis.Redis, db: int, jobs: int) -> dict[str, float]:
        """Stop the workers (SIGSTOP), enqueue ``jobs`` `/ig popular 5` as the web tier does, let them go
        (SIGCONT) and time until the collector has every answer."""
        pids = worker_pids(server)
        broker = make_broker(broker_client(self.world.redis_url_of(db), timeout=5))
        actors = declare_actors(broker, ContextHolder())
        self.world.collector_reset()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            for i in range(jobs):
                invocation = Invocation(
                    team_id=TEAM, user_id=self.users[i % len(self.users)], user_name="bench",
                    channel_id=CHANNEL, response_url=f"{self.world.collector_url}/respond/{i}",
                    text="popular 5",
                )  # fmt: skip
                actors["run_command"].send(invocation.payload())
        finally:
            before = part_cpu(server)["workers"]
            started = time.monotonic()
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        broker.close()
        deadline = started + 120
        while True:
            count = int(self.world.collector_stats().get("replies", 0))
            if count >= jobs or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # polling the collector
        arrivals = self.world.collector_arrivals()
        last = max((max(v) for v in arrivals.values()), default=started)
        elapsed = last - started
        cpu = part_cpu(server)["workers"] - before
        return {
            "jobs": jobs,
            "answered": len(arrivals),
            "seconds": elapsed,
            "jobs_per_s": len(arrivals) / elapsed if elapsed > 0 else float("nan"),
            "worker_cpu_ms_per_job": 1000 * cpu / max(1, len(arrivals)),
        }

    def scaling(self, counts: list[int], bolt: Server) -> list[dict[str, Any]]:
        print(
            "\n== (4) worker processes: igbot serve --worker-processes N vs N reference workers", flush=True
        )
        out = []
        for count in counts:
            clear_jobs(self.redis)
            clear_jobs(self.ref_redis)
            igbot = self.world.start_igbot(["--worker-processes", str(count)], name=f"igbot-p{count}")
            ref = self.world.start_reference_tier(f"reference-p{count}", processes=count)
            try:
                wait_workers(self.redis, igbot, count)
                wait_workers(self.ref_redis, ref, count)
                row: dict[str, Any] = {"processes": count}
                for name, server, client, db in (
                    ("igbot", igbot, self.redis, 0), ("reference", ref, self.ref_redis, REF_DB)
                ):  # fmt: skip
                    row[f"{name}_drain"] = self.backlog_drain(server, client, db, self.args.backlog)
                got = self._rounds(
                    "popular", [igbot, ref], 1, self.args.scaling_seconds, replies=lambda s: True
                )
                for name, server in (("igbot", igbot), ("reference", ref)):
                    row[f"{name}_load"] = dataclasses.asdict(Row.of("scaling", *got[server.name]))
                ig, rf = row["igbot_drain"], row["reference_drain"]
                il, rl = row["igbot_load"], row["reference_load"]
                ratio = _ratio(ig["jobs_per_s"], rf["jobs_per_s"])
                print(
                    f"  {count} process(es): backlog of {ig['jobs']}: igbot {ig['jobs_per_s']:.0f} jobs/s"
                    f" ({ig['worker_cpu_ms_per_job']:.2f} ms CPU/job), reference {rf['jobs_per_s']:.0f}"
                    f" jobs/s ({rf['worker_cpu_ms_per_job']:.2f} ms/job), ratio {ratio:.2f}"
                    f" | under load: igbot acks {il['acks_per_s']:.0f}/s completed"
                    f" {il['window_completed_per_s']:.0f}/s; reference acks {rl['acks_per_s']:.0f}/s"
                    f" completed {rl['window_completed_per_s']:.0f}/s",
                    flush=True,
                )
                out.append(row)
            finally:
                self.world.stop_server(igbot)
                self.world.stop_server(ref)
        clear_jobs(self.redis)
        clear_jobs(self.ref_redis)
        return out

    # ------------------------------------------------------------ (5)

    def _send_all(self, port: int, pool: list[Signed]) -> list[int]:
        url = f"http://127.0.0.1:{port}{EVENTS_PATH}"

        def send(item: Signed) -> int:
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": item.timestamp,
                "X-Slack-Signature": item.signature,
            }
            return requests.post(url, data=item.body, headers=headers, timeout=5).status_code

        with ThreadPoolExecutor(8) as pool_:
            return list(pool_.map(send, pool))

    def _in_flight(self, client: redis.Redis) -> set[int]:
        """Pool indexes of the jobs a worker has fetched and not acknowledged (from their response URLs)."""
        found: set[int] = set()
        for key in client.scan_iter(f"{NAMESPACE}:__acks__.*.interactive", count=1000):
            ids = list(client.smembers(key))
            if not ids:
                continue
            for data in client.hmget(f"{QUEUE}.msgs", ids):
                if data:
                    url = json.loads(data)["args"][0]["response_url"]
                    found.add(int(url.rsplit("/", 1)[1]))
        return found

    def kill_trial(self, server: Server, client: redis.Redis, n: int, trial: int) -> dict[str, Any]:
        """``n`` slow commands, SIGKILL of a worker holding some, and what became of each command."""
        self.world.collector_reset()
        http_json(
            f"{self.world.instagram_url}/__sandbox__/faults",
            {"count": n, "status": None, "latency_ms": 300, "path_prefix": "/v1"},
        )
        pool = sign_pool(
            SIGNING_SECRET, ["popular 1"], self.users, team_id=TEAM, channel_id=CHANNEL,
            response_base=self.world.collector_url, size=n, seed=100 + trial,
        )  # fmt: skip
        statuses = self._send_all(server.port, pool)
        reference = server.name.startswith("reference")
        deadline = time.monotonic() + 10
        while True:
            held = self._in_flight(client) if not reference else set()
            queued = int(client.llen(QUEUE))
            if (held if not reference else queued <= n - 16) or time.monotonic() > deadline:
                break
            time.sleep(0.02)  # polling Redis for jobs taken by the worker
        time.sleep(0.15)  # the held jobs are now inside their (slowed) Instagram call
        (victim, *_) = worker_pids(server)
        held = self._in_flight(client) if not reference else set()
        queued_at_kill = int(client.llen(QUEUE))
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        answered_before = {
            int(k) for k, times in self.world.collector_arrivals().items() if min(times) <= killed_at
        }
        held -= answered_before  # answered in the moment before the kill: nothing to re-deliver
        result: dict[str, Any] = {
            "trial": trial, "target": server.name, "commands": n, "acked": statuses.count(200),
            "answered_before_kill": len(answered_before), "held_by_victim": len(held),
            "queued_at_kill": queued_at_kill,
        }  # fmt: skip
        if reference:  # no acknowledgement: what the dead worker had taken is gone
            result["held_by_victim"] = n - queued_at_kill - len(answered_before)
            time.sleep(1.0)  # let the answers already on the wire arrive
            answered = set(self.world.collector_arrivals())
            waiting = int(client.llen(QUEUE))
            result.update(
                answered=len(answered), still_queued=waiting, lost=n - len(answered) - waiting,
                seconds_to_last_answer=None,
            )  # fmt: skip
            return result
        limit = killed_at + self.args.kill_timeout
        while time.monotonic() < limit:
            arrivals = self.world.collector_arrivals()
            if len(arrivals) >= n:
                break
            time.sleep(0.1)  # polling the collector for the re-delivered answers
        time.sleep(1.0)  # room for a repeated answer to show up
        arrivals = self.world.collector_arrivals()
        firsts = {int(k): min(v) for k, v in arrivals.items()}
        held_answers = [firsts[i] - killed_at for i in held if i in firsts]
        result.update(
            answered=len(arrivals),
            lost=n - len(arrivals),
            repeated=sum(len(v) - 1 for v in arrivals.values()),
            seconds_to_last_answer=max(firsts.values()) - killed_at if firsts else None,
            held_first_answer_s=min(held_answers) if held_answers else None,
            held_last_answer_s=max(held_answers) if held_answers else None,
        )  # fmt: skip
        return result

    def kills(self, igbot: Server, trials: int) -> list[dict[str, Any]]:
        print(f"\n== (5) kill -9 of a worker mid-flight ({trials} trial(s), 50 commands each)", flush=True)
        out = []
        for trial in range(trials):
            wait_workers(self.redis, igbot, 1)
            row = self.kill_trial(igbot, self.redis, 50, trial)
            out.append(row)
            print(
                f"  igbot trial {trial}: {row['held_by_victim']} jobs held by the killed worker,"
                f" {row['answered_before_kill']} answered before; after the kill: last answer at"
                f" {row['seconds_to_last_answer']:.1f} s (held jobs answered from"
                f" {row['held_first_answer_s'] or float('nan'):.1f} s), {row['answered']}/50 answered,"
                f" {row['lost']} lost, {row['repeated']} answered twice",
                flush=True,
            )
        clear_jobs(self.ref_redis)
        ref = self.world.start_reference_tier("reference-kill", processes=1)
        try:
            wait_workers(self.ref_redis, ref, 1)
            row = self.kill_trial(ref, self.ref_redis, 50, trials)
            out.append(row)
            print(
                f"  reference: {row['answered_before_kill']} answered before the kill, {row['answered']}"
                f" answered, {row['still_queued']} still queued, {row['lost']} lost for good",
                flush=True,
            )
        finally:
            self.world.stop_server(ref)
            clear_jobs(self.ref_redis)
        return out


ACK_ONLY = {"help", "", "folow bob"}


def pool_text(texts: list[str], i: int) -> str:
    """The command text of pool item ``i`` (`sign_pool` cycles through ``texts``)."""
    return texts[i % len(texts)]


# ---------------------------------------------------------------- report


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ratio and latency the issue asks for, with its goal."""
    lines: list[dict[str, Any]] = []
    paused = {(r["scenario"], r["target"]): r for r in report.get("paused", [])}
    for scenario in report["args"]["scenarios"].split(","):
        ig, bo = paused.get((scenario, "igbot-web-only")), paused.get((scenario, "bolt"))
        if ig and bo:
            ratio = _ratio(ig["queued_acks_per_s"], bo["acks_per_s"])
            kind = "the mixed workload" if scenario == "mixed" else f"`/ig {SCENARIOS[scenario][0]}`"
            lines.append({"what": f"(1) paused: {kind} acks vs bare Bolt",
                          "value": ratio, "unit": "x", "goal": ">= 0.5", "met": ratio >= 0.5})  # fmt: skip
    drain = {r["target"]: r for r in report.get("draining", [])}
    if {"igbot", "bolt", "reference"} <= set(drain):
        ig, bo, rf = drain["igbot"], drain["bolt"], drain["reference"]
        ratio = _ratio(ig["acks_per_s"], bo["acks_per_s"])
        lines.append({"what": "(2) draining: `/ig popular 5` acks vs bare Bolt", "value": ratio,
                      "unit": "x", "goal": ">= 0.4", "met": ratio >= 0.4})  # fmt: skip
        queued = _ratio(ig["queued_acks_per_s"], bo["acks_per_s"])
        lines.append({"what": "(2) draining: queued acks only (busy acks left out) vs bare Bolt",
                      "value": queued, "unit": "x", "goal": ">= 0.4", "met": queued >= 0.4})  # fmt: skip
        done = _ratio(ig["window_completed_per_s"], rf["window_completed_per_s"])
        lines.append({"what": "(2) draining: completed commands/s under load vs reference worker",
                      "value": done, "unit": "x", "goal": ">= 0.7", "met": done >= 0.7})  # fmt: skip
        after = _ratio(ig["drain_completed_per_s"], rf["drain_completed_per_s"])
        lines.append({"what": "(2) completed commands/s after the load (workers alone) vs reference",
                      "value": after, "unit": "x", "goal": ">= 0.7", "met": after >= 0.7})  # fmt: skip
    diag = {r["target"]: r for r in report.get("diagnostics", [])}
    bolt = drain.get("bolt")
    if bolt and {"igbot-nolimit", "reference-nolimit"} <= set(diag):
        ig, rf = diag["igbot-nolimit"], diag["reference-nolimit"]
        ratio = _ratio(ig["acks_per_s"], bolt["acks_per_s"])
        lines.append({"what": "(2) diagnostic, busy limit lifted (every ack an enqueue): acks vs bare Bolt",
                      "value": ratio, "unit": "x", "goal": ">= 0.4", "met": ratio >= 0.4})  # fmt: skip
        done = _ratio(ig["window_completed_per_s"], rf["window_completed_per_s"])
        lines.append({"what": "(2) diagnostic, busy limit lifted: completed/s under load vs reference",
                      "value": done, "unit": "x", "goal": ">= 0.7", "met": done >= 0.7})  # fmt: skip
    if {"igbot-nice0", "reference-nice0"} <= set(diag):
        ig, rf = diag["igbot-nice0"], diag["reference-nice0"]
        done = _ratio(ig["window_completed_per_s"], rf["window_completed_per_s"])
        lines.append({"what": "(2) diagnostic, workers at nice 0: completed/s under load vs reference",
                      "value": done, "unit": "x", "goal": "(context)", "met": None})  # fmt: skip
    for row in report.get("open_loop", []):
        if row["target"] != "igbot":
            continue
        label = f"(3) open loop {row['rate']:.0f}/s, `{row['scenario']}`"
        lines.append({"what": f"{label}: ack p99", "value": row["ack_p99_ms"], "unit": "ms",
                      "goal": "< 50", "met": row["ack_p99_ms"] < 50})  # fmt: skip
        if row["replies_expected"]:
            ok = row["reply_p99_ms"] < 1000 and row["replies"] == row["replies_expected"]
            lines.append({"what": f"{label}: reply p99", "value": row["reply_p99_ms"], "unit": "ms",
                          "goal": "< 1000, all answered", "met": ok})  # fmt: skip
    for row in report.get("scaling", []):
        ratio = _ratio(row["igbot_drain"]["jobs_per_s"], row["reference_drain"]["jobs_per_s"])
        lines.append({"what": f"(4) {row['processes']} worker process(es): backlog jobs/s vs reference",
                      "value": ratio, "unit": "x", "goal": "(no goal)", "met": None})  # fmt: skip
    kills = [k for k in report.get("kills", []) if not k["target"].startswith("reference")]
    if kills:
        worst = max(k["seconds_to_last_answer"] or math.inf for k in kills)
        ok = all(k["lost"] == 0 and k["repeated"] == 0 for k in kills) and worst < 60
        lines.append({"what": "(5) kill -9: seconds from the kill to the last answer (worst trial)",
                      "value": worst, "unit": "s", "goal": "< 60, none lost or repeated (issue: re-run"
                      " within 30 s)", "met": ok and worst < 30})  # fmt: skip
    return lines


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A Markdown table; ``align`` has one letter per column: l (left) or r (right)."""
    rule = ["---" if a == "l" else "---:" for a in align]
    return ["| " + " | ".join(cells) + " |" for cells in [header, rule, *rows]]


def _f(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    args = report["args"]
    md = [
        f"# Worker tier (issue 10), `python -m bench.workers{' --quick' if args['quick'] else ''}`",
        "",
        f"Run {report['started']}, {report['seconds']:.0f} s; load: {report['generator']}, "
        f"{args['connections']} connections, {args['rounds']} x {args['seconds']:g} s rounds.",
        "",
        "## (1) Ack path, workers paused (`igbot serve --web-only`, queue swept every 0.1 s)",
        "",
    ]
    paused = {(r["scenario"], r["target"]): r for r in report.get("paused", [])}
    rows = []
    for r in report.get("paused", []):
        bolt = paused.get((r["scenario"], "bolt"))
        ours = r["target"] != "bolt"
        ratio = f"**{_ratio(r['queued_acks_per_s'], bolt['acks_per_s']):.2f}**" if ours and bolt else ""
        rows.append([
            r["scenario"], r["target"], _f(r["acks_per_s"]), _f(r["p50_ms"], 1), _f(r["p99_ms"], 1),
            _f(r["cpu_ms_per_ack"], 2), str(r["enqueued"]) if ours else "", str(r["busy"]),
            str(r["max_depth"]) if ours else "", ratio,
        ])  # fmt: skip
    md += _table(
        ["scenario", "server", "acks/s", "p50 ms", "p99 ms", "CPU ms/ack", "jobs enqueued", "busy acks",
         "deepest queue", "igbot/Bolt"], rows, "llrrrrrrrr",
    )  # fmt: skip
    md += ["", "## (2) Workers draining on the same cores (`/ig popular 5`)", ""]
    rows = [
        [r["target"], _f(r["acks_per_s"]), str(r["busy"]), _f(r["p99_ms"], 1),
         _f(r["window_completed_per_s"]), _f(r["drain_completed_per_s"]), _f(r["web_cpu_ms"], 2),
         _f(r["worker_cpu_ms_per_job"], 2), str(r["replies"])]
        for r in report.get("draining", [])
    ]  # fmt: skip
    md += _table(
        ["server", "acks/s", "busy acks", "p99 ms", "completed/s under load", "completed/s after the load",
         "web CPU ms/ack", "worker CPU ms/job", "replies"], rows, "lrrrrrrrr",
    )  # fmt: skip
    if report.get("diagnostics"):
        rows = [
            [r["phase"].removeprefix("diagnostic-"), r["target"], _f(r["acks_per_s"]), str(r["busy"]),
             _f(r["p99_ms"], 1), _f(r["window_completed_per_s"]), _f(r["drain_completed_per_s"]),
             _f(r["web_cpu_ms"], 2), _f(r["worker_cpu_ms_per_job"], 2), str(r["replies"])]
            for r in report["diagnostics"]
        ]  # fmt: skip
        md += ["", "Diagnostics (same measurement; `nice0`: workers at nice 0 like the web tier; `nolimit`: "
               "the busy limit lifted, so every ack is an enqueue):", ""]  # fmt: skip
        md += _table(
            ["config", "server", "acks/s", "busy acks", "p99 ms", "completed/s under load",
             "completed/s after the load", "web CPU ms/ack", "worker CPU ms/job", "replies"],
            rows, "llrrrrrrrr",
        )  # fmt: skip
    if report.get("idle"):
        md += ["", f"Idle igbot worker process, per second: `{json.dumps(report['idle'])}`"]
    md += ["", "## (3) Open loop at half of capacity", ""]
    rows = []
    for r in report.get("open_loop", []):
        has = bool(r["replies_expected"])
        rows.append([
            r["scenario"], r["target"], _f(r.get("capacity_per_s")), _f(r["rate"]), _f(r["ack_p50_ms"], 1),
            _f(r["ack_p99_ms"], 1),
            _f(r["reply_p50_ms"]) if has else "", _f(r["reply_p99_ms"]) if has else "",
            f"{r['replies']}/{r['replies_expected']}" if has else "", str(r["busy"]), str(r["errors"]),
        ])  # fmt: skip
    md += _table(
        ["scenario", "server", "capacity/s", "rate/s", "ack p50 ms", "ack p99 ms", "reply p50 ms",
         "reply p99 ms", "answered", "busy", "errors"], rows, "llrrrrrrrrr",
    )  # fmt: skip
    md += ["", "## (4) Worker processes (backlog drained with the web idle; then one closed-loop round)", ""]
    rows = []
    for r in report.get("scaling", []):
        ig, rf, il, rl = r["igbot_drain"], r["reference_drain"], r["igbot_load"], r["reference_load"]
        rows.append([
            str(r["processes"]), _f(ig["jobs_per_s"]), _f(rf["jobs_per_s"]),
            _f(_ratio(ig["jobs_per_s"], rf["jobs_per_s"]), 2), _f(ig["worker_cpu_ms_per_job"], 2),
            _f(rf["worker_cpu_ms_per_job"], 2), _f(il["acks_per_s"]), _f(il["window_completed_per_s"]),
            _f(rl["acks_per_s"]), _f(rl["window_completed_per_s"]),
        ])  # fmt: skip
    md += _table(
        ["processes", "igbot backlog jobs/s", "reference jobs/s", "igbot/reference",
         "igbot worker CPU ms/job", "reference ms/job", "igbot acks/s under load", "igbot completed/s",
         "reference acks/s", "reference completed/s"], rows, "rrrrrrrrrr",
    )  # fmt: skip
    md += ["", "## (5) kill -9 of a worker holding jobs (50 commands, Instagram at 300 ms)", ""]
    rows = []
    for k in report.get("kills", []):
        held = ""
        if k.get("held_first_answer_s") is not None:
            held = f"{k['held_first_answer_s']:.1f}-{k['held_last_answer_s']:.1f} s"
        rows.append([
            str(k["trial"]), k["target"], str(k["held_by_victim"] or ""), str(k["answered_before_kill"]),
            f"{_f(k.get('seconds_to_last_answer'), 1)} s" if k.get("seconds_to_last_answer") else "",
            held, str(k["answered"]), str(k["lost"]), str(k.get("repeated", "")),
        ])  # fmt: skip
    md += _table(
        ["trial", "worker", "held by the killed worker", "answered before", "last answer after the kill",
         "held jobs answered after", "answered", "lost", "answered twice"], rows, "llrrrrrrr",
    )  # fmt: skip
    rows = []
    for t in report.get("targets", []):
        value = f"{_f(t['value'], 2)}x" if t["unit"] == "x" else f"{_f(t['value'], 1)} {t['unit']}"
        rows.append([t["what"], value, t["goal"], "" if t["met"] is None else _verdict(t["met"])])
    md += ["", "## Targets", "", *_table(["what", "value", "goal", ""], rows, "lrll")]
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds, fewer trials (about 4 min)")
    parser.add_argument("--seconds", type=float, default=None, help="length of a measured round (3; quick 2)")
    parser.add_argument("--rounds", type=int, default=None, help="measured rounds (2; quick 1)")
    parser.add_argument("--drain-rounds", type=int, default=None, help="(2) measured rounds (3; quick 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--scenarios", default="help,follow,popular,me,mixed", help="for (1)")
    parser.add_argument("--processes", default="1,2,4", help="worker processes for (4) ('' skips)")
    parser.add_argument("--scaling-seconds", type=float, default=None, help="(4) round (3; quick 2)")
    parser.add_argument("--backlog", type=int, default=None, help="(4) backlog jobs (2000; quick 800)")
    parser.add_argument("--open-seconds", type=float, default=None, help="(3) length (10; quick 6)")
    parser.add_argument("--open-scenarios", default=None, help="(3) scenarios (popular,mixed; quick popular)")
    parser.add_argument("--kill-trials", type=int, default=None, help="(5) trials (3; quick 1)")
    parser.add_argument("--kill-timeout", type=float, default=60.0)
    parser.add_argument(
        "--diagnostics", action=argparse.BooleanOptionalAction, default=None,
        help="(2) also with the workers at nice 0 and with the busy limit lifted (default: not with --quick)",
    )  # fmt: skip
    parser.add_argument("--python-load", action="store_true", help="use bench.pyload even if wrk is there")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "seconds": (3.0, 2.0), "rounds": (2, 1), "drain_rounds": (3, 1), "scaling_seconds": (3.0, 2.0),
        "backlog": (2000, 800),
        "open_seconds": (10.0, 6.0), "open_scenarios": ("popular,mixed", "popular"), "kill_trials": (3, 1),
        "diagnostics": (True, False),
    }  # fmt: skip
    for name, (full, short) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    started = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    wrk = None if args.python_load else ensure_wrk()
    gen = Generator(wrk)
    report: dict[str, Any] = {
        "machine": _machine(), "args": vars(args), "generator": gen.name,
        "started": datetime.datetime.now().isoformat(timespec="minutes"),
        "queue_limit": DEFAULT_QUEUE_LIMIT, "heartbeat_timeout_ms": HEARTBEAT_TIMEOUT_MS,
    }  # fmt: skip
    print(f"machine: {json.dumps(report['machine'])}")
    print(f"load: {gen.name}, {args.connections} connections, {args.rounds} x {args.seconds:g} s per server")
    with managed(RESULTS / f"workers-logs-{stamp}") as procs:
        world = start_world(procs)
        users = world.link_users(200)
        bench = WorkerBench(args, world, gen, users)
        clear_jobs(bench.redis)
        clear_jobs(bench.ref_redis)
        bolt = world.start_variant("bolt", ["--workers", "2", "--threads", "8"])
        report["paused"] = [dataclasses.asdict(r) for r in bench.paused(bolt)]
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        if args.diagnostics:
            report["diagnostics"] = [dataclasses.asdict(r) for r in bench.diagnostics()]
            print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        igbot = world.start_igbot()
        wait_workers(bench.redis, igbot, 1)
        time.sleep(1.0)  # the worker's consumers reach their idle poll interval
        report["idle"] = bench.idle_cost(igbot, 3.0 if quick else 5.0)
        print(f"  idle igbot worker process: {report['idle']}", flush=True)
        ref = world.start_reference_tier("reference", processes=1)
        wait_workers(bench.ref_redis, ref, 1)
        draining = bench.draining(igbot, ref, bolt)
        report["draining"] = [dataclasses.asdict(r) for r in draining]
        world.stop_server(ref)
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        print("\n== (3) open loop at half of capacity", flush=True)
        report["open_loop"] = []
        for scenario in args.open_scenarios.split(","):
            capacity = bench.capacity(igbot, scenario, draining[0] if scenario == "popular" else None)
            rate = max(5.0, round(capacity / 2))
            print(f"  {scenario}: capacity {capacity:.0f} commands/s -> {rate:.0f}/s", flush=True)
            for server in (igbot, bolt):
                row = {
                    "capacity_per_s": capacity,
                    **bench.open_loop(server, scenario, rate, args.open_seconds),
                }
                report["open_loop"].append(row)
                bench.print_open(row)
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        report["kills"] = bench.kills(igbot, args.kill_trials)
        world.stop_server(igbot)
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        counts = [int(c) for c in args.processes.split(",") if c]
        report["scaling"] = bench.scaling(counts, bolt) if counts else []
        world.stop_server(bolt)
        world.slack.stop()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = targets(report)
    text = markdown(report)
    (RESULTS / f"workers-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / f"workers-{stamp}.md").write_text(text)
    print("\n" + text)
    print(f"results: bench/results/workers-{stamp}.json, .md ({report['seconds']:.0f} s)")
    return 0


def _main() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        print("\nbench.workers: interrupted; every process it started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(_main())
