"""Instagram Login's part of one sandbox instance: its tokens and the code exchange's answer shape."""

from __future__ import annotations

from collections.abc import Callable

from igbot_sandboxes.instagram.instagram_login.tokens import LoginTokenStore

FLAT, WRAPPED = "flat", "wrapped"
SHAPES = (FLAT, WRAPPED)


class LoginMode:
    """Everything the ``/instagram-login`` and ``/instagram-graph`` routes share."""

    def __init__(self, clock: Callable[[], float], exchange_shape: str = FLAT) -> None:
        if exchange_shape not in SHAPES:
            raise ValueError(f"exchange shape must be one of {SHAPES}")
        self.seeded_shape = exchange_shape
        self.exchange_shape = exchange_shape
        self.tokens = LoginTokenStore(clock)

    def set_shape(self, shape: str) -> None:
        """Answer code exchanges ``"flat"`` or ``"wrapped"`` from now on (until `reset`).

        Raises:
            ValueError: another shape.
        """
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.exchange_shape = shape

    def reset(self) -> None:
        """Forget codes and tokens; back to the constructor's exchange shape."""
        self.exchange_shape = self.seeded_shape
        self.tokens.reset()
