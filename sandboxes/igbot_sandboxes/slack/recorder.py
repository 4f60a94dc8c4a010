"""A thread-safe log of what the bot sent, with blocking waits instead of polling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from igbot_sandboxes.slack.messages import ApiCall, FailedDelivery, RecordedMessage


class Recorder:
    """Messages, Web API calls and failed deliveries, in arrival order, shared by all server threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._messages: list[RecordedMessage] = []
        self._calls: list[ApiCall] = []
        self._failures: list[FailedDelivery] = []
        self._seq = 0
        self._last_micros = 0

    def next_ts(self) -> str:
        """A fresh Slack message timestamp (``"1700000000.000123"``), strictly increasing."""
        with self._changed:
            self._last_micros = max(int(time.time() * 1_000_000), self._last_micros + 1)
            seconds, micros = divmod(self._last_micros, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def add_message(self, message: RecordedMessage) -> RecordedMessage:
        """Record a message (numbering it) and wake every waiter."""
        with self._changed:
            self._seq += 1
            message.seq = self._seq
            self._messages.append(message)
            self._changed.notify_all()
        return message

    def add_call(self, call: ApiCall) -> None:
        """Record a Web API call."""
        with self._changed:
            self._calls.append(call)

    def add_failure(self, failure: FailedDelivery) -> None:
        """Record a delivery Slack would have reported as failed, and wake every waiter."""
        with self._changed:
            self._failures.append(failure)
            self._changed.notify_all()

    def messages(
        self,
        channel_id: str | None = None,
        user_id: str | None = None,
        *,
        team_id: str | None = None,
        since: int | None = None,
    ) -> list[RecordedMessage]:
        """Recorded messages, oldest first, filtered by exact field values and by ``seq > since``."""
        with self._changed:
            return [
                m
                for m in self._messages
                if (channel_id is None or m.channel_id == channel_id)
                and (user_id is None or m.user_id == user_id)
                and (team_id is None or m.team_id == team_id)
                and (since is None or m.seq > since)
            ]

    def find(self, team_id: str, channel_id: str, ts: str) -> RecordedMessage | None:
        """The latest valid recorded version of the message with this ts in this channel."""
        with self._changed:
            return next(
                (
                    m
                    for m in reversed(self._messages)
                    if m.valid and m.ts == ts and m.channel_id == channel_id and m.team_id == team_id
                ),
                None,
            )

    def thread(self, team_id: str, channel_id: str, thread_ts: str) -> list[RecordedMessage]:
        """The replies in the thread of ``thread_ts``: the latest valid version of each, oldest first."""
        with self._changed:
            latest: dict[str, RecordedMessage] = {}
            for m in self._messages:
                if (
                    m.valid
                    and m.thread_ts == thread_ts
                    and m.ts != thread_ts
                    and m.channel_id == channel_id
                    and m.team_id == team_id
                ):
                    latest[m.ts] = m
            return sorted(latest.values(), key=lambda m: _ts_key(m.ts))

    def api_calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded Web API calls, oldest first, optionally only one method."""
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def failures(self) -> list[FailedDelivery]:
        """Deliveries Slack would have reported to the user as failed."""
        with self._changed:
            return list(self._failures)

    def wait_for(self, predicate: Callable[[RecordedMessage], bool], timeout: float = 5.0) -> RecordedMessage:
        """The first recorded message (already there or arriving later) for which ``predicate`` holds.

        Blocks on a condition variable, waking on each new message. Raises TimeoutError after
        ``timeout`` seconds, listing every message and failure received so far.
        """
        deadline = time.monotonic() + timeout
        checked = 0
        with self._changed:
            while True:
                for message in self._messages[checked:]:
                    if predicate(message):
                        return message
                checked = len(self._messages)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_report(timeout))
                self._changed.wait(remaining)

    def reset(self) -> None:
        """Forget everything recorded (message numbering keeps increasing)."""
        with self._changed:
            self._messages.clear()
            self._calls.clear()
            self._failures.clear()

    def _timeout_report(self, timeout: float) -> str:
        lines = [f"no matching Slack message within {timeout:g} s; received {len(self._messages)} message(s)"]
        lines += [f"  {m.describe()}" for m in self._messages]
        lines += [f"  FAILED {f.kind} for {f.user_id}: {f.error} {f.detail}".rstrip() for f in self._failures]
        return "\n".join(lines)


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    try:
        return int(seconds), int(micros.ljust(6, "0")[:6] or 0)
    except ValueError:
        return 0, 0
