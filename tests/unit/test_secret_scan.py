"""The secret scan of log lines (`tests.log_capture`), which the whole-run checks run when the run ends
(`tests.run_checks`): it sees a remembered secret in any captured line or watched log file."""

from __future__ import annotations

from pathlib import Path

from tests import log_capture
from tests.run_checks import whole_run_problems


def test_the_check_would_catch_a_leak() -> None:
    import logging

    log_capture.remember_secret("canary-token-1234567")
    logging.getLogger("bot.anything").debug("calling /v1/users/self?access_token=%s", "canary-token-1234567")
    found = log_capture.leaks()
    log_capture.CAPTURE.lines = [line for line in log_capture.CAPTURE.lines if "canary-token" not in line]
    log_capture.SECRETS.discard("canary-token-1234567")
    assert len(found) == 1
    assert "canary-token-1234567" in found[0][1]


def test_a_leak_in_a_worker_log_file_fails_the_whole_run_checks(tmp_path: Path) -> None:
    log_file = tmp_path / "workers.log"
    log_file.write_text("bot.worker INFO token=canary-secret-987654 refused\n")
    log_capture.remember_secret("canary-secret-987654")
    log_capture.watch_log_file(log_file)
    try:
        problems = whole_run_problems(set())
    finally:
        log_capture.SECRETS.discard("canary-secret-987654")
        log_capture.LOG_FILES.remove(log_file)
    assert problems == [
        "a secret (cana…) reached a log line: bot.worker INFO token=canary-secret-987654 refused"
    ]
