"""The `/ig map` part of the `/ig` grammar: ``map <place>``, ``map <lat>,<lng> [radius]``, ``map @name``,
``map me``. A pure, total function over `bot.core.grammar` (`bot.features.maps.command` calls it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.grammar import DEFAULT_RADIUS_M, MAX_RADIUS_M, NEAR_RE, PLACE_RE, FeedTarget

MAX_MAP_LATITUDE = 85.05  # Web Mercator ends here: a map cannot show the poles
USAGE = (
    "Type `/ig map <place>`, `/ig map <lat>,<lng> [radius in m, up to "
    f"{MAX_RADIUS_M}]`, `/ig map @name` or `/ig map me`, for example `/ig map 37.77,-122.42 2000`."
)

OUT_OF_RANGE = (
    f"On a map, latitude goes from -{MAX_MAP_LATITUDE} to {MAX_MAP_LATITUDE} and longitude from -180 to 180."
)


@dataclass(frozen=True)
class MapOf:
    """Photos of ``target`` on a map (``kind`` ``place``, ``near``, ``user`` or ``me``, as in feeds)."""

    target: FeedTarget


def parse_map(
    args: list[str], username: Callable[[str], str | None], fold_width: Callable[[str], str]
) -> MapOf | str:
    """The map ``args`` ask for, or the usage line to answer (``fold_width`` maps full-width forms)."""
    if not args:
        return "What should igbot map? " + USAGE
    text = " ".join(args).strip()
    if text.lower() == "me":
        return MapOf(FeedTarget("me"))
    first = fold_width(args[0])
    if first.startswith("@") or "instagram.com" in first.lower():
        name = username(args[0]) if len(args) == 1 else None
        if name is None:
            return "That doesn't look like an Instagram username: use 1 to 30 letters, digits, `.` or `_`."
        return MapOf(FeedTarget("user", name))
    near = NEAR_RE.fullmatch(text)
    if near:
        lat, lng = float(near["lat"]), float(near["lng"])
        radius = int(near["radius"] or DEFAULT_RADIUS_M)
        if not (-MAX_MAP_LATITUDE <= lat <= MAX_MAP_LATITUDE and -180 <= lng <= 180):
            return OUT_OF_RANGE
        if not 1 <= radius <= MAX_RADIUS_M:
            return f"The radius goes from 1 to {MAX_RADIUS_M} m."
        return MapOf(FeedTarget("near", f"{near['lat']},{near['lng']},{radius}"))
    if any(c.isdigit() for c in args[0]) and "," in text:
        return "Coordinates look like `37.77,-122.42` (latitude, then longitude). " + USAGE
    place = " ".join(text.split())
    if not PLACE_RE.fullmatch(place):
        return USAGE
    return MapOf(FeedTarget("place", place))
