"""docs/interfaces.md's failure table, row by row, through the real wire path."""

from __future__ import annotations

import time
from pathlib import Path

import redis
import requests

from bot.core.jobs import MAX_RETRIES
from bot.storage.embedded import EmbeddedRedis
from tests.stack import Stack, login_url, start_stack

ATTEMPTS = 1 + MAX_RETRIES  # a job meeting a transient Instagram failure runs this many times in all


def test_revoked_token_removes_the_link_and_offers_login(stack: Stack, redis_client: redis.Redis) -> None:
    stack.link("alice")
    stack.command("follow dan_the_man")
    stack.wait_message("You now follow @dan_the_man")
    assert stack.instagram.revoke(username="alice") >= 1
    stack.command("unfollow dan_the_man")
    expired = stack.wait_message("connection has expired", user_id="U0ALICE")
    assert login_url(expired)
    assert redis_client.keys("igbot:link:*") == []
    assert "dan_the_man" in stack.instagram.follows_of("alice")["follows"]


def test_revoked_token_resumes_the_command_after_relinking(stack: Stack) -> None:
    stack.link("alice")
    stack.instagram.revoke(username="alice")
    stack.command("follow dan_the_man")
    prompt = stack.wait_message("connection has expired", user_id="U0ALICE")
    assert stack.approve(login_url(prompt), username="alice").status_code == 200
    stack.wait_message("You now follow @dan_the_man", user_id="U0ALICE")


def test_rate_limit_says_when_to_try_again(redis_client: redis.Redis, redis_url: str) -> None:
    running = start_stack(redis_url, rate_limit_per_hour=2)
    try:
        running.link("alice")
        running.command("follow dan_the_man")  # search + relationship: the whole hourly budget
        running.wait_message("You now follow @dan_the_man")
        running.command("unfollow dan_the_man")
        message = running.wait_message("Instagram is limiting requests", user_id="U0ALICE")
        assert "try again in about 60 minutes" in message.all_text()
        assert "dan_the_man" in running.instagram.follows_of("alice")["follows"]
    finally:
        running.close()


def test_instagram_timeout_changes_nothing(redis_client: redis.Redis, redis_url: str) -> None:
    running = start_stack(redis_url, read_timeout=0.3)
    try:
        running.link("alice")
        running.instagram.inject_faults(ATTEMPTS, latency_ms=1500, status=200)  # slow on every try
        running.command("follow dan_the_man")
        running.wait_message("Instagram didn't answer; nothing was changed", user_id="U0ALICE")
        assert "dan_the_man" not in running.instagram.follows_of("alice")["follows"]
    finally:
        running.close()


def test_instagram_5xx_and_malformed_answers(stack: Stack) -> None:
    stack.link("alice")
    stack.instagram.inject_faults(ATTEMPTS, status=503)  # down for every try of the job
    stack.command("follow dan_the_man")
    stack.wait_message("Instagram didn't answer", user_id="U0ALICE")
    stack.instagram.inject_faults(ATTEMPTS, malformed=True)
    stack.command("popular 3", user_id="U0BOB")
    stack.wait_message("Instagram didn't answer", user_id="U0BOB")
    assert stack.slack.messages(channel_id="C0GENERAL") and all(
        m.response_type != "in_channel" for m in stack.slack.messages()
    )


def test_unknown_user(stack: Stack) -> None:
    stack.link("alice")
    stack.command("follow nosuchuser42")
    stack.wait_message("No Instagram account named @nosuchuser42", user_id="U0ALICE")
    stack.command("user nosuchuser42")
    stack.slack.wait_for(
        lambda m: len([x for x in stack.slack.messages() if "No Instagram" in x.all_text()]) == 2
    )


def test_redis_down_answers_and_health_is_503(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    running = start_stack(server.start())
    try:
        health = requests.get(f"{running.bot.url}/healthz", timeout=5).json()
        assert health["status"] == "ok" and health["workers"]["alive"] == 1
        server.stop()
        health = requests.get(f"{running.bot.url}/healthz", timeout=5)
        assert health.status_code == 503
        ack = running.command("follow dan_the_man")
        assert ack.status == 200
        running.wait_message("can't reach its storage", user_id="U0ALICE")
        ack = running.command("popular 2", user_id="U0BOB")  # the job queue is in Redis too
        assert "can't reach its storage" in ack.raw_text
        page = running.approve_raw(f"{running.igbot.settings.redirect_uri}?code=x&state=y")
        assert page.status_code == 503 and "storage" in page.text
    finally:
        running.close()
        server.stop()


def test_redis_restart_is_survived_and_links_persist(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    running = start_stack(server.start())
    try:
        running.link("alice")
        assert server.process is not None
        server.process.kill()  # a crash: nothing saved beyond the append-only file
        server.process.wait(timeout=5)
        running.command("me")
        running.wait_message("can't reach its storage", user_id="U0ALICE")
        restarted = EmbeddedRedis(tmp_path / "redis", socket_path=server.socket_path)
        restarted.start()
        try:
            running.command("me")
            # The worker restarts after losing Redis (about a second's pause, then its start-up) and only
            # then takes the job: survival is the point here, not how fast, so wait generously.
            running.wait_message("connected to Instagram account *@alice*", user_id="U0ALICE", timeout=20)
        finally:
            restarted.stop()
    finally:
        running.close()
        server.stop()


def test_forged_or_stale_slack_requests_get_401_and_nothing_runs(
    stack: Stack, redis_client: redis.Redis
) -> None:
    body = b"token=x&team_id=T0SANDBOX&user_id=U0ALICE&command=%2Fig&text=login&response_url=http%3A%2F%2Fx"
    forged = stack.slack.send_signed(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert forged.status_code == 401
    stale = stack.slack.send_signed(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600
    )
    assert stale.status_code == 401
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = requests.post(stack.slack.bot_url, data=body, headers=form, timeout=5)
    assert unsigned.status_code == 401
    worker_bookkeeping = {"igbot:workers", "igbot:jobs:__heartbeats__"}  # the idle worker's heartbeat
    assert set(redis_client.keys("*")) <= worker_bookkeeping
    assert stack.pending_jobs() == 0
    assert stack.slack.messages() == []
