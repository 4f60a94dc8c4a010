"""What people typed in the console: slash commands as they were sent, and the failures Slack would show.

The bot's messages live in the stand-in's Recorder; this log holds the other half of a conversation
(the `/ig ...` a user typed, shown to them as Slack echoes it) and the "failed with the error ..."
notes Slack shows when the bot does not acknowledge in time. Timestamps come from the Recorder's
clock, so commands and the bot's answers sort into one timeline.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

EntryKind = Literal["command", "failure"]


@dataclass(frozen=True)
class ConsoleEntry:
    """One line of the console's own history.

    Attributes:
        kind: ``command`` (what the user typed) or ``failure`` (Slack's note that the bot did not answer).
        text: the command as typed (``/ig follow bob``) or the failure sentence.
        error: Slack's error code for a failure (`operation_timeout`, `dispatch_failed`, `http_error`).
        ts: a Slack-style timestamp from the same clock as the recorded messages.
        seq: order in this log, 1 for the first entry.
    """

    kind: EntryKind
    team_id: str
    channel_id: str
    user_id: str
    text: str
    ts: str
    seq: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


class ConsoleLog:
    """A thread-safe, append-only list of console entries, read incrementally with ``since``."""

    def __init__(self, next_ts: Callable[[], str]) -> None:
        self._next_ts = next_ts
        self._lock = threading.Lock()
        self._entries: list[ConsoleEntry] = []
        self._seq = 0

    def add(
        self,
        kind: EntryKind,
        *,
        team_id: str,
        channel_id: str,
        user_id: str,
        text: str,
        error: str | None = None,
    ) -> ConsoleEntry:
        """Append an entry, stamped now."""
        ts = self._next_ts()
        with self._lock:
            self._seq += 1
            entry = ConsoleEntry(kind, team_id, channel_id, user_id, text, ts, self._seq, error)
            self._entries.append(entry)
        return entry

    def entries(self, since: int | None = None) -> list[ConsoleEntry]:
        """Entries with ``seq > since`` (all when None), oldest first."""
        with self._lock:
            return [e for e in self._entries if since is None or e.seq > since]

    def reset(self) -> None:
        """Forget every entry (numbering keeps increasing, like the Recorder's)."""
        with self._lock:
            self._entries.clear()


def failure_text(subject: str, error: str) -> str:
    """What Slack shows when ``subject`` (a command like ``/ig``, ``button``, ``menu``) got no proper ack."""
    what = {"button": "That button", "menu": "That menu"}.get(subject, subject)
    why = {
        "dispatch_failed": ": the app could not be reached",
        "operation_timeout": ": the app did not answer within 3 seconds",
    }.get(error, "")
    return f'{what} failed with the error "{error}"{why}.'
