"""`igbot sandbox slack`: serves until interrupted, with settings from flags or the environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

PROGRAM = "from igbot_sandboxes.slack.cli import main; raise SystemExit(main(sys.argv[1:]))"


def test_cli_serves_until_interrupted_with_token_from_env() -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-from-env"}
    env.pop("SLACK_SIGNING_SECRET", None)
    command = [
        sys.executable,
        "-c",
        f"import sys; {PROGRAM}",
        "--port",
        "0",
        "--bot-url",
        "http://127.0.0.1:9/x",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("sandbox slack listening on http://127.0.0.1:")
        base = first.rsplit(" ", 1)[1]
        answer = requests.post(f"{base}/api/auth.test", data={"token": "xoxb-from-env"}, timeout=5).json()
        assert answer["ok"] is True
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
