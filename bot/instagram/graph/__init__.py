"""Today's Instagram Graph API with Facebook Login: `GraphInstagram` (`backend.py`) with its feeds and
inbox halves, the pure parsing of its answers (`parsing.py`) and what people are told about its accounts
(`wording.py`). Named in `bot.instagram.registry`."""

from bot.instagram.graph.backend import GraphInstagram

__all__ = ["GraphInstagram"]
