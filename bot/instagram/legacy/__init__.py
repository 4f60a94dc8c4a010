"""Instagram API v1, the "legacy" generation: `LegacyInstagram` (`backend.py`) with its feeds, inbox and
map halves, the pure parsing of its answers (`parsing.py`) and what people are told about its accounts
(`wording.py`). Named in `bot.instagram.registry`."""

from bot.instagram.legacy.backend import LegacyInstagram

__all__ = ["LegacyInstagram"]
