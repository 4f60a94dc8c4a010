"""What the `/ig` grammar's parts share: pure, total readers of usernames, counts, hashtags, places and
coordinates. Every feature's parser (its ``command.py``) builds on them; nothing here raises for any ``str``.

Usernames and profile links are read with anchored patterns over ASCII only, never with a URL parser.
Full-width forms (U+FF01..U+FF5E, what an East Asian input method types for ASCII) read as the ASCII
they stand for, so a full-width ``@alice`` (U+FF20 U+FF41 ...) is ``@alice``: that is what the person
typing it means, and the map is one-to-one onto ASCII. No other Unicode compatibility mapping (NFKC)
is applied: ligatures, super- and subscripts, circled or mathematical letters, ``℀``, small forms such
as ``﹖`` stay what they are, so they never turn into a valid name or subcommand by accident; a
username made of them gets the usage line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COUNT = 10  # posts one command shows (`/ig popular`, `/ig recent`)
DEFAULT_COUNT = 5
MAX_RADIUS_M = 5000
DEFAULT_RADIUS_M = 1000
USERNAME_RE = re.compile(r"[A-Za-z0-9._]{1,30}")
# Slack's link markup ``<url>`` / ``<url|label>``; only a web link is unwrapped (not ``<@U123>``).
_SLACK_LINK_RE = re.compile(r"<(https?://[^|>]*)(?:\|[^>]*)?>", re.IGNORECASE | re.ASCII)
# A profile link: optional scheme, instagram.com (www., m.) or instagr.am, one path segment (an ``@``
# before the name is tolerated), an optional trailing slash; a query or fragment is ignored.
_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:(?:www\.|m\.)?instagram\.com|instagr\.am)"
    r"/@?(?P<name>[A-Za-z0-9._]{1,30})/?(?:[?#].*)?",
    re.IGNORECASE | re.ASCII | re.DOTALL,
)
# Text that starts like an Instagram link is a link, never a bare username (``instagram.comalice``).
_PROFILE_HOST_PREFIXES = (
    "https://",
    "http://",
    "instagram.com",
    "www.instagram.com",
    "m.instagram.com",
    "instagr.am",
)
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
TAG_RE = re.compile(r"#(\w{1,100})")
NEAR_RE = re.compile(
    r"(?P<lat>[+-]?\d{1,2}(?:\.\d{1,7})?)\s*,\s*(?P<lng>[+-]?\d{1,3}(?:\.\d{1,7})?)(?:\s+(?P<radius>\d{1,5})\s*m?)?",
    re.ASCII,
)
PLACE_RE = re.compile(r"[^\s<>|*`~][^<>|*`~]{0,99}")
BAD_USERNAME = "That doesn't look like an Instagram username: use 1 to 30 letters, digits, `.` or `_`."


@dataclass(frozen=True)
class FeedTarget:
    """What a feed follows. ``kind``: ``me``, ``user`` (``value`` = username), ``tag``, ``place`` (a place
    name) or ``near`` (``value`` = ``lat,lng,radius``)."""

    kind: str
    value: str = ""

    def label(self) -> str:
        """How people see it (mrkdwn-safe: values are validated ASCII/word characters)."""
        if self.kind == "me":
            return "your account"
        if self.kind == "user":
            return f"@{self.value}"
        if self.kind == "tag":
            return f"#{self.value}"
        if self.kind == "place":
            return f"place “{self.value}”"
        lat, lng, radius = self.value.split(",")
        return f"near {lat},{lng} ({radius} m)"


def fold_width(text: str) -> str:
    """``text`` with full-width ASCII forms (U+FF01..U+FF5E: at sign, letters, digits, slash, ...)
    replaced by the ASCII they stand for."""
    return text.translate(_FULL_WIDTH)


def normalize_username(raw: str) -> str | None:
    """``name``, ``@name``, an instagram.com link or Slack's ``<url|label>`` -> ``name``; None if invalid.

    A total function: anchored ASCII patterns only, so no input raises.
    """
    text = fold_width(raw).strip()
    link = _SLACK_LINK_RE.fullmatch(text)
    if link:
        text = link.group(1)
    profile = _PROFILE_URL_RE.fullmatch(text)
    if profile:
        return profile.group("name").lower()
    if link or "/" in text or text.lower().startswith(_PROFILE_HOST_PREFIXES):
        return None
    name = text.removeprefix("@")
    if name.lower().startswith(_PROFILE_HOST_PREFIXES):  # ``@instagram.com`` is no more a name than without @
        return None
    return name.lower() if USERNAME_RE.fullmatch(name) else None


def parse_count(word: str) -> int | None:
    """A count of posts from 1 to `MAX_COUNT` (one or two ASCII digits), else None."""
    if len(word) <= 2 and word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_COUNT:
        return int(word)
    return None
