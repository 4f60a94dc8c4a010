"""`python -m bot serve` with hostile settings: exit 2, one `igbot: ...` line per problem, no traceback
(issue 11, item 4), as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

GOOD = {
    "SLACK_SIGNING_SECRET": "startup-test-secret",
    "SLACK_BOT_TOKEN": "xoxb-startup-test",
    "INSTAGRAM_CLIENT_ID": "sandbox-client-id",
    "INSTAGRAM_CLIENT_SECRET": "sandbox-client-secret",
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _serve(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "INSTAGRAM_", "REDIS_URL", "TOKEN_", "PUBLIC_URL", "PORT", "WEB_CONC"))
    }
    env.update(IGBOT_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1", **GOOD, **settings)
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,  # no stray .env from the checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("igbot: ") for line in lines), lines
    return lines


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PUBLIC_URL", "http://[::1"),
        ("REDIS_URL", "redis://[x"),
        ("INSTAGRAM_API_URL", "https://a]b/"),
        ("INSTAGRAM_TOKEN_URL", "https://h:99999/oauth"),
        ("SLACK_API_URL", "https://exa\u2100mple.com/api/"),
        ("PORT", "²"),
        ("INSTAGRAM_API", "v2"),  # refused by the backends' registry, as a setting
    ],
)
def test_one_hostile_setting_is_one_line(tmp_path: Path, name: str, value: str) -> None:
    lines = _lines(_serve(tmp_path, **{name: value}))
    assert len(lines) == 1 and lines[0].startswith(f"igbot: {name} must"), lines


def test_web_concurrency_auto_is_one_line(tmp_path: Path) -> None:
    lines = _lines(_serve(tmp_path, WEB_CONCURRENCY="auto"))
    assert len(lines) == 1 and lines[0].startswith("igbot: WEB_CONCURRENCY must"), lines


def test_all_of_them_at_once_one_line_each(tmp_path: Path) -> None:
    lines = _lines(
        _serve(
            tmp_path,
            PUBLIC_URL="http://[::1",
            REDIS_URL="redis://[x",
            INSTAGRAM_API_URL="https://a]b/",
            PORT="²",
            WEB_CONCURRENCY="auto",
        )
    )
    for name in ("PUBLIC_URL", "REDIS_URL", "INSTAGRAM_API_URL", "PORT", "WEB_CONCURRENCY"):
        assert sum(line.startswith(f"igbot: {name} must") for line in lines) == 1, lines
