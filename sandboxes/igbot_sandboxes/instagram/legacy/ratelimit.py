"""Sliding one-hour request window per access token (or per client id), as the legacy API enforced."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 3600.0


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request."""

    allowed: bool
    limit: int
    remaining: int
    made: int  # requests in the window, this one included


class RateLimiter:
    """Counts requests per key in a sliding window; thread-safe."""

    def __init__(self, limit: int, clock: Callable[[], float], window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self._clock = clock
        self._window = window
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> RateDecision:
        """Count a request for ``key`` and say whether it is within the limit.

        Rejected requests count too (the real API reported e.g. "91 requests of the 60 allowed").
        """
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            hits.append(now)
            made = len(hits)
        return RateDecision(made <= self.limit, self.limit, max(0, self.limit - made), made)

    def reset(self) -> None:
        """Forget every counter."""
        with self._lock:
            self._hits.clear()
