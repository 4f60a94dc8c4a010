"""The channel-feed part of the `/ig` grammar: ``subscribe``/``unsubscribe <target>``, ``subscriptions``.

A pure, total function over `bot.core.grammar` (`bot.features.feeds.command` calls it): any text gives
a target or a usage line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.grammar import DEFAULT_RADIUS_M, MAX_RADIUS_M, NEAR_RE, PLACE_RE, TAG_RE, FeedTarget

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
        if not PLACE_RE.fullmatch(place):
            return PLACE_USAGE
        return FeedTarget("place", place)
    if first == "near":
        return _near(rest)
    if len(args) != 1:
        return "One target at a time. " + USAGE
    tag = TAG_RE.fullmatch(args[0])
    if tag:
        return FeedTarget("tag", tag.group(1).lower())
    name = username(args[0])
    if name is None:
        return "That doesn't look like an Instagram username, hashtag or place. " + USAGE
    return FeedTarget("user", name)


def _near(text: str) -> FeedTarget | str:
    found = NEAR_RE.fullmatch(text)
    if not found:
        return NEAR_USAGE
    lat, lng = float(found["lat"]), float(found["lng"])
    radius = int(found["radius"] or DEFAULT_RADIUS_M)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return "Latitude goes from -90 to 90 and longitude from -180 to 180."
    if not 1 <= radius <= MAX_RADIUS_M:
        return f"The radius goes from 1 to {MAX_RADIUS_M} m."
    return FeedTarget("near", f"{found['lat']},{found['lng']},{radius}")
