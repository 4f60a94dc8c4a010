"""Channel feeds at scale (issue 12): `.venv/bin/python -m bench.feeds [--quick]`.

About 3 minutes on 2 cores (``--quick``: about 75 s). Two phases, one per Instagram API, each on its own
loopback stack (`bench.feedworld`: a real Redis, igbot's web tier as the Procfile's ``web:`` starts it,
one `igbot worker` as its ``worker:`` does, the sandbox Instagram and the Slack stand-in in this
process, the stand-in's per-channel posting rate of 1/s, burst 5, left on):

- **legacy** (API v1): 200 linked accounts, each subscribing its own channel to 2 tags and 1 place
  (pushed: real-time subscriptions) and 2 accounts by ``@name`` (polled);
- **graph** (Graph API): 200 linked professional accounts, each subscribing its channel to ``me``,
  2 ``@name`` and 2 ``#tag`` (all polled: the Graph API pushes no new media).

In each phase:

1. **Subscribe**: 1,000 real signed ``/ig subscribe <target>`` slash commands through the stand-in
   (8 at a time), each answered by a worker (Instagram calls, the in-channel confirmation, the private
   reply), all awaited: first each target's first planned subscription (so that which account reads
   a shared target does not depend on a race), then the rest.
2. **Redis**: ``MEMORY USAGE`` (exact) of every key the subscriptions created (feed keys by family),
   and the ``used_memory`` delta, per subscription; the size of a full delivered set (200 ids).
3. **Push path** (legacy): new posts (``InstagramSandbox.add_media``, one subscribed tag or place
   each) at a steady rate; latency = the post's creation -> its message recorded by the stand-in, per
   channel; the polls are parked meanwhile so only pushes cause reads.
4. **Poll path**: one new post for every polled target, then the poll schedule compressed: each
   target's place in its 300 s period (its ``igbot:polls`` score modulo 300) is scaled into a window
   of W seconds, so W seconds replay one full period; latency = the moment the target's poll became
   due (its score) -> its message recorded. Instagram calls counted per access token during the
   window = calls per linked account per period, x 12 = per hour, next to the figure computed from the
   schedule (12 x the targets each account is the reader of) and to the budget.
5. **Counting**: every post carries a unique marker in its caption; each (post, channel that follows
   its target) must appear exactly once: extra ones are duplicated; missing ones are either summed up
   in a "…and N more" line of that channel or lost; feed posts without a marker are old posts
   posted as new.
6. **CPU**: the worker processes' user+system time (``/proc/<pid>/stat``) over each window divided by
   the posts delivered in it, raw and less the idle worker's own rate.

Every process it starts is stopped at the end, also on Ctrl-C or failure. Results are printed and
written to bench/results/feeds-<stamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from bench.feedworld import TEAM, BenchAccount, FeedWorld, start_feed_world, start_redis, unique_marker
from bench.procs import CLK_TCK, ROOT, managed
from bench.run import _machine
from bot.features.feeds.jobs import POLL_SECONDS
from bot.storage.feeds import POLLS, FeedStore
from bot.worker.process import HEARTBEAT_SECONDS

RESULTS = ROOT / "bench" / "results"
BUDGET_PER_HOUR = {"legacy": 5000, "graph": 200}
BUDGET_SOURCE = {
    "legacy": "API v1: 5,000 calls per hour per access token (the sandbox's rate_limit_per_hour)",
    "graph": "Graph API: 200 calls per hour per user (Meta's platform rate limit, X-App-Usage)",
}
KINDS = {"legacy": ["tag", "tag", "place", "user", "user"], "graph": ["me", "user", "user", "tag", "tag"]}
MARK_RE = re.compile(r"FB[LG]\d{6}X")
MORE_RE = re.compile(r"…and (\d+) more new post")
PERIODS_PER_HOUR = 3600 / POLL_SECONDS
TRANSIENT_FAMILIES = {"jobs", "sent", "seen", "lock", "workers"}  # job queues, replay guards, locks


@dataclass(frozen=True)
class Sub:
    """One planned `/ig subscribe`."""

    account: BenchAccount
    kind: str
    value: str

    @property
    def text(self) -> str:
        typed = {"me": "me", "user": f"@{self.value}", "tag": f"#{self.value}"}
        return "subscribe " + typed.get(self.kind, f"place {self.value}")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# ---------------------------------------------------------------- plans


def legacy_usernames(world: FeedWorld, count: int) -> tuple[list[str], list[str], list[str]]:
    """(who the ``count`` Slack users link to, the ``@name`` targets, the authors of pushed posts).
    The 33 public v1 accounts: tokens cycle over all of them; the first 20 are the followed accounts,
    the other 13 write the tag and place posts (so that a pushed post wakes no polled feed)."""
    public = sorted(u.username for u in world.sandbox.world.users if not u.is_private)
    return [public[i % len(public)] for i in range(count)], public[:20], public[20:]


def plan(world: FeedWorld, per_account: int, seed: int = 12) -> list[Sub]:
    """The subscriptions, in the order they are sent: round r sends every account's r-th one."""
    rng = random.Random(seed)
    kinds = (KINDS[world.api] * (per_account // 5 + 1))[:per_account]
    if world.api == "legacy":
        _, names, _ = legacy_usernames(world, 0)
        tags = sorted({t for m in world.sandbox.world.media for t in m.tags if not t.isdigit()})
        pools = {
            "tag": tags,
            "place": sorted(loc.name for loc in world.sandbox.world.locations),
            "user": names,
        }
    else:
        seeded = [
            a.username for a in world.sandbox.professional_accounts() if not a.username.startswith("feed.")
        ]
        pools = {"tag": world.sandbox.graph_world.hashtags(), "user": [*world.graph_bench, *seeded]}
    per: list[list[Sub]] = []
    for account in world.accounts:
        picks: dict[str, list[str]] = {}
        for kind in sorted(set(kinds) - {"me"}):
            pool = [v for v in pools[kind] if v != account.ig_username]
            picks[kind] = rng.sample(pool, kinds.count(kind))
        per.append([Sub(account, k, "" if k == "me" else picks[k].pop()) for k in kinds])
    return [subs[r] for r in range(len(kinds)) for subs in per]


# ---------------------------------------------------------------- Slack side


class Inbox:
    """Reads the stand-in's recorded messages incrementally: feed posts by marker and channel, the
    "…and N more" summaries, and feed posts without a bench marker (old posts posted as new)."""

    def __init__(self, world: FeedWorld) -> None:
        self.world = world
        self.seen_seq = 0
        self.posts: dict[tuple[str, str], list[float]] = defaultdict(list)  # (marker, channel) -> ts
        self.summaries: list[tuple[str, float, int, str]] = []  # channel, ts, N, text
        self.unmarked: list[tuple[str, float, str]] = []  # channel, ts, text
        self.other = 0

    def read(self) -> None:
        for m in self.world.slack.messages(since=self.seen_seq):
            self.seen_seq = max(self.seen_seq, m.seq)
            if m.source != "chat.postMessage" or not m.valid:
                continue
            text = m.all_text()
            marks = set(MARK_RE.findall(text))
            more = MORE_RE.search(text)
            if marks:
                for mark in marks:
                    self.posts[(mark, m.channel_id)].append(float(m.ts))
            elif more:
                self.summaries.append((m.channel_id, float(m.ts), int(more.group(1)), text[:120]))
            elif "posted on Instagram" in text:
                self.unmarked.append((m.channel_id, float(m.ts), " ".join(text.split("\n")[1:3])[:140]))
            else:
                self.other += 1

    def wait(self, expected: set[tuple[str, str]], deadline: float) -> bool:
        """Until every expected (marker, channel) pair arrived, or ``deadline`` (monotonic)."""
        while True:
            self.read()
            if all(pair in self.posts for pair in expected):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)  # polling the stand-in's recorder, bounded by the deadline


def _target_of(sub: Sub) -> tuple[str, str]:
    if sub.kind in ("me", "user"):
        return ("account", sub.account.ig_username if sub.kind == "me" else sub.value)
    return (sub.kind, sub.value)


def subscribe_all(world: FeedWorld, subs: list[Sub], concurrency: int, timeout: float) -> dict[str, Any]:
    """Send every ``/ig subscribe`` as its user in its channel; wait for every private answer.

    In two batches: first each target's first planned subscription (all different targets, so who
    becomes a target's reader does not depend on which of two concurrent commands ran first), then
    the rest."""
    slack = world.slack
    first_seq = max([m.seq for m in slack.messages()] or [0])
    started = time.monotonic()
    deadline = time.monotonic() + timeout

    def send(sub: Sub) -> int:
        result = slack.send_command(
            text=sub.text, user_id=sub.account.user_id, channel_id=sub.account.channel_id, team_id=TEAM
        )
        return int(result.status or 0)

    def answers() -> list[str]:
        return [
            m.text
            for m in slack.messages(since=first_seq)
            if m.source in ("response_url", "ack") and m.text and m.channel_id.startswith("C0FEED")
        ]

    firsts: dict[tuple[str, str], Sub] = {}
    for sub in subs:
        firsts.setdefault(_target_of(sub), sub)
    first_batch = list(firsts.values())
    chosen = {id(s) for s in first_batch}
    batches = [first_batch, [s for s in subs if id(s) not in chosen]]
    statuses: Counter[int] = Counter()
    replies: list[str] = []
    sent = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for batch in batches:
            statuses.update(pool.map(send, batch))
            sent += len(batch)
            while True:
                replies = answers()
                if len(replies) >= sent or time.monotonic() > deadline:
                    break
                time.sleep(0.1)  # polling the stand-in, bounded by the deadline
    seconds = time.monotonic() - started
    outcomes = Counter("subscribed" if r.startswith("Subscribed:") else r.split(".")[0][:80] for r in replies)
    announced = sum(
        1
        for m in slack.messages(since=first_seq)
        if m.source == "chat.postMessage" and m.text.startswith(":satellite_antenna:")
    )
    return {
        "sent": len(subs),
        "ack_status": dict(statuses),
        "answered": len(replies),
        "outcomes": dict(outcomes),
        "announced_in_channel": announced,
        "first_batch": len(first_batch),
        "seconds_to_last_answer": round(seconds, 1),
        "per_second": round(len(replies) / seconds, 1) if seconds else None,
        "failures": len(slack.failures()),
    }


# ---------------------------------------------------------------- Redis


def feed_keys(client: redis.Redis, before: set[str]) -> dict[str, dict[str, int]]:
    """MEMORY USAGE (exact) of the keys created since ``before``, by family (``igbot:<family>:…``)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"keys": 0, "bytes": 0})
    for key in client.scan_iter("*", count=1000):
        if key in before:
            continue
        family = key.split(":")[1] if key.startswith("igbot:") and ":" in key else key
        if family in TRANSIENT_FAMILIES:
            continue
        size = client.memory_usage(key, samples=0) or 0
        out[family]["keys"] += 1
        out[family]["bytes"] += int(size)
    return dict(out)


def delivered_bound(client: redis.Redis, world: FeedWorld) -> int:
    """MEMORY USAGE of a delivered set at its bound (200 ids of this API's format)."""
    if world.api == "graph":
        ids = [m.id for m in world.sandbox.graph_world.media[:200]]
    else:
        ids = [m.id for m in world.sandbox.world.media]
        ids = (ids * 2)[:200]
        ids = [f"{i}{n:03d}" if n >= len(world.sandbox.world.media) else i for n, i in enumerate(ids)]
    key = "igbot:bench:delivered-bound"
    client.zadd(key, {media_id: 1_700_000_000 + n for n, media_id in enumerate(ids)})
    size = int(client.memory_usage(key, samples=0) or 0)
    client.delete(key)
    return size


def redis_cost(client: redis.Redis, world: FeedWorld, before: set[str], subs: int) -> dict[str, Any]:
    """What the feed keys created since ``before`` take, per subscription (MEMORY USAGE, exact)."""
    families = feed_keys(client, before)
    total = sum(f["bytes"] for f in families.values())
    delivered = families.get("delivered", {"bytes": 0, "keys": 0})
    bound = delivered_bound(client, world)
    per_feed_fixed = (total - delivered["bytes"]) / subs if subs else float("nan")
    return {
        "families": families,
        "bytes_total": total,
        "bytes_per_subscription": round(total / subs, 1) if subs else None,
        "delivered_set_at_bound": bound,
        "bytes_per_subscription_at_bound": round(per_feed_fixed + bound, 1),
    }


def used_memory_after(client: redis.Redis, used_before: int, subs: int) -> dict[str, Any]:
    """INFO used_memory now (igbot stopped, the transient keys deleted) minus before igbot started."""
    doomed = [
        k for k in client.scan_iter("*", count=1000)
        if k.startswith("igbot:") and k.split(":")[1] in TRANSIENT_FAMILIES
    ]  # fmt: skip
    for start in range(0, len(doomed), 500):
        client.delete(*doomed[start : start + 500])
    used = int(client.info("memory")["used_memory"])
    return {
        "transient_keys_deleted": len(doomed),
        "used_memory_delta": used - used_before,
        "used_memory_delta_per_subscription": round((used - used_before) / subs, 1) if subs else None,
    }


# ---------------------------------------------------------------- feeds as stored


@dataclass
class Targets:
    channels: dict[str, list[str]]  # target -> channels whose (running) feed follows it
    push: dict[str, bool]
    reader: dict[str, str]  # target -> Slack user id whose link reads it

    def of(self, push: bool) -> list[str]:
        return sorted(t for t, p in self.push.items() if p == push and self.channels.get(t))


def stored_targets(world: FeedWorld, client: redis.Redis) -> Targets:
    store = FeedStore(client)
    channels: dict[str, list[str]] = defaultdict(list)
    for account in world.accounts:
        for feed in store.of_channel(TEAM, account.channel_id):
            if not feed.paused:
                channels[feed.target].append(account.channel_id)
    push, reader = {}, {}
    for target in channels:
        state = store.target(target)
        if state is not None:
            push[target] = state.push
            reader[target] = state.reader.partition(":")[2]
    return Targets(dict(channels), push, reader)


def park_polls(client: redis.Redis) -> dict[str, float]:
    """Move every poll an hour ahead (only the bench's own posts and windows wake feeds); returns each
    target's place in its period (score modulo ``POLL_SECONDS``)."""
    scores = dict(client.zrange(POLLS, 0, -1, withscores=True))
    far = time.time() + 3600
    if scores:
        client.zadd(POLLS, {t: far for t in scores}, xx=True)
    return {t: s % POLL_SECONDS for t, s in scores.items()}


# ---------------------------------------------------------------- windows


def usage_by_account(world: FeedWorld, calls: list[tuple[float, str, str]]) -> tuple[dict[str, int], int]:
    """Calls per linked Slack user (by its token), and calls without a user token (the app's)."""
    by_token = {a.token: a.user_id for a in world.accounts}
    per = Counter({a.user_id: 0 for a in world.accounts})
    app = 0
    for _, token, _ in calls:
        user = by_token.get(token)
        if user is None:
            app += 1
        else:
            per[user] += 1
    return dict(per), app


def delivery_summary(
    inbox: Inbox, expected: dict[str, tuple[float, list[str]]], window_from: float
) -> dict[str, Any]:
    """Latency and exactly-once counts of posts ``marker -> (start time, channels)``: a (post, channel)
    not shown on its own may be in a "…and N more" line of that channel; lost = not shown minus
    what such lines sum up (a lower bound); unmarked = feed posts that are none of the bench's."""
    latencies, missing, duplicated, delivered = [], 0, 0, 0
    examples: list[str] = []
    channels_of = {c for _, cs in expected.values() for c in cs}
    for mark, (start, channels) in expected.items():
        for channel in channels:
            arrivals = inbox.posts.get((mark, channel), [])
            if not arrivals:
                missing += 1
                examples.append(f"{mark} in {channel}")
                continue
            delivered += 1
            duplicated += len(arrivals) - 1
            latencies.append(min(arrivals) - start)
    stray = sum(
        len(ts) for (mark, channel), ts in inbox.posts.items()
        if mark in expected and channel not in expected[mark][1]
    )  # fmt: skip
    summaries = [s for s in inbox.summaries if s[1] >= window_from and s[0] in channels_of]
    summed = sum(s[2] for s in summaries)
    unmarked = [u for u in inbox.unmarked if u[1] >= window_from and u[0] in channels_of]
    return {
        "posts": len(expected),
        "expected_messages": sum(len(c) for _, c in expected.values()),
        "delivered": delivered,
        "not_shown_alone": missing,
        "summaries": len(summaries),
        "summed_up_posts": summed,
        "lost": max(0, missing - summed),
        "duplicated": duplicated,
        "in_wrong_channel": stray,
        "unmarked_posts": len(unmarked),
        "p50_s": round(_pct(latencies, 50), 3),
        "p99_s": round(_pct(latencies, 99), 3),
        "max_s": round(max(latencies), 3) if latencies else None,
        "mean_s": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "latencies_s": [round(v, 3) for v in latencies],
        "not_shown_examples": examples[:10],
        "summary_examples": [f"{c} {text}" for c, _, _, text in summaries[:5]],
        "unmarked_examples": sorted({text for _, _, text in unmarked})[:10],
    }


def cpu_snapshot(world: FeedWorld) -> tuple[float, float, float]:
    """(monotonic now, CPU seconds the whole machine was busy, CPU seconds of this bench and every
    process it started): the difference is other load on the machine."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK  # all but idle and iowait
    own = os.times()
    ours = own.user + own.system + sum(c.cpu_seconds() for c in world.procs.children if c.proc.poll() is None)
    return time.monotonic(), busy, ours


def other_load_pct(start: tuple[float, float, float], end: tuple[float, float, float]) -> float:
    """CPU used outside the bench between two snapshots, in % of all cores."""
    seconds = max(1e-9, end[0] - start[0])
    return round(
        100 * max(0.0, (end[1] - start[1]) - (end[2] - start[2])) / (seconds * (os.cpu_count() or 1)), 1
    )


def idle_rate(world: FeedWorld, seconds: float) -> float:
    """CPU seconds per second of the idle worker processes (heartbeats, Dramatiq's queue polling)."""
    before = world.worker_cpu()
    time.sleep(seconds)  # measuring the idle workers over a fixed interval
    return (world.worker_cpu() - before) / seconds


def ratelimited(world: FeedWorld) -> int:
    return sum(1 for c in world.slack.api_calls("chat.postMessage") if c.status == 429)


class Phase:
    def __init__(self, world: FeedWorld, args: argparse.Namespace, counter: list[int]) -> None:
        self.world = world
        self.args = args
        self.client = world.redis()
        self.inbox = Inbox(world)
        self.counter = counter
        self.report: dict[str, Any] = {"api": world.api}

    def mark(self) -> str:
        self.counter[0] += 1
        return unique_marker("L" if self.world.api == "legacy" else "G", self.counter[0])

    def window(self, label: str, run: Any, idle: float) -> dict[str, Any]:
        """Run ``run()`` (returns expected posts and the window's start) and measure around it."""
        cpu0, web0, mono0, limited0 = (
            self.world.worker_cpu(),
            self.world.web_cpu(),
            time.monotonic(),
            ratelimited(self.world),
        )
        expected, start_wall, extra = run()
        self.world.wait_idle(self.client, 30)
        time.sleep(1.0)  # let a late duplicate show before counting
        self.inbox.read()
        seconds = time.monotonic() - mono0
        cpu = self.world.worker_cpu() - cpu0
        web = self.world.web_cpu() - web0
        calls = self.world.counting.since(mono0)
        summary = delivery_summary(self.inbox, expected, start_wall)
        per, app = usage_by_account(self.world, calls)
        delivered = max(1, summary["delivered"])
        out = {
            **summary,
            **extra,
            "seconds": round(seconds, 1),
            "worker_cpu_s": round(cpu, 3),
            "worker_cpu_ms_per_post": round(1000 * cpu / delivered, 2),
            "worker_cpu_ms_per_post_less_idle": round(1000 * max(0.0, cpu - idle * seconds) / delivered, 2),
            "web_cpu_s": round(web, 3),
            "instagram_calls": len(calls),
            "instagram_calls_app": app,
            "instagram_calls_by_account": per,
            "slack_ratelimited": ratelimited(self.world) - limited0,
        }
        print(
            f"  {label}: {out['delivered']}/{out['expected_messages']} messages, lost {out['lost']}, "
            f"duplicated {out['duplicated']}, summed up {out['summed_up_posts']}, unmarked posts "
            f"{out['unmarked_posts']}, p50 {out['p50_s']:.2f} s, "
            f"p99 {out['p99_s']:.2f} s; {len(calls)} Instagram calls; worker CPU "
            f"{out['worker_cpu_ms_per_post']:.2f} ms/post ({out['worker_cpu_ms_per_post_less_idle']:.2f} "
            f"less idle); 429s {out['slack_ratelimited']}",
            flush=True,
        )
        return out

    # ------------------------------------------------------------ the push path (legacy)

    def push(self, targets: Targets, count: int, rate: float) -> dict[str, Any]:
        world = self.world
        _, _, authors = legacy_usernames(world, 0)
        pushed = targets.of(push=True)

        def run() -> tuple[dict[str, tuple[float, list[str]]], float, dict[str, Any]]:
            expected: dict[str, tuple[float, list[str]]] = {}
            start = time.monotonic()
            wall0 = time.time()
            for i in range(count):
                due = start + i / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # the open-loop schedule of new posts
                target = pushed[i % len(pushed)]
                kind, _, name = target.partition(":")
                mark = self.mark()
                author = authors[i % len(authors)]
                created = time.time()
                if kind == "tag":
                    world.sandbox.add_media(author, caption=f"{mark} bench push", tags=[name])
                else:
                    world.sandbox.add_media(author, caption=f"{mark} bench push", location_id=name)
                expected[mark] = (created, targets.channels[target])
            pairs = {(m, c) for m, (_, cs) in expected.items() for c in cs}
            arrived = self.inbox.wait(pairs, time.monotonic() + 60)
            return (
                expected,
                wall0,
                {
                    "rate_per_s": rate,
                    "push_targets": len(pushed),
                    "all_arrived": arrived,
                    "pushes_delivered": sum(1 for p in world.sandbox.pushes() if p.outcome == "delivered"),
                },
            )

        out = self.window("push", run, self.report["idle_worker_cpu_per_s"])
        out["calls_per_post"] = round(out["instagram_calls"] / max(1, out["posts"]), 2)
        busiest = max(out["instagram_calls_by_account"].values() or [0])
        out["busiest_account_calls"] = busiest
        out["busiest_account_calls_per_hour_at_this_rate"] = round(busiest * 3600 / max(1.0, count / rate))
        out["web_cpu_ms_per_push"] = round(1000 * out["web_cpu_s"] / max(1, out["pushes_delivered"]), 2)
        return out

    # ------------------------------------------------------------ the poll path

    def poll_post(self, target: str, mark: str, posters: list[str], n: int) -> None:
        world = self.world
        kind, _, rest = target.partition(":")
        if world.api == "legacy":
            user = world.sandbox.world.user_by_id(rest)
            assert user is not None and kind == "user"
            world.sandbox.add_media(user.username, caption=f"{mark} bench poll")
        elif kind == "user":
            account = world.sandbox.graph_world.account_by_id(rest)
            assert account is not None
            world.sandbox.add_graph_media(account.username, caption=f"{mark} bench poll")
        else:
            world.sandbox.add_graph_media(
                posters[n % len(posters)], caption=f"{mark} bench poll", hashtags=[rest]
            )

    def poll_cycle(
        self, targets: Targets, offsets: dict[str, float], window_s: float, cycle: int
    ) -> dict[str, Any]:
        polled = [t for t in targets.of(push=False) if t in offsets]

        def run() -> tuple[dict[str, tuple[float, list[str]]], float, dict[str, Any]]:
            marks = {}
            added_at = time.time()
            for n, target in enumerate(polled):
                mark = self.mark()
                self.poll_post(target, mark, self.world.graph_posters, n)
                marks[target] = mark
            start = int(time.time()) + 2
            due = {t: start + int(offsets[t] * window_s / POLL_SECONDS) for t in polled}
            self.client.zadd(POLLS, due, xx=True)  # type: ignore[arg-type]
            expected = {marks[t]: (float(due[t]), targets.channels[t]) for t in polled}
            pairs = {(m, c) for m, (_, cs) in expected.items() for c in cs}
            arrived = self.inbox.wait(pairs, time.monotonic() + window_s + 2 + 45)
            return (
                expected,
                added_at,
                {
                    "cycle": cycle,
                    "window_s": window_s,
                    "compression": round(POLL_SECONDS / window_s, 1),
                    "polled_targets": len(polled),
                    "all_arrived": arrived,
                    "posts_added_s_before_window": round(start - added_at, 1),
                },
            )

        out = self.window(f"poll cycle {cycle + 1}", run, self.report["idle_worker_cpu_per_s"])
        park_polls(self.client)
        return out

    def poll(self, targets: Targets, offsets: dict[str, float], cycles: int) -> dict[str, Any]:
        polled = [t for t in targets.of(push=False) if t in offsets]
        window_s = float(max(20, math.ceil(len(polled) / self.args.poll_rate)))
        runs = [self.poll_cycle(targets, offsets, window_s, c) for c in range(cycles)]
        accounts = [a.user_id for a in self.world.accounts]
        reads = Counter(targets.reader[t] for t in polled)
        computed = {u: reads.get(u, 0) * PERIODS_PER_HOUR for u in accounts}
        measured = {
            u: sum(r["instagram_calls_by_account"].get(u, 0) for r in runs) / len(runs) * PERIODS_PER_HOUR
            for u in accounts
        }
        budget = BUDGET_PER_HOUR[self.world.api]
        worst = max(measured.values() or [0.0])
        pooled = [v for r in runs for v in r["latencies_s"]]
        return {
            "cycles": runs,
            "window_s": window_s,
            "compression": round(POLL_SECONDS / window_s, 1),
            "polled_targets": len(polled),
            "polled_feeds": sum(len(targets.channels[t]) for t in polled),
            "readers": len(reads),
            "targets_per_reader_max": max(reads.values() or [0]),
            "calls_per_hour_computed_mean": round(sum(computed.values()) / len(accounts), 1),
            "calls_per_hour_computed_max": max(computed.values() or [0.0]),
            "calls_per_hour_measured_mean": round(sum(measured.values()) / len(accounts), 1),
            "calls_per_hour_measured_max": worst,
            "calls_per_hour_measured_p99": _pct(list(measured.values()), 99),
            "accounts_reading": sum(1 for v in measured.values() if v),
            "budget_per_hour": budget,
            "budget_source": BUDGET_SOURCE[self.world.api],
            "within_budget": worst <= budget,
            "polled_targets_per_account_within_budget": int(budget // PERIODS_PER_HOUR),
            "p50_s": _pct(pooled, 50),
            "p99_s": _pct(pooled, 99),
            "max_s": max(pooled) if pooled else None,
            # in real time a post waits for its target's next poll first: uniform over the period
            "added_to_message_real_time_p50_s": round(POLL_SECONDS / 2 + _pct(pooled, 50), 1),
            "added_to_message_real_time_p99_s": round(0.99 * POLL_SECONDS + _pct(pooled, 99), 1),
            "lost": sum(r["lost"] for r in runs),
            "duplicated": sum(r["duplicated"] for r in runs),
            "summaries": sum(r["summaries"] for r in runs),
            "summed_up_posts": sum(r["summed_up_posts"] for r in runs),
            "not_shown_alone": sum(r["not_shown_alone"] for r in runs),
            "unmarked_posts": sum(r["unmarked_posts"] for r in runs),
            "delivered": sum(r["delivered"] for r in runs),
            "expected_messages": sum(r["expected_messages"] for r in runs),
            "worker_cpu_ms_per_post": round(
                1000 * sum(r["worker_cpu_s"] for r in runs) / max(1, sum(r["delivered"] for r in runs)), 2
            ),
            "worker_cpu_ms_per_post_less_idle": round(
                sum(r["worker_cpu_ms_per_post_less_idle"] * r["delivered"] for r in runs)
                / max(1, sum(r["delivered"] for r in runs)),
                2,
            ),
        }

    # ------------------------------------------------------------ the whole phase

    def run(self) -> dict[str, Any]:
        world, args, client = self.world, self.args, self.client
        per_account = max(1, args.subscriptions // args.accounts)
        subs = plan(world, per_account, seed=args.seed)
        self.report["accounts"] = len(world.accounts)
        self.report["kinds_per_account"] = dict(
            Counter(s.kind for s in subs[: len(world.accounts) * per_account])
        )
        before = set(client.scan_iter("*", count=1000))  # the links, made before igbot starts
        used_before = int(client.info("memory")["used_memory"])
        world.start_igbot(args.workers, args.threads)
        load0 = cpu_snapshot(world)
        print(
            f"  subscribing: {len(subs)} /ig subscribe commands over {len(world.accounts)} accounts",
            flush=True,
        )
        sub_cpu0, sub_mono0 = world.worker_cpu(), time.monotonic()
        sub = subscribe_all(world, subs, args.concurrency, timeout=120 + len(subs) / 5)
        world.wait_idle(client, 60)
        sub["worker_cpu_ms_per_subscription"] = round(
            1000 * (world.worker_cpu() - sub_cpu0) / max(1, len(subs)), 2
        )
        per, app = usage_by_account(world, world.counting.since(sub_mono0))
        sub["instagram_calls_per_account_max"] = max(per.values() or [0])
        sub["instagram_calls_per_account_mean"] = round(sum(per.values()) / max(1, len(per)), 1)
        sub["instagram_calls_app"] = app
        self.report["subscribe"] = sub
        print(f"  {json.dumps(self.report['subscribe'])}", flush=True)
        offsets = park_polls(client)
        targets = stored_targets(world, client)
        subscribed = sum(len(c) for c in targets.channels.values())
        self.report["feeds"] = {
            "subscriptions": subscribed,
            "pushed_feeds": sum(len(targets.channels[t]) for t in targets.of(push=True)),
            "polled_feeds": sum(len(targets.channels[t]) for t in targets.of(push=False)),
            "pushed_targets": len(targets.of(push=True)),
            "polled_targets": len(targets.of(push=False)),
            "channels": len(world.accounts),
        }
        self.report["redis"] = redis_cost(client, world, before, subscribed)
        print(f"  feeds: {json.dumps(self.report['feeds'])}", flush=True)
        print(
            f"  Redis: {self.report['redis']['bytes_per_subscription']} bytes per subscription (MEMORY "
            f"USAGE), {self.report['redis']['bytes_per_subscription_at_bound']} with full delivered sets",
            flush=True,
        )
        self.report["idle_worker_cpu_per_s"] = round(idle_rate(world, 4.0 if args.quick else 6.0), 4)
        if world.api == "legacy" and targets.of(push=True):
            self.report["push"] = self.push(targets, args.push_posts, args.push_rate)
        self.report["poll"] = self.poll(targets, offsets, args.cycles)
        poll = self.report["poll"]
        print(
            f"  poll: {poll['polled_targets']} targets, window {poll['window_s']:.0f} s "
            f"(x{poll['compression']}); "
            f"calls/h per account: computed max {poll['calls_per_hour_computed_max']:.0f}, measured max "
            f"{poll['calls_per_hour_measured_max']:.0f}, mean {poll['calls_per_hour_measured_mean']:.1f} "
            f"(budget {poll['budget_per_hour']})",
            flush=True,
        )
        time.sleep(2.0)  # a last look for late duplicates
        self.inbox.read()
        counts = Counter(len(v) for v in self.inbox.posts.values())
        self.report["final"] = {
            "pairs": len(self.inbox.posts),
            "duplicated_pairs": sum(n for c, n in counts.items() if c > 1),
            "other_channel_messages": self.inbox.other,
            "slack_failures": len(world.slack.failures()),
            "slack_ratelimited_total": ratelimited(world),
            "redis_after": redis_cost(client, world, before, subscribed),
            "other_load_pct": other_load_pct(load0, cpu_snapshot(world)),
        }
        world.stop_igbot()
        self.report["final"]["used_memory"] = used_memory_after(client, used_before, subscribed)
        client.close()
        return self.report


# ---------------------------------------------------------------- report


def targets_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for phase in report["phases"]:
        api, poll, push, sub = phase["api"], phase["poll"], phase.get("push", {}), phase["subscribe"]
        worst, computed = poll["calls_per_hour_measured_max"], poll["calls_per_hour_computed_max"]
        rows.append({
            "what": f"{api}: Instagram calls per hour per linked account (poll schedule, busiest account)",
            "value": f"{worst:.0f} (computed {computed:.0f})",
            "goal": f"<= {poll['budget_per_hour']} ({poll['budget_source']})",
            "met": poll["within_budget"],
        })  # fmt: skip
        lost = poll["lost"] + push.get("lost", 0)
        dup = poll["duplicated"] + push.get("duplicated", 0) + phase["final"]["duplicated_pairs"]
        rows.append({"what": f"{api}: messages lost / duplicated", "value": f"{lost} / {dup}",
                     "goal": "0 / 0", "met": lost == 0 and dup == 0})  # fmt: skip
        old = poll["unmarked_posts"] + push.get("unmarked_posts", 0)
        alone = poll["not_shown_alone"] + push.get("not_shown_alone", 0)
        rows.append({"what": f"{api}: posts not shown one by one (summed up) / old posts posted as new",
                     "value": f"{alone} / {old}", "goal": "0 / 0 (each new post once, nothing old)",
                     "met": alone == 0 and old == 0})  # fmt: skip
        made = phase["feeds"]["subscriptions"]
        rows.append({"what": f"{api}: subscriptions made through /ig subscribe",
                     "value": f"{made} of {sub['sent']}", "goal": f"{sub['sent']}",
                     "met": made == sub["sent"]})  # fmt: skip
    return rows


def _cell(fmt: str, values: dict[str, Any]) -> str:
    try:
        return fmt.format(**values)
    except (KeyError, TypeError, ValueError):
        return ""


# (label, section of a phase's report, format over that section's fields)
ROWS: list[tuple[str, str, str]] = [
    ("subscriptions (pushed / polled feeds)", "feeds", "{subscriptions} ({pushed_feeds} / {polled_feeds})"),
    ("distinct targets (pushed / polled)", "feeds", "{pushed_targets} / {polled_targets}"),
    ("`/ig subscribe`: last answer after, s (answers per s)", "subscribe",
     "{seconds_to_last_answer} ({per_second})"),
    ("`/ig subscribe`: Instagram calls per account, mean / max (+ app)", "subscribe",
     "{instagram_calls_per_account_mean} / {instagram_calls_per_account_max} (+{instagram_calls_app})"),
    ("`/ig subscribe`: worker CPU per subscription, ms", "subscribe", "{worker_cpu_ms_per_subscription:.1f}"),
    ("Redis bytes per subscription (MEMORY USAGE, after subscribing)", "redis",
     "{bytes_per_subscription:,.0f}"),
    ("Redis bytes per subscription, delivered sets full (bound)", "redis",
     "{bytes_per_subscription_at_bound:,.0f}"),
    ("delivered set of 200 ids (the bound), bytes", "redis", "{delivered_set_at_bound:,}"),
    ("push: posts -> messages (expected)", "push", "{posts} -> {delivered} ({expected_messages})"),
    ("push: latency p50 / p99 / max, s", "push", "{p50_s:.2f} / {p99_s:.2f} / {max_s:.2f}"),
    ("push: not shown alone / of them summed up / lost / duplicated", "push",
     "{not_shown_alone} / {summed_up_posts} / {lost} / {duplicated}"),
    ("push: old posts posted as new (feed posts that are none of the bench's)", "push", "{unmarked_posts}"),
    ("push: Instagram calls per post", "push", "{calls_per_post}"),
    ("push: busiest reader's calls in the window (per hour at this rate)", "push",
     "{busiest_account_calls} ({busiest_account_calls_per_hour_at_this_rate:,})"),
    ("push: worker CPU ms per delivered post (less idle)", "push",
     "{worker_cpu_ms_per_post:.2f} ({worker_cpu_ms_per_post_less_idle:.2f})"),
    ("push: web CPU ms per notification", "push", "{web_cpu_ms_per_push}"),
    ("poll: window (compression)", "poll", "{window_s:.0f} s (x{compression})"),
    ("poll: messages (expected)", "poll", "{delivered} ({expected_messages})"),
    ("poll: latency from due, p50 / p99 / max, s", "poll", "{p50_s:.2f} / {p99_s:.2f} / {max_s:.2f}"),
    ("poll: not shown alone / of them summed up / lost / duplicated", "poll",
     "{not_shown_alone} / {summed_up_posts} / {lost} / {duplicated}"),
    ("poll: old posts posted as new", "poll", "{unmarked_posts}"),
    ("poll: calls/h per account, computed mean / max", "poll",
     "{calls_per_hour_computed_mean:.1f} / {calls_per_hour_computed_max:.0f}"),
    ("poll: calls/h per account, measured mean / max", "poll",
     "{calls_per_hour_measured_mean:.1f} / {calls_per_hour_measured_max:.0f}"),
    ("poll: accounts that read / most targets one account reads", "poll",
     "{readers} / {targets_per_reader_max}"),
    ("poll: budget per account per hour", "poll", "{budget_per_hour:,}"),
    ("poll: worker CPU ms per delivered post (less idle)", "poll",
     "{worker_cpu_ms_per_post:.2f} ({worker_cpu_ms_per_post_less_idle:.2f})"),
    ("Redis bytes per subscription at the end (MEMORY USAGE)", "redis_after",
     "{bytes_per_subscription:,.0f}"),
    ("Redis used_memory delta per subscription at the end", "used_memory",
     "{used_memory_delta_per_subscription:,.0f}"),
    ("Slack 429 (ratelimited) answers, whole phase", "final", "{slack_ratelimited_total}"),
    ("other load on the machine during the phase, % of both cores", "final", "{other_load_pct}"),
]  # fmt: skip


def markdown(report: dict[str, Any]) -> str:
    args = report["args"]
    limit = "on (1/s, burst 5)" if args["post_limit"] else "off"
    phases = report["phases"]
    md = [
        f"# Channel feeds (issue 12), `python -m bench.feeds{' --quick' if args['quick'] else ''}`",
        "",
        f"Run {report['started']}, {report['seconds']:.0f} s; {args['accounts']} linked accounts, "
        f"{args['subscriptions']} subscriptions per phase, {args['workers']} `igbot worker` x "
        f"{args['threads']} threads, Slack post rate limit {limit}.",
        "",
        "| figure | " + " | ".join(p["api"] for p in phases) + " |",
        "|---|" + "---:|" * len(phases),
    ]
    for p in phases:
        p.setdefault("redis_after", p["final"]["redis_after"])
        p.setdefault("used_memory", p["final"]["used_memory"])
        p.setdefault("idle", {"pct": 100 * p["idle_worker_cpu_per_s"]})
    for label, section, fmt in [*ROWS, ("idle worker CPU, % of a core", "idle", "{pct:.1f}")]:
        md.append(f"| {label} | " + " | ".join(_cell(fmt, p.get(section) or {}) for p in phases) + " |")
    for p in phases:
        del p["redis_after"], p["used_memory"], p["idle"]
    md += ["", "## Targets", "", "| what | value | goal | |", "|---|---|---|---|"]
    for t in report["targets"]:
        md.append(f"| {t['what']} | {t['value']} | {t['goal']} | {'met' if t['met'] else 'MISSED'} |")
    return "\n".join(md) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer accounts, posts and cycles (about 2 min)")
    parser.add_argument("--phases", default="legacy,graph")
    parser.add_argument(
        "--accounts", type=int, default=None, help="linked accounts per phase (200; quick 60)"
    )
    parser.add_argument("--subscriptions", type=int, default=None, help="per phase (1000; quick 300)")
    parser.add_argument("--push-posts", type=int, default=None, help="legacy pushed posts (300; quick 80)")
    parser.add_argument("--push-rate", type=float, default=10.0, help="pushed posts per second")
    parser.add_argument("--cycles", type=int, default=None, help="compressed poll periods (2; quick 1)")
    parser.add_argument("--poll-rate", type=float, default=10.0, help="polls per second in the window")
    parser.add_argument("--seed", type=int, default=12, help="of the plan: who subscribes to what")
    parser.add_argument("--workers", type=int, default=1, help="igbot worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per igbot worker (the Procfile's)")
    parser.add_argument("--concurrency", type=int, default=8, help="slash commands in flight")
    parser.add_argument("--post-limit", action=argparse.BooleanOptionalAction, default=True,
                        help="the stand-in's 1/s per channel posting rate (default on)")  # fmt: skip
    parser.add_argument("--check-images", action=argparse.BooleanOptionalAction, default=True,
                        help="the stand-in fetches every image block, as Slack does")  # fmt: skip
    args = parser.parse_args(argv)
    for name, full, short in (("accounts", 200, 60), ("subscriptions", 1000, 300), ("push_posts", 300, 80),
                              ("cycles", 2, 1)):  # fmt: skip
        if getattr(args, name) is None:
            setattr(args, name, short if args.quick else full)
    started = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": _machine(), "args": vars(args), "poll_seconds": POLL_SECONDS,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "started": datetime.datetime.now().isoformat(timespec="minutes"),
        "phases": [],
    }  # fmt: skip
    print(f"machine: {json.dumps(report['machine'])}", flush=True)
    counter = [0]
    with managed(RESULTS / f"feeds-logs-{stamp}") as procs:
        redis_port = start_redis(procs)
        for db, api in enumerate(args.phases.split(",")):
            print(f"\n== {api}", flush=True)
            world = start_feed_world(
                procs, api, redis_port, db, graph_accounts=args.accounts, graph_posters=10,
                post_limit=args.post_limit, check_images=args.check_images,
            )  # fmt: skip
            try:
                if api == "legacy":
                    usernames, _, _ = legacy_usernames(world, args.accounts)
                else:
                    usernames = world.graph_bench
                world.link(usernames)
                report["phases"].append(Phase(world, args, counter).run())
            finally:
                world.stop()
            print(f"  ({time.monotonic() - started:.0f} s so far)", flush=True)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = targets_table(report)
    text = markdown(report)
    (RESULTS / f"feeds-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / f"feeds-{stamp}.md").write_text(text)
    print("\n" + text)
    print(f"results: bench/results/feeds-{stamp}.json, .md ({report['seconds']:.0f} s)")
    return 0


def _main() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        print("\nbench.feeds: interrupted; every process it started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(_main())
