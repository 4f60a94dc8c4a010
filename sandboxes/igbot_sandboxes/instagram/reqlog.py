"""A bounded log of recent requests with secrets redacted (tests assert on what the bot sent)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
# redirect_uri stays verbatim; fb_exchange_token is graph mode's short-lived token
SECRET_PARAMS = frozenset({"client_secret", "code", "access_token", "fb_exchange_token"})
MAX_ENTRIES = 1000


def redact(params: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``params`` with secret values replaced by ``[redacted]``."""
    return {k: (REDACTED if k in SECRET_PARAMS and v else v) for k, v in params.items()}


class RequestLog:
    """Thread-safe ring buffer of request records (dicts)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)

    def add(self, entry: dict[str, Any]) -> None:
        """Append a record; the caller may still fill in its ``status`` later."""
        with self._lock:
            self._entries.append(entry)

    def finish(self, entry: dict[str, Any], status: int) -> None:
        """Record the response status of an entry added earlier."""
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict[str, Any]]:
        """Copies of the records, oldest first."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def reset(self) -> None:
        """Drop every record."""
        with self._lock:
            self._entries.clear()
