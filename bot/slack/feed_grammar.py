"""The channel-feed part of the `/ig` grammar: ``subscribe``/``unsubscribe <target>``, ``subscriptions``.

A pure, total function like the rest of `bot.slack.intents` (which calls it): any text gives a target
or a usage line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_RADIUS_M = 5000
DEFAULT_RADIUS_M = 1000
_NEAR_RE = re.compile(
    r"(?P<lat>[+-]?\d{1,2}(?:\.\d{1,7})?)\s*,\s*(?P<lng>[+-]?\d{1,3}(?:\.\d{1,7})?)(?:\s+(?P<radius>\d{1,5})\s*m?)?",
    re.ASCII,
)
_TAG_RE = re.compile(r"#(\w{1,100})")
_PLACE_RE = re.compile(r"[^\s<>|*`~][^<>|*`~]{0,99}")
USAGE = (
    "Type `/ig subscribe me`, `/ig subscribe @name`, `/ig subscribe #tag`, `/ig subscribe place <name>` or "
    f"`/ig subscribe near <lat>,<lng> [radius in m, up to {MAX_RADIUS_M}]`."
)

PLACE_USAGE = (
    "Which place? Type `/ig subscribe place <name>`, for example `/ig subscribe place Dolores Park`."
)
NEAR_USAGE = (
    "Type `/ig subscribe near <lat>,<lng> [radius]`, for example `/ig subscribe near 40.78,-73.96 500`."
)


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


@dataclass(frozen=True)
class Subscribe:
    """Bring new posts of ``target`` into this channel."""

    target: FeedTarget


@dataclass(frozen=True)
class Unsubscribe:
    """Stop this channel's feed of ``target``."""

    target: FeedTarget


@dataclass(frozen=True)
class Subscriptions:
    """List this channel's feeds."""


def parse_target(args: list[str], username: Callable[[str], str | None]) -> FeedTarget | str:
    """The target in ``args``, or the usage line to answer. ``username`` normalizes an account name."""
    if not args:
        return "What should this channel follow? " + USAGE
    first = args[0].lower()
    rest = " ".join(args[1:]).strip()
    if first == "me" and len(args) == 1:
        return FeedTarget("me")
    if first == "place":
        place = " ".join(rest.split())
        if not _PLACE_RE.fullmatch(place):
            return PLACE_USAGE
        return FeedTarget("place", place)
    if first == "near":
        return _near(rest)
    if len(args) != 1:
        return "One target at a time. " + USAGE
    tag = _TAG_RE.fullmatch(args[0])
    if tag:
        return FeedTarget("tag", tag.group(1).lower())
    name = username(args[0])
    if name is None:
        return "That doesn't look like an Instagram username, hashtag or place. " + USAGE
    return FeedTarget("user", name)


def _near(text: str) -> FeedTarget | str:
    found = _NEAR_RE.fullmatch(text)
    if not found:
        return NEAR_USAGE
    lat, lng = float(found["lat"]), float(found["lng"])
    radius = int(found["radius"] or DEFAULT_RADIUS_M)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return "Latitude goes from -90 to 90 and longitude from -180 to 180."
    if not 1 <= radius <= MAX_RADIUS_M:
        return f"The radius goes from 1 to {MAX_RADIUS_M} m."
    return FeedTarget("near", f"{found['lat']},{found['lng']},{radius}")
