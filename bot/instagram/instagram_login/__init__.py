"""Meta's Instagram API with Instagram Login (docs/instagram-login.md): `InstagramLogin` (`backend.py`),
the pure parsing of its answers (`parsing.py`) and what people are told about its accounts
(`wording.py`). Named in `bot.instagram.registry`."""

from bot.instagram.instagram_login.backend import InstagramLogin

__all__ = ["InstagramLogin"]
