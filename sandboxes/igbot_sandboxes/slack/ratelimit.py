"""Slack's per-channel posting rate for ``chat.postMessage``: a token bucket per channel.

Slack's rate-limit guide (docs.slack.dev/apis/web-api/rate-limits, api.slack.com/docs/rate-limits):
"chat.postMessage generally allows posting one message per second per channel, while also
maintaining a workspace-wide limit"; "Posting messages: 1 per second. Short bursts >1 allowed. If
you attempt bursts, there is no guarantee that messages will" be posted.  Over a limit Slack answers
HTTP 429 with a ``Retry-After`` header in seconds, and the Web API body ``{"ok": false, "error":
"ratelimited"}`` (slack_sdk's RTM client checks ``e.response["error"] == "ratelimited"`` and reads
``Retry-After``; its RateLimitErrorRetryHandler retries on 429 after ``Retry-After``).  How long a burst
may be is not documented; people measured bursts of 25 to 40 passing (PSSlack issue #52, a zenn.dev
article), so the stand-in's default burst of 5 is on the strict side on purpose.  The workspace-wide
limit is not modelled.

``rate`` messages per second refill each channel's bucket of ``burst`` messages; ``rate`` None (or 0)
turns the limit off.  A refused post takes nothing from the bucket.  Time comes from the sandbox's
clock, so tests can refill buckets without sleeping.  Thread-safe.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_POST_RATE = 1.0  # messages per second per channel
DEFAULT_POST_BURST = 5


@dataclass
class _Bucket:
    tokens: float
    at: float


class PostRateLimiter:
    """Token buckets keyed by (team, channel)."""

    def __init__(
        self,
        clock: Callable[[], float],
        rate: float | None = DEFAULT_POST_RATE,
        burst: int = DEFAULT_POST_BURST,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.rate: float | None = None
        self.burst = DEFAULT_POST_BURST
        self.configure(rate, burst)

    def configure(self, rate: float | None, burst: int) -> None:
        """Set the rate (None or 0: no limit) and burst; every bucket starts full again.

        Raises:
            ValueError: a negative or non-finite rate, or a burst below 1.
        """
        if rate is not None and (not math.isfinite(rate) or rate < 0):
            raise ValueError("post rate must be a non-negative number of messages per second")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError("post burst must be a whole number of messages, at least 1")
        with self._lock:
            self.rate = rate or None
            self.burst = burst
            self._buckets.clear()

    @property
    def enabled(self) -> bool:
        """True while posts are limited."""
        return self.rate is not None

    def take(self, team_id: str, channel_id: str) -> int | None:
        """Spend one message of the channel's bucket: None when allowed, else ``Retry-After`` seconds."""
        with self._lock:
            if self.rate is None:
                return None
            now = self._clock()
            bucket = self._buckets.setdefault((team_id, channel_id), _Bucket(float(self.burst), now))
            bucket.tokens = min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def reset(self) -> None:
        """Fill every bucket again."""
        with self._lock:
            self._buckets.clear()
