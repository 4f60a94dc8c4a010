"""Issue 11 item 4: a damaged dev secrets file stops `igbot dev` with one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.dev.process import igbot_command
from tests.dev.test_dev_process import free_port


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"SLACK_SIGNING_SECRET": 1}',
        '{"SLACK_SIGNING_SECRET": "a", "SLACK_BOT_TOKEN": "b"}',
        '{"SLACK_SIGNING_SECRET": "a", "SLACK_BOT_TOKEN": "xoxb-1", "TOKEN_ENCRYPTION_KEYS": "not-a-key"}',
    ],
)
def test_a_damaged_secrets_file_is_one_line(tmp_path: Path, content: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "dev-secrets.json").write_text(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INSTAGRAM_", "REDIS_URL"))}
    env.update(IGBOT_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    result = subprocess.run(
        [*igbot_command(), "dev", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("igbot dev:")]
    assert len(lines) == 1 and ("dev-secrets.json" in lines[0] or "TOKEN_ENCRYPTION_KEYS" in lines[0]), lines
