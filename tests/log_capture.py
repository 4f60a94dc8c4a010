"""Every log line of the whole test run, and every secret the run handed out, to check none leaked."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

SECRETS: set[str] = set()
LOG_FILES: list[Path] = []  # logs of processes the tests started (igbot worker)
_lock = threading.Lock()


def watch_log_file(path: Path) -> None:
    """Scan this file too at the end of the run (a worker process's log)."""
    with _lock:
        LOG_FILES.append(path)


def remember_secret(value: str | None) -> None:
    """Record a token, code or secret that must never appear in a log line."""
    if value and len(value) >= 6:
        with _lock:
            SECRETS.add(value)


class CaptureAll(logging.Handler):
    """Keeps the formatted text (with tracebacks) of every record outside the sandboxes."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("igbot_sandboxes"):
            return  # the stand-ins play Instagram and Slack; they may know secrets
        try:
            text = self.format(record)
        except Exception:
            text = f"{record.name} unformattable {record.msg!r} {record.args!r}"
        with _lock:
            self.lines.append(text)


CAPTURE = CaptureAll()


def install() -> None:
    """Capture everything from now on, at DEBUG, so chatty libraries would show a leak."""
    root = logging.getLogger()
    root.addHandler(CAPTURE)
    root.setLevel(logging.DEBUG)


def leaks() -> list[tuple[str, str]]:
    """(secret prefix, log line) for every captured line that contains a remembered secret."""
    with _lock:
        secrets, lines, files = set(SECRETS), list(CAPTURE.lines), list(LOG_FILES)
    for path in files:
        if path.exists():
            lines.extend(path.read_text(errors="replace").splitlines())
    return [(s[:4] + "…", line[:300]) for line in lines for s in secrets if s in line]
