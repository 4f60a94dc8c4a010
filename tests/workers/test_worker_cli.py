"""`igbot worker` as supervisors see it: its liveness check, and a missing REDIS_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.jobs.supervisor import settings_env
from tests.stack import Stack


def _worker(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "worker", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_liveness_check_follows_the_workers_heartbeat(stack: Stack, tmp_path: Path) -> None:
    env = {**os.environ, **settings_env(stack.igbot.settings)}
    alive = _worker(["--check"], env, tmp_path)
    assert alive.returncode == 0 and "alive" in alive.stdout
    stack.workers.stop()  # type: ignore[union-attr]  # a stopped worker removes its heartbeat
    gone = _worker(["--check"], env, tmp_path)
    assert gone.returncode == 1 and "no worker" in gone.stdout


def test_a_worker_without_redis_url_says_so_in_one_line(stack: Stack, tmp_path: Path) -> None:
    env = {**os.environ, **settings_env(stack.igbot.settings)}
    env.pop("REDIS_URL")
    result = _worker([], env, tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines() == [
        "igbot worker: REDIS_URL is not set (it must name the Redis the web tier uses)"
    ]
