"""The inbox under a burst of comments (issue 13): `.venv/bin/python -m bench.inbox [--comments 500]`.

About a minute on 2 cores. One loopback stack (`bench.feedworld`): a real Redis, igbot's web tier as the
Procfile's ``web:`` starts it, ``--workers`` `igbot worker` processes as its ``worker:`` does, and, in
this process, the sandbox Instagram in Graph API mode (its webhooks configured like Meta's App
Dashboard) and the Slack stand-in. One Slack user is linked to ``@bobs_bakery`` and runs ``/ig inbox``
in its channel; then ``--comments`` comments are added as fast as 8 threads can (spread over the
account's posts, so most land in threads), each pushed by the sandbox as a signed webhook.

Measured, in one run:
- **latency**: webhook POST -> the comment's message recorded by the Slack stand-in (p50, p99, max),
  and comment created -> recorded (includes the sandbox's own delivery queue);
- **counting**: every comment carries a unique marker; each must appear exactly once (duplicated and
  lost are counted);
- **replay**: every delivered body is POSTed again with its signature (what Meta does on a retry):
  new messages must be 0;
- the stand-in's per-channel posting rate (Slack's 1 message/s, burst 5) is off by default, so the
  figure is igbot's own; ``--post-limit`` turns it on (then the burst drains at 1 per second, as it
  would in a real channel).

Every process it starts is stopped at the end. Results: bench/results/inbox-<stamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import json
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.feedworld import CLIENT_SECRET, TEAM, VERIFY_TOKEN, FeedWorld, start_feed_world, start_redis
from bench.procs import ROOT, managed
from bench.run import _machine
from bot.instagram.graph.backend import SCOPES
from bot.storage.crypto import TokenCipher
from bot.storage.links import LinkStore

RESULTS = ROOT / "bench" / "results"
USER, CHANNEL = "U0INBOX", "C0INBOX"
COMMENTERS = ("chloemurphy", "aishasilva", "dan_the_man", "alice", "bob")
MARKER = re.compile(r"inbox-bench-(\d{5})")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _link(world: FeedWorld) -> str:
    """Link the bench's Slack user to @bobs_bakery; returns the account id."""
    token = world.sandbox.issue_graph_token("bob", scope=",".join(SCOPES))
    account = next(a for a in world.sandbox.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    client = world.redis()
    LinkStore(client, TokenCipher([world.key])).save(
        TEAM,
        USER,
        token=token,
        ig_user_id=str(account["id"]),
        ig_username="bobs_bakery",
        scope=",".join(SCOPES),
    )
    client.close()
    world.add_channels([(USER, CHANNEL)])
    return str(account["id"])


def _wait(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)  # polling the stand-in's record, bounded by the deadline
    return True


def _seen(world: FeedWorld) -> dict[int, list[float]]:
    """Marker -> when each message carrying it was recorded (seconds since the epoch)."""
    found: dict[int, list[float]] = {}
    for message in world.slack.messages(channel_id=CHANNEL):
        if (
            not message.valid
            or message.source != "chat.postMessage"
            or "commented on" not in message.all_text()
        ):
            continue
        match = MARKER.search(message.all_text())
        if match:
            found.setdefault(int(match.group(1)), []).append(float(message.ts))
    return found


def run(world: FeedWorld, comments: int) -> dict[str, Any]:
    """One burst; returns the figures."""
    account_id = _link(world)
    world.sandbox.set_webhook(f"http://127.0.0.1:{world.web_port}/instagram/webhook", VERIFY_TOKEN)
    world.slack.send_command(text="inbox", user_id=USER, channel_id=CHANNEL, team_id=TEAM)
    if not _wait(lambda: any("Inbox on" in m.all_text() for m in world.slack.messages(user_id=USER)), 30):
        raise RuntimeError("/ig inbox was not confirmed")
    media = [m.id for m in world.sandbox.graph_world.media_of(account_id)]
    created: dict[int, float] = {}
    lock = threading.Lock()

    def add(n: int) -> None:
        at = time.time()
        world.sandbox.add_comment(
            media[n % len(media)], COMMENTERS[n % len(COMMENTERS)], f"inbox-bench-{n:05d} yum"
        )
        with lock:
            created[n] = at

    started = time.time()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(comments)))
    burst_seconds = time.time() - started
    done = _wait(lambda: len(_seen(world)) >= comments, timeout=max(120.0, comments * 1.2))
    world.sandbox.wait_webhooks_idle(timeout=60)
    client = world.redis()
    world.wait_idle(client, timeout=60)
    seen = _seen(world)
    deliveries = world.sandbox.webhook_deliveries()
    pushed: dict[int, float] = {}
    for record in deliveries:
        match = MARKER.search(str(record.get("body", "")))
        if match and record.get("ok"):
            pushed.setdefault(int(match.group(1)), float(record["time"]))
    from_push = [seen[n][0] - pushed[n] for n in seen if n in pushed]
    from_comment = [seen[n][0] - created[n] for n in seen if n in created]
    duplicated = sum(1 for times in seen.values() if len(times) > 1)
    lost = comments - len(seen)
    finished = max((t[0] for t in seen.values()), default=started)

    # Replay every delivered body, as Meta's retries would: nothing new may be posted.
    before = sum(len(t) for t in _seen(world).values())
    bodies = [str(r["body"]).encode() for r in deliveries if r.get("ok")]
    url = f"http://127.0.0.1:{world.web_port}/instagram/webhook"
    statuses: list[int] = []
    for body in bodies:
        signature = "sha256=" + hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha256).hexdigest()
        answer = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            timeout=10,
        )
        statuses.append(answer.status_code)
    world.wait_idle(client, timeout=60)
    client.close()
    after = sum(len(t) for t in _seen(world).values())
    return {
        "comments": comments,
        "all_arrived": done,
        "burst_seconds": round(burst_seconds, 2),
        "drain_seconds": round(finished - started, 2),
        "throughput_per_second": round(len(seen) / max(finished - started, 1e-6), 1),
        "webhook_attempts": len(deliveries),
        "webhook_failed_attempts": sum(1 for r in deliveries if not r.get("ok")),
        "latency_from_webhook_ms": {
            "p50": round(statistics.median(from_push) * 1000, 1) if from_push else None,
            "p99": round(_percentile(from_push, 99) * 1000, 1),
            "max": round(max(from_push) * 1000, 1) if from_push else None,
        },
        "latency_from_comment_ms": {
            "p50": round(statistics.median(from_comment) * 1000, 1) if from_comment else None,
            "p99": round(_percentile(from_comment, 99) * 1000, 1),
            "max": round(max(from_comment) * 1000, 1) if from_comment else None,
        },
        "duplicated": duplicated,
        "lost": lost,
        "replayed": len(bodies),
        "replay_statuses": sorted(set(statuses)),
        "posted_by_replay": after - before,
        "threads": len({m for m in media}),
    }


def markdown(report: dict[str, Any]) -> str:
    """The report as the table docs/benchmarks.md shows."""
    r = report["result"]
    hook, comment = r["latency_from_webhook_ms"], r["latency_from_comment_ms"]
    limit = "on" if report["args"]["post_limit"] else "off"
    rows = [
        (
            "webhook POST -> Slack message, p50 / p99 / max",
            f"{hook['p50']} / {hook['p99']} / {hook['max']} ms",
        ),
        (
            "comment created -> Slack message, p50 / p99 / max",
            f"{comment['p50']} / {comment['p99']} / {comment['max']} ms",
        ),
        (
            f"all {r['comments']} posted after",
            f"{r['drain_seconds']} s ({r['throughput_per_second']} per second)",
        ),
        ("webhook attempts (failed)", f"{r['webhook_attempts']} ({r['webhook_failed_attempts']})"),
        ("duplicated / lost", f"{r['duplicated']} / {r['lost']}"),
        (
            "replayed bodies / answered / new messages",
            f"{r['replayed']} / {r['replay_statuses']} / {r['posted_by_replay']}",
        ),
    ]
    head = (
        f"bench.inbox: {r['comments']} comments in {r['burst_seconds']} s on {r['threads']} posts, "
        f"{report['args']['workers']} worker(s), posting rate limit {limit}"
    )
    return "\n".join([head, "", "| figure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox", description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="igbot worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per igbot worker (the Procfile's)")
    parser.add_argument("--post-limit", action=argparse.BooleanOptionalAction, default=False,
                        help="the stand-in's 1/s per channel posting rate (default off)")  # fmt: skip
    args = parser.parse_args(argv)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": _machine(), "args": vars(args)}
    print(f"machine: {json.dumps(report['machine'])}", flush=True)
    started = time.monotonic()
    with managed(RESULTS / f"inbox-logs-{stamp}") as procs:
        world = start_feed_world(procs, "graph", start_redis(procs), 0, post_limit=args.post_limit)
        try:
            world.start_igbot(args.workers, args.threads)
            report["result"] = run(world, args.comments)
        finally:
            world.stop()
    report["seconds"] = round(time.monotonic() - started, 1)
    text = markdown(report)
    (RESULTS / f"inbox-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / f"inbox-{stamp}.md").write_text(text)
    print("\n" + text)
    print(f"results: bench/results/inbox-{stamp}.json, .md ({report['seconds']:.0f} s)")
    return 0 if report["result"]["lost"] == 0 and report["result"]["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
