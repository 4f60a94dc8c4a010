"""Instagram Login's part of one sandbox instance: its tokens, the code exchange's answer shape and the
per-account call budgets of the graph.instagram.com stand-in."""

from __future__ import annotations

import threading
from collections.abc import Callable

from igbot_sandboxes.instagram.graph.limits import AccountLimiter, AccountUsage
from igbot_sandboxes.instagram.instagram_login.tokens import LoginTokenStore

FLAT, WRAPPED = "flat", "wrapped"
SHAPES = (FLAT, WRAPPED)


class LoginMode:
    """Everything the ``/instagram-login`` and ``/instagram-graph`` routes share."""

    def __init__(
        self, clock: Callable[[], float], exchange_shape: str = FLAT, calls_per_hour: int = 4800
    ) -> None:
        if exchange_shape not in SHAPES:
            raise ValueError(f"exchange shape must be one of {SHAPES}")
        if calls_per_hour <= 0:
            raise ValueError("calls_per_hour must be positive")
        self.seeded_shape = exchange_shape
        self.exchange_shape = exchange_shape
        self.tokens = LoginTokenStore(clock)
        self.calls_per_hour = calls_per_hour
        self._clock = clock
        self._lock = threading.Lock()
        self._limiters: dict[str, AccountLimiter] = {}

    def _limiter(self, ig_user_id: str) -> AccountLimiter:
        with self._lock:
            limiter = self._limiters.get(ig_user_id)
            if limiter is None:
                limiter = self._limiters[ig_user_id] = AccountLimiter(self.calls_per_hour, self._clock)
            return limiter

    def hit(self, ig_user_id: str) -> AccountUsage:
        """Count one API call on the account's budget (a sliding hour) and decide it."""
        return self._limiter(ig_user_id).hit(ig_user_id)

    def set_budget(self, ig_user_id: str, calls: int) -> None:
        """Allow ``calls`` per sliding hour on this account from now on (calls already made still count).

        Raises:
            ValueError: ``calls`` is not positive.
        """
        if calls <= 0:
            raise ValueError("calls must be positive")
        self._limiter(ig_user_id).limit = calls

    def set_shape(self, shape: str) -> None:
        """Answer code exchanges ``"flat"`` or ``"wrapped"`` from now on (until `reset`).

        Raises:
            ValueError: another shape.
        """
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.exchange_shape = shape

    def reset(self) -> None:
        """Forget codes, tokens, calls and budgets; back to the constructor's exchange shape."""
        self.exchange_shape = self.seeded_shape
        self.tokens.reset()
        with self._lock:
            self._limiters.clear()
