"""`igbot serve` as the Procfile runs it: settings checked at start, gunicorn workers, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

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
    process = subprocess.Popen(
        [*igbot_command(), "serve", "--host", "127.0.0.1", "--workers", "2", "--threads", "2"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, health = time.monotonic() + 30, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)  # polling a child process until it listens
        assert health is not None and health.status_code == 200, (
            process.stderr.read() if process.stderr else ""
        )
        assert health.json() == {"status": "ok"}
        tree = descendants(process.pid)
        names = {command_name(pid) for pid in tree}
        assert "redis-server" in names and len(tree) >= 4  # master, 2 workers, embedded Redis
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in tree):
            time.sleep(0.05)  # reaping takes a moment after the master exits
        assert not [pid for pid in tree if alive(pid)]
        assert (tmp_path / "data" / "igbot.aof").exists() or any((tmp_path / "data").glob("appendonlydir*"))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
