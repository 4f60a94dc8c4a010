"""The worker tier on the real wire path: Slack stand-in -> web -> Redis -> `igbot worker` processes
-> sandbox Instagram -> response URL. Crashes, graceful stops, stalls, outages and back-pressure."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from dramatiq.common import current_millis

from bot.worker.broker import DROPPED_KEY, HEARTBEAT_TIMEOUT_MS, RESPONSE_URL_LIFETIME_MS, queue_key
from bot.worker.process import HEARTBEAT_SECONDS
from bot.worker.queue import DEFAULT_MAX_WAIT_SECONDS, DEFAULT_QUEUE_LIMIT, WORKER_ALIVE_SECONDS
from tests.stack import Stack, start_stack


@pytest.fixture
def make(redis_client: redis.Redis, redis_url: str) -> Iterator[list[Stack]]:
    """Stacks started by a test (with ``start_stack`` keywords); each is stopped when the test ends."""
    started: list[Stack] = []
    yield started
    for running in started:
        running.close()


def _start(started: list[Stack], redis_url: str, **kw: object) -> Stack:
    running = start_stack(redis_url, **kw)  # type: ignore[arg-type]
    started.append(running)
    return running


def _answers_per_user(running: Stack, prefix: str) -> Counter[str]:
    # A kill landing while an answer was on the wire adds a private "may already be in the channel" note
    # (bot.core.once): a note, not a second answer.
    return Counter(
        m.user_id
        for m in running.slack.messages()
        if m.user_id.startswith(prefix) and m.valid and "may already be in the channel" not in m.text
    )


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)  # polling what the stand-in recorded, not waiting a fixed time


def test_kill_9_with_50_commands_in_flight_answers_each_exactly_once(
    make: list[Stack], redis_url: str
) -> None:
    running = _start(make, redis_url, workers=1, worker_threads=8, restart_workers=True)
    running.instagram.inject_faults(50, status=None, latency_ms=400)  # slow: jobs pile up in the worker
    users = [f"U0LOAD{i:02d}" for i in range(50)]
    for user in users:
        assert running.command("popular 1", user_id=user).status == 200
    _wait(lambda: running.instagram.requests_log() != [], 10, "no job reached Instagram")
    (victim,) = running.workers.pids  # type: ignore[union-attr]
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    _wait(lambda: len(_answers_per_user(running, "U0LOAD")) == 50, 60, "not every command was answered")
    assert time.monotonic() - started < 60
    assert running.wait_idle(30)
    counts = _answers_per_user(running, "U0LOAD")
    assert set(counts) == set(users) and set(counts.values()) == {1}, counts
    assert victim not in running.workers.pids  # type: ignore[union-attr]


def test_sigterm_lets_running_jobs_finish_and_leaves_the_rest_queued(
    make: list[Stack], redis_url: str
) -> None:
    running = _start(make, redis_url, workers=1, worker_threads=2)
    running.instagram.inject_faults(2, status=None, latency_ms=1500)
    for i in range(6):
        running.command("popular 1", user_id=f"U0TERM{i}")
    _wait(lambda: len(running.instagram.requests_log()) >= 2, 10, "the first jobs did not start")
    running.workers.stop()  # type: ignore[union-attr]  # SIGTERM, then waits for the exit
    finished = _answers_per_user(running, "U0TERM")
    assert len(finished) >= 2 and set(finished.values()) == {1}  # the running ones finished
    client = running.igbot.tier.redis
    assert len(finished) + int(client.llen(queue_key("interactive"))) == 6  # none lost
    running.workers.start()  # type: ignore[union-attr]
    _wait(lambda: len(_answers_per_user(running, "U0TERM")) == 6, 20, "queued jobs were not run later")
    assert set(_answers_per_user(running, "U0TERM").values()) == {1}


def test_a_stalled_redis_gets_every_ack_out_within_a_second(
    make: list[Stack], redis_url: str, redis_client: redis.Redis
) -> None:
    running = _start(make, redis_url)
    running.link("alice")
    redis_client.execute_command("CLIENT", "PAUSE", "4000", "ALL")
    try:
        results = {text: running.command(text) for text in ("follow bob", "popular 2", "me", "help", "[")}
    finally:
        redis_client.execute_command("CLIENT", "UNPAUSE")
    for text, result in results.items():
        assert result.status == 200 and result.elapsed_ms < 1000, (text, result.elapsed_ms)
    for text in ("follow bob", "popular 2", "me"):
        assert "can't reach its storage" in results[text].raw_text
    assert "/ig follow" in results["help"].raw_text
    running.command("follow dan_the_man")
    running.wait_message("You now follow @dan_the_man", user_id="U0ALICE")


def test_slack_web_api_down_commands_are_still_acked_and_answered(make: list[Stack], redis_url: str) -> None:
    running = _start(make, redis_url)
    running.link("alice")
    running.slack.webapi_down = True
    assert running.command("follow dan_the_man").status == 200
    running.wait_message("You now follow @dan_the_man", user_id="U0ALICE")
    assert running.command("popular 2", user_id="U0BOB").status == 200
    running.slack.wait_for(lambda m: m.response_type == "in_channel" and m.user_id == "U0BOB")
    assert not [c for c in running.slack.api_calls() if c.method == "auth.test"]


def test_too_much_queued_is_answered_busy_in_the_ack_and_nothing_is_queued(
    make: list[Stack], redis_url: str
) -> None:
    running = _start(make, redis_url, workers=0, queue_limit=3)
    for i in range(3):
        assert running.command("popular 1", user_id=f"U0BUSY{i}").raw_text in ("", "{}")
    busy = running.command("popular 1", user_id="U0BUSY3")
    assert "igbot is busy" in busy.raw_text
    assert int(running.igbot.tier.redis.llen(queue_key("interactive"))) == 3
    running.workers.start()  # type: ignore[union-attr]
    _wait(lambda: len(_answers_per_user(running, "U0BUSY")) == 4, 20, "the queued commands were not run")
    assert _answers_per_user(running, "U0BUSY")["U0BUSY3"] == 1  # only its busy answer


def test_a_job_older_than_its_response_url_is_dropped_and_counted(make: list[Stack], redis_url: str) -> None:
    running = _start(make, redis_url, workers=0)
    context = running.slack.send_command  # a real response URL for the stale job
    assert context
    tier = running.igbot.tier
    payload = {"team_id": "T0SANDBOX", "user_id": "U0OLD", "user_name": "old", "channel_id": "C0GENERAL",
               "response_url": f"{running.slack.base_url}/respond/none", "text": "popular 1"}  # fmt: skip
    message = tier.actors["run_command"].message(payload)
    stale = message.copy(message_timestamp=current_millis() - RESPONSE_URL_LIFETIME_MS - 1000)
    tier.broker.enqueue(stale)
    running.workers.start()  # type: ignore[union-attr]
    running.wait_workers()
    assert running.wait_idle(15)
    assert int(tier.redis.get(DROPPED_KEY) or 0) == 1
    assert not running.instagram.requests_log()  # it did not run


def test_a_job_delivered_twice_answers_once(make: list[Stack], redis_url: str) -> None:
    running = _start(make, redis_url, workers=0)
    result = running.command("popular 1", user_id="U0TWICE")
    tier = running.igbot.tier
    raw_ids = tier.redis.lrange(queue_key("interactive"), 0, -1)
    assert len(raw_ids) == 1
    data = tier.redis.hget(queue_key("interactive") + ".msgs", raw_ids[0])
    tier.redis.rpush(queue_key("interactive"), raw_ids[0])  # what re-delivery after a crash does
    assert result.status == 200 and data
    running.workers.start()  # type: ignore[union-attr]
    _wait(lambda: _answers_per_user(running, "U0TWICE"), 20, "no answer")
    assert running.wait_idle(15)
    assert _answers_per_user(running, "U0TWICE") == Counter({"U0TWICE": 1})


def test_no_job_payload_holds_a_token_or_secret(make: list[Stack], redis_url: str) -> None:
    running = _start(make, redis_url, workers=0)
    token = running.link("alice")
    running.command("follow dan_the_man")
    running.command("me")
    tier = running.igbot.tier
    stored = tier.redis.hgetall(queue_key("interactive") + ".msgs")
    assert len(stored) == 2
    settings = running.igbot.settings
    for raw in stored.values():
        body = json.dumps(json.loads(raw))
        for secret in (token, settings.slack_bot_token, settings.slack_signing_secret,
                       settings.instagram_client_secret, *settings.token_encryption_keys):  # fmt: skip
            assert secret not in body


def test_health_names_the_queue_depth_and_when_a_worker_was_last_seen(
    make: list[Stack], redis_url: str
) -> None:
    running = _start(make, redis_url, workers=0)
    health = requests.get(f"{running.bot.url}/healthz", timeout=5).json()
    assert health["workers"] == {"alive": 0, "last_seen_seconds_ago": None}
    running.command("popular 1")
    assert requests.get(f"{running.bot.url}/healthz", timeout=5).json()["queue"] == {"depth": 1}
    running.workers.start()  # type: ignore[union-attr]
    running.wait_workers()
    assert running.wait_idle(15)
    health = requests.get(f"{running.bot.url}/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["queue"] == {"depth": 0}
    assert health["workers"]["alive"] == 1 and health["workers"]["last_seen_seconds_ago"] < 10


def test_a_command_is_refused_busy_when_the_oldest_waiting_one_waited_a_minute(
    make: list[Stack], redis_url: str
) -> None:
    running = _start(make, redis_url, workers=0)
    assert running.command("popular 1", user_id="U0OLDEST").raw_text in ("", "{}")
    client = running.igbot.tier.redis
    (job_id,) = client.lrange(queue_key("interactive"), 0, -1)
    message = json.loads(client.hget(queue_key("interactive") + ".msgs", job_id))
    message["message_timestamp"] -= 61_000  # the workers are a minute behind
    client.hset(queue_key("interactive") + ".msgs", job_id, json.dumps(message))
    busy = running.command("popular 1", user_id="U0LATER")
    assert "igbot is busy" in busy.raw_text
    assert int(client.llen(queue_key("interactive"))) == 1  # nothing new was queued
    running.workers.start()  # type: ignore[union-attr]
    _wait(lambda: _answers_per_user(running, "U0OLDEST") == Counter({"U0OLDEST": 1}), 20, "not run")


def test_a_killed_worker_stops_counting_as_alive_and_a_busy_one_keeps_counting(
    make: list[Stack], redis_url: str
) -> None:
    # Alive means a beat within a few heartbeats, and never longer than the broker takes to count a
    # worker dead (and hand its jobs to the others).
    assert 3 * HEARTBEAT_SECONDS <= WORKER_ALIVE_SECONDS <= HEARTBEAT_TIMEOUT_MS / 1000
    running = _start(make, redis_url, workers=1, worker_threads=2, restart_workers=False)
    healthz = f"{running.bot.url}/healthz"
    jobs = 7  # 4 rounds of 4 s on 2 threads: busy for longer than the window watched below
    running.instagram.inject_faults(jobs, status=None, latency_ms=4000)
    for i in range(jobs):
        assert running.command("popular 1", user_id=f"U0BEAT{i}").status == 200
    _wait(lambda: len(running.instagram.requests_log()) >= 2, 20, "the jobs did not start")
    watched_until = time.monotonic() + WORKER_ALIVE_SECONDS + HEARTBEAT_SECONDS
    while time.monotonic() < watched_until:  # every job thread waits on Instagram; the beat goes on
        assert requests.get(healthz, timeout=5).json()["workers"]["alive"] == 1
        time.sleep(0.5)  # sampling /healthz over the window, not waiting for something
    assert running.pending_jobs() > 0  # it was busy the whole time
    (victim,) = running.workers.pids  # type: ignore[union-attr]
    os.kill(victim, signal.SIGKILL)
    _wait(lambda: requests.get(healthz, timeout=5).json()["workers"]["alive"] == 0, 60, "still alive")


def test_the_readme_states_the_busy_rule_and_the_liveness_window_the_code_applies() -> None:
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert f"oldest waiting command has waited {DEFAULT_MAX_WAIT_SECONDS} s" in readme
    assert f"or {DEFAULT_QUEUE_LIMIT:,} commands are waiting" in readme
    assert f"sent a heartbeat in the last {WORKER_ALIVE_SECONDS} s" in readme
