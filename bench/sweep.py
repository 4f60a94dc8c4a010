"""Tuning sweep behind the `igbot serve` defaults: `python -m bench.sweep [--seconds 4] [--rounds 2]`.

For each configuration (gunicorn worker class, web processes, threads per web process, threads per
worker process, GIL switch interval) it starts igbot (run by `bot.serve` with those options, via
`bench.variants`: the web tier and one `igbot worker` process at nice 10) and the bare-Bolt
reference with the same gunicorn options, and measures `/ig help` (the ack path alone) and
`/ig follow` (ack + enqueue; the worker does the rest) at 16 connections, alternating the two
servers. Prints one line per configuration, with the busy acks (more than the queue limit waiting)
and the follows completed per second. About 20 s per configuration and round.
"""

from __future__ import annotations

import argparse
import statistics

from bench.load import Generator, ensure_wrk, sign_pool
from bench.measure import Run, measure
from bench.procs import ROOT, managed
from bench.stack import CHANNEL, SIGNING_SECRET, TEAM, start_world

CONFIGS = [
    # (worker class, web processes, threads, threads per worker process, GIL switch interval ms or None)
    ("gthread", 2, 8, 16, None),
    ("gthread", 2, 4, 16, None),
    ("gthread", 4, 4, 16, None),
    ("gthread", 4, 2, 16, None),
    ("gthread", 3, 4, 16, None),
    ("sync", 4, 1, 16, None),
    ("sync", 8, 1, 16, None),
    ("gthread", 4, 4, 4, None),
    ("gthread", 2, 8, 16, 1.0),
    ("gthread", 4, 4, 16, 1.0),
    ("gthread", 4, 2, 16, 1.0),
    ("gthread", 2, 8, 4, None),
    ("gthread", 2, 8, 32, None),
    ("gthread", 4, 4, 8, None),
]
SCENARIOS = {"help": ["help"], "follow": ["follow dan_the_man", "follow bob"]}


def _completed_per_s(runs: list[Run]) -> float:
    """Replies (work after the ack completed) per second of load + drain."""
    return statistics.median(r.replies / (r.load.seconds + r.drain_s) for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="comma-separated config indexes to run")
    parser.add_argument("--instagram-latency-ms", type=int, default=0, help="delay every sandbox API call")
    args = parser.parse_args(argv)
    configs = list(enumerate(CONFIGS))
    if args.only:
        keep = {int(i) for i in args.only.split(",")}
        configs = [(i, c) for i, c in configs if i in keep]
    with managed(ROOT / "bench" / "results" / "sweep-logs") as procs:
        world = start_world(procs, instagram_threads=256 if args.instagram_latency_ms else 8)
        users = world.link_users(200)
        world.instagram_latency(args.instagram_latency_ms)
        gen = Generator(ensure_wrk())
        print(
            f"load generator: {gen.name}; {args.rounds} rounds x {args.seconds:g} s; {args.connections} conns"
        )
        print(
            "cfg  class    w  t  wt sw  | scenario  igbot rps p99 ms cpu ms | bolt rps p99 ms cpu ms "
            "| ratio  other%"
        )
        for index, (klass, workers, threads, after, switch) in configs:
            flags = ["--worker-class", klass, "--workers", str(workers), "--threads", str(threads)]
            if switch is not None:
                flags += ["--switch-interval-ms", str(switch)]
            igbot = world.start_variant(
                "igbot", [*flags, "--worker-threads", str(after)], name=f"igbot-{index}"
            )
            bolt = world.start_variant("bolt", flags, name=f"bolt-{index}")
            try:
                for scenario, texts in SCENARIOS.items():
                    runs: dict[str, list[Run]] = {"igbot": [], "bolt": []}
                    for _round in range(args.rounds + 1):  # round 0 warms up
                        for name, server in (("igbot", igbot), ("bolt", bolt)):
                            pool = sign_pool(
                                SIGNING_SECRET, texts, users, team_id=TEAM, channel_id=CHANNEL,
                                response_base=world.collector_url, size=int(4000 * args.seconds),
                            )  # fmt: skip
                            run = measure(
                                world, server, scenario, gen, pool, seconds=args.seconds,
                                connections=args.connections,
                                expect_replies=name == "igbot" and scenario != "help",
                            )  # fmt: skip
                            if _round:
                                runs[name].append(run)
                    ig, bo = runs["igbot"], runs["bolt"]
                    ig_rps = statistics.median(r.load.rps for r in ig)
                    bo_rps = statistics.median(r.load.rps for r in bo)
                    print(
                        f"{index:<4} {klass:<8} {workers:<2} {threads:<2} {after:<3}{switch or 5:<4}"
                        f"| {scenario:<8} "
                        f"{ig_rps:7.0f} {statistics.median(r.load.p99_ms for r in ig):6.1f} "
                        f"{statistics.median(r.server_ms_per_request for r in ig):6.2f} | "
                        f"{bo_rps:7.0f} {statistics.median(r.load.p99_ms for r in bo):6.1f} "
                        f"{statistics.median(r.server_ms_per_request for r in bo):6.2f} | "
                        f"{ig_rps / bo_rps:5.2f} {statistics.median(r.other_cpu_pct for r in ig + bo):5.0f}"
                        f"  errors {sum(r.load.error_count for r in ig + bo)}"
                        f"  busy {sum(r.load.busy for r in ig)}"
                        f"  replies/s {_completed_per_s(ig):.0f}",
                        flush=True,
                    )
            finally:
                world.stop_server(igbot)
                world.stop_server(bolt)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit("bench.sweep: interrupted; every process it started has been stopped") from None
