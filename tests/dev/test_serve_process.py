"""`igbot serve` as the Procfile runs it: settings checked at start, gunicorn workers, clean stop."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
import redis
import requests
from cryptography.fernet import Fernet

from bot.app import build
from bot.settings import Settings
from bot.web.install import IgbotOAuthFlow
from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.socket import SocketHub
from tests.dev.process import alive, command_name, descendants, igbot_command
from tests.dev.test_dev_process import free_port


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "INSTAGRAM_", "REDIS_URL", "TOKEN_"))
    }
    env.update(IGBOT_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1", **settings)
    return env


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _wait_health(port: int, ready: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
    """Poll `/healthz` until ``ready(body)`` (readiness of child processes, not a fixed wait)."""
    deadline, body = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        try:
            body = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
            if ready(body):
                return dict(body)
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass  # not listening yet, or too busy starting up to answer within the 2 s: ask again
        time.sleep(0.05)
    raise AssertionError(f"/healthz never became ready: {body}")


def _start_serve(tmp_path: Path, port: int, *, stderr: int | IO[str]) -> subprocess.Popen[str]:
    """`igbot serve` with 2 web processes and the embedded Redis, in a session of its own."""
    env = _env(
        tmp_path,
        SLACK_SIGNING_SECRET="serve-test-secret",
        SLACK_BOT_TOKEN="xoxb-serve-test",
        SLACK_API_URL="http://127.0.0.1:9/api/",  # never called: no Slack request is sent
        INSTAGRAM_CLIENT_ID="sandbox-client-id",
        INSTAGRAM_CLIENT_SECRET="sandbox-client-secret",
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PORT=str(port),
    )
    return subprocess.Popen(
        [*igbot_command(), "serve", "--host", "127.0.0.1", "--workers", "2", "--threads", "2"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )


def test_missing_or_malformed_settings_stop_start_up_with_one_line_each(tmp_path: Path) -> None:
    result = subprocess.run(
        [*igbot_command(), "serve"],
        cwd=tmp_path,
        env=_env(tmp_path, SLACK_BOT_TOKEN="xoxp-not-a-bot-token", PORT="eighty"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "igbot: SLACK_SIGNING_SECRET is not set" in lines
    assert "igbot: INSTAGRAM_CLIENT_ID is not set" in lines
    assert any(line.startswith("igbot: SLACK_BOT_TOKEN must be a bot token") for line in lines)
    assert any(line.startswith("igbot: PORT must be") for line in lines)
    assert all(line.startswith("igbot: ") for line in lines), lines
    assert "Traceback" not in result.stderr


def test_serve_answers_health_under_gunicorn_and_stops_without_leftovers(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = _start_serve(tmp_path, port, stderr=log)
    try:
        deadline, health = time.monotonic() + 30, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)  # polling a child process until it listens (and answers in time)
        assert health is not None and health.status_code == 200, log_path.read_text()
        assert health.json()["status"] == "ok"
        health = _wait_health(port, lambda body: body["workers"]["alive"] == 1)
        tree = descendants(process.pid)
        names = {command_name(pid) for pid in tree}
        # master, 2 web workers, 1 `igbot worker` process, embedded Redis
        assert "redis-server" in names and len(tree) >= 5
        job_processes = [pid for pid in tree if " bot worker " in _cmdline(pid)]
        # the master supervises the job process itself: no `igbot worker` parent in between
        assert len(job_processes) == 1 and _parent(job_processes[0]) == process.pid
        worker_nice = [_nice(pid) for pid in tree if " bot worker " in _cmdline(pid)]
        assert worker_nice and all(n >= _nice(process.pid) + 10 for n in worker_nice)  # acks first
        os.killpg(process.pid, signal.SIGTERM)
        stopping = time.monotonic()
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - stopping < 8  # no 10 s hang on the way out
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in tree):
            time.sleep(0.05)  # reaping takes a moment after the master exits
        assert not [pid for pid in tree if alive(pid)]
        assert (tmp_path / "data" / "igbot.aof").exists() or any((tmp_path / "data").glob("appendonlydir*"))
        logged = log_path.read_text()
        assert logged.count("Booting worker") >= 2  # both web processes started (and built Bolt)
        # No start-up notice from Bolt (it read SLACK_BOT_TOKEN from the environment and said it was unused).
        assert not [line for line in logged.splitlines() if "slack_bolt" in line], logged
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_a_web_worker_restart_keeps_the_embedded_redis_and_the_workers(tmp_path: Path) -> None:
    port = free_port()
    process = _start_serve(tmp_path, port, stderr=subprocess.DEVNULL)
    try:
        _wait_health(port, lambda body: body["workers"]["alive"] == 1)
        tree = descendants(process.pid)
        web_workers = [pid for pid in tree if pid != process.pid and " serve " in _cmdline(pid)]
        assert len(web_workers) == 2, [_cmdline(pid) for pid in tree]
        os.kill(web_workers[0], signal.SIGTERM)  # one web worker leaves; gunicorn starts another
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and alive(web_workers[0]):
            time.sleep(0.05)  # waiting for that process to exit
        assert not alive(web_workers[0])
        for _ in range(5):  # every web worker (old and new) still reaches storage and sees the workers
            body = _wait_health(port, lambda b: b.get("status") == "ok")
            assert body["storage"] == "ok" and body["workers"]["alive"] == 1
        assert "redis-server" in {command_name(pid) for pid in descendants(process.pid)}
        os.killpg(process.pid, signal.SIGTERM)
        stopping = time.monotonic()
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - stopping < 8
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_serve_socket_mode_needs_the_app_token_and_then_answers_over_the_websocket(tmp_path: Path) -> None:
    missing = subprocess.run(
        [*igbot_command(), "serve", "--socket-mode"],
        cwd=tmp_path,
        env=_env(
            tmp_path,
            SLACK_SIGNING_SECRET="s",
            SLACK_BOT_TOKEN="xoxb-1",
            INSTAGRAM_CLIENT_ID="c",
            INSTAGRAM_CLIENT_SECRET="c",
            TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.strip().startswith("igbot: SLACK_APP_TOKEN is not set")
    assert "Traceback" not in missing.stderr

    slack = SlackSandbox(signing_secret="serve-test-secret", bot_token="xoxb-serve-test")
    hub = SocketHub()
    hub.start()
    slack.socket = hub
    slack.start()
    port = free_port()
    env = _env(
        tmp_path,
        SLACK_SIGNING_SECRET="serve-test-secret",
        SLACK_BOT_TOKEN="xoxb-serve-test",
        SLACK_APP_TOKEN=slack.app_token,
        SLACK_API_URL=slack.api_url,
        INSTAGRAM_CLIENT_ID="sandbox-client-id",
        INSTAGRAM_CLIENT_SECRET="sandbox-client-secret",
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PORT=str(port),
    )
    process = subprocess.Popen(
        [
            *igbot_command(),
            "serve",
            "--socket-mode",
            "--host",
            "127.0.0.1",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert hub.wait_until(lambda h: h.connected(), timeout=30), "igbot serve never opened its socket"
        answer = slack.send_command(text="help", user_id="U0ALICE", channel_id="C0GENERAL")
        assert (
            answer.error is None and answer.message is not None and "/ig login" in answer.message.all_text()
        )
        assert [d.envelope_type for d in hub.deliveries()] == ["slash_commands"]
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        slack.stop()
        hub.stop()


def test_a_web_process_for_oauth_installs_starts_without_bolt_notices(
    redis_client: redis.Redis,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = {
        "SLACK_SIGNING_SECRET": "serve-test-secret",
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "serve-test-client-secret",
        "INSTAGRAM_CLIENT_ID": "sandbox-client-id",
        "INSTAGRAM_CLIENT_SECRET": "sandbox-client-secret",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "REDIS_URL": redis_url,
    }
    for name, value in settings.items():  # in the environment, as `igbot serve` has them: Bolt reads it too
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    caplog.set_level(logging.DEBUG, logger="slack_bolt")
    igbot = build(Settings.from_env(os.environ))  # what each web process builds after gunicorn's fork
    try:
        # Not "Bolt has enabled the file-based InstallationStore": the installations are in Redis.
        assert not [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")]
        assert isinstance(igbot.bolt.oauth_flow, IgbotOAuthFlow)
    finally:
        igbot.close()
