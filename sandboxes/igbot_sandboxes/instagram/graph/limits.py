"""Graph-mode limits: calls per Instagram account per hour, app usage, and the hashtag quota.

- `AccountLimiter`: a sliding hour per IG account; rejected calls count too (more calls extend the
  block, as Meta warns), and a rejection says how many minutes until the window frees.
- `AppUsage`: the app's calls in the last hour as a percentage of 200 x its users (reported only).
- `HashtagQuota`: 30 unique hashtags per IG account per rolling 7 days; repeating a tag neither counts
  again nor resets its timer.

All take the sandbox clock and are thread-safe.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

HOUR = 3600.0
WEEK = 7 * 86400.0
APP_CALLS_PER_USER = 200
HASHTAGS_PER_WEEK = 30


@dataclass(frozen=True)
class AccountUsage:
    """One counted call against an IG account."""

    allowed: bool
    call_count: int  # percent of the hourly allowance used, 0..100
    regain_minutes: int  # 0 while allowed


class _Window:
    """Timestamps per key inside a sliding window."""

    def __init__(self, clock: Callable[[], float], window: float) -> None:
        self._clock = clock
        self._window = window
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def add(self, key: str) -> tuple[float, list[float]]:
        """Record a hit now; returns now and the hits inside the window (oldest first, this one last)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            hits.append(now)
            return now, list(hits)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class AccountLimiter:
    """``limit`` calls per IG account in a sliding hour."""

    def __init__(self, limit: int, clock: Callable[[], float], window: float = HOUR) -> None:
        self.limit = limit
        self._window = window
        self._hits = _Window(clock, window)

    def hit(self, ig_user_id: str) -> AccountUsage:
        """Count a call on the account and decide it."""
        now, hits = self._hits.add(ig_user_id)
        made = len(hits)
        percent = min(100, made * 100 // self.limit)
        if made <= self.limit:
            return AccountUsage(True, percent, 0)
        # the next call is allowed once all but limit-1 of these hits have left the window
        frees_at = hits[made - self.limit] + self._window
        return AccountUsage(False, percent, max(1, math.ceil((frees_at - now) / 60)))

    def reset(self) -> None:
        """Forget every counter."""
        self._hits.reset()


class AppUsage:
    """The app's graph calls in the last hour, as ``X-App-Usage`` percentages."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._hits = _Window(clock, HOUR)

    def hit(self, app_id: str, users: int) -> int:
        """Count a call; returns ``call_count`` (percent of 200 calls per app user, capped at 100)."""
        _, hits = self._hits.add(app_id)
        return min(100, len(hits) * 100 // (APP_CALLS_PER_USER * max(1, users)))

    def reset(self) -> None:
        """Forget every counter."""
        self._hits.reset()


class HashtagQuota:
    """Unique hashtags searched per IG account in a rolling week."""

    def __init__(
        self, clock: Callable[[], float], limit: int = HASHTAGS_PER_WEEK, window: float = WEEK
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._window = window
        self._lock = threading.Lock()
        self._first_seen: dict[str, dict[str, float]] = {}

    def _prune_locked(self, ig_user_id: str, now: float) -> dict[str, float]:
        seen = self._first_seen.setdefault(ig_user_id, {})
        for tag in [t for t, when in seen.items() if when <= now - self._window]:
            del seen[tag]
        return seen

    def search(self, ig_user_id: str, tag: str, seconds_ago: float = 0.0) -> bool:
        """Record a search of ``tag`` (made ``seconds_ago``, for searches made outside igbot); False
        (nothing recorded) when it would be one too many.  A tag already counted keeps its first time."""
        now = self._clock()
        with self._lock:
            seen = self._prune_locked(ig_user_id, now)
            if tag in seen:
                return True
            if len(seen) >= self.limit:
                return False
            if seconds_ago < self._window:
                seen[tag] = now - max(0.0, seconds_ago)
            return True

    def searches(self, ig_user_id: str) -> list[tuple[str, float]]:
        """``(tag, first searched at)`` of the tags counting against the account now, newest first."""
        with self._lock:
            seen = self._prune_locked(ig_user_id, self._clock())
            return sorted(seen.items(), key=lambda item: (-item[1], item[0]))

    def recent(self, ig_user_id: str) -> list[str]:
        """Tags that count against the account now, most recently first searched first."""
        return [tag for tag, _ in self.searches(ig_user_id)]

    def reset(self) -> None:
        """Forget every search."""
        with self._lock:
            self._first_seen.clear()
