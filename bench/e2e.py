"""End-to-end time of a command and the part of it igbot adds.

For each command (sent one at a time to an otherwise idle igbot, as Slack would, with a fresh
response URL of the Slack stand-in): ``e2e`` = from just before the signed POST leaves to the moment
the stand-in records the reply posted to the response URL. Then, right after, the same calls are
made directly, without igbot, and timed:

- ``instagram``: the Instagram API calls the command makes (for `/ig popular 5`: ``GET
  /v1/media/popular``; for `/ig follow`: ``GET /v1/users/search`` and ``POST .../relationship``),
  on a keep-alive session as igbot's pooled client does;
- ``slack``: the reply igbot posted (the recorded payload), replayed to a fresh response URL on a new
  connection as slack_sdk's WebhookClient does, until the stand-in records it.

``overhead`` = e2e - instagram - slack, per command: what igbot itself adds (receiving and
verifying the request, the ack, handing the work to a thread, Redis, building the message, and its
HTTP clients), reported as median and p90.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.stack import CHANNEL, CLIENT_ID, FOLLOW_TARGETS, SIGNING_SECRET, TEAM, World
from igbot_sandboxes.slack.commands import FORM, command_body, names_for
from igbot_sandboxes.slack.responses import ReplyContext
from igbot_sandboxes.slack.signing import signed_headers


@dataclass
class E2E:
    command: str
    n: int
    ack_ms: list[float]
    e2e_ms: list[float]
    instagram_ms: list[float]
    slack_ms: list[float]
    failures: int = 0

    @property
    def overhead_ms(self) -> list[float]:
        return [e - i - s for e, i, s in zip(self.e2e_ms, self.instagram_ms, self.slack_ms, strict=True)]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else float("nan")


class _Arrivals:
    """Stamps the moment the Slack stand-in records each message (by seq)."""

    def __init__(self, world: World) -> None:
        self.times: dict[int, float] = {}
        self._event = threading.Condition()
        recorder = world.slack.recorder
        original = recorder.add_message

        def stamped(message: Any) -> Any:
            recorded = original(message)
            now = time.perf_counter()
            with self._event:
                self.times[recorded.seq] = now
                self._event.notify_all()
            return recorded

        recorder.add_message = stamped  # type: ignore[method-assign]
        self._restore = lambda: setattr(recorder, "add_message", original)

    def close(self) -> None:
        self._restore()


def _post_reply_like_webhookclient(url: str, payload: dict[str, Any]) -> None:
    """POST JSON on a new connection (slack_sdk's WebhookClient uses urllib: one connection per post)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=5)
    try:
        body = json.dumps(payload).encode()
        conn.request(
            "POST", parts.path, body=body, headers={"Content-Type": "application/json;charset=utf-8"}
        )
        conn.getresponse().read()
    finally:
        conn.close()


def measure_e2e(
    world: World, bot_url: str, users: list[str], tokens: dict[str, tuple[str, str]], n: int = 60
) -> list[E2E]:
    """E2E and overhead for `/ig popular 5` and `/ig follow <user>`, ``n`` commands each."""
    slack = world.slack
    base = slack.base_url or ""
    arrivals = _Arrivals(world)
    ig = requests.Session()
    bot = requests.Session()
    ig_api = f"{world.instagram_url}/v1"
    target = FOLLOW_TARGETS[0]
    target_id = str(
        ig.get(
            f"{ig_api}/users/search", params={"q": target, "access_token": next(iter(tokens.values()))[0]}
        ).json()["data"][0]["id"]
    )

    def direct_popular(_user: str) -> None:
        ig.get(f"{ig_api}/media/popular", params={"count": 5, "client_id": CLIENT_ID}, timeout=5).json()

    def direct_follow(user: str) -> None:
        token = tokens[user][0]
        ig.get(
            f"{ig_api}/users/search", params={"q": target, "count": 20, "access_token": token}, timeout=5
        ).json()
        ig.post(
            f"{ig_api}/users/{target_id}/relationship",
            params={"access_token": token},
            data={"action": "follow"},
            timeout=5,
        ).json()

    plans: list[tuple[str, str, Callable[[str], None]]] = [
        ("/ig popular 5", "popular 5", direct_popular),
        (f"/ig follow {target}", f"follow {target}", direct_follow),
    ]
    results = []
    try:
        for label, text, direct in plans:
            result = E2E(label, 0, [], [], [], [])
            for i in range(n + 5):  # the first 5 warm connections and caches, not counted
                user = users[i % len(users)]
                context = ReplyContext(team_id=TEAM, channel_id=CHANNEL, user_id=user)
                response_url = slack.response_urls.issue(base, context)
                body = command_body(
                    command="/ig", text=text, team_id=TEAM, user_id=user, channel_id=CHANNEL,
                    names=names_for(slack.workspace, TEAM, user, CHANNEL), response_url=response_url,
                )  # fmt: skip
                headers = signed_headers(SIGNING_SECRET, body, FORM)
                since = slack.messages()[-1].seq if slack.messages() else 0
                started = time.perf_counter()
                answer = bot.post(bot_url, data=body, headers=headers, timeout=5)
                acked = time.perf_counter()
                try:
                    message = slack.wait_for(
                        lambda m, u=user, s=since: (
                            m.seq > s and m.user_id == u and m.source == "response_url"
                        ),
                        timeout=5,
                    )
                except TimeoutError:
                    result.failures += 1
                    continue
                arrived = arrivals.times[message.seq]
                # the sandbox's own latency, measured right after, for the same calls
                t0 = time.perf_counter()
                direct(user)
                instagram = time.perf_counter() - t0
                replay_url = slack.response_urls.issue(base, context)
                since = message.seq
                t0 = time.perf_counter()
                _post_reply_like_webhookclient(replay_url, message.payload)
                replayed = slack.wait_for(
                    lambda m, s=since: m.seq > s and m.source == "response_url", timeout=5
                )
                slack_ms = arrivals.times[replayed.seq] - t0
                if i < 5 or answer.status_code != 200:
                    result.failures += int(answer.status_code != 200)
                    continue
                result.n += 1
                result.ack_ms.append((acked - started) * 1000)
                result.e2e_ms.append((arrived - started) * 1000)
                result.instagram_ms.append(instagram * 1000)
                result.slack_ms.append(slack_ms * 1000)
            results.append(result)
    finally:
        arrivals.close()
        ig.close()
        bot.close()
    return results
