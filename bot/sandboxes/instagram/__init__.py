"""Sandbox Instagram: a faithful stand-in for the legacy Instagram API v1, served on loopback.

``InstagramSandbox`` (`sandbox.py`) is the entry point.  Layout:

- `world.py` the data model, independent of any API's JSON; `seeding.py` + `seeddata.py` fill it;
- `render_v1.py` v1 JSON; `oauth.py` authorize + token; `api_users.py`, `api_media.py` the /v1 routes;
- `auth.py` tokens/scopes per call; `paging.py`; `envelope.py` bodies and errors;
- `relationships.py` the live follow graph; `tokens.py` codes and tokens; `faults.py`; `ratelimit.py`;
  `reqlog.py`; `images.py` PNG pictures; `assets.py` picture/page routes; `pages.py` HTML;
- `controls.py` ``/__sandbox__``; `state.py` one instance's state; `app.py` wiring; `cli.py` the command.
"""

from bot.sandboxes.instagram.sandbox import InstagramSandbox
from bot.sandboxes.instagram.seeding import build_world
from bot.sandboxes.instagram.world import Comment, Location, Media, User, World

__all__ = ["Comment", "InstagramSandbox", "Location", "Media", "User", "World", "build_world"]
