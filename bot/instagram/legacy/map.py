"""`/ig map` on API v1: posts near a point (``media/search``), at a place (``locations/search``, then the
recent media of the best matches) or of an account (its recent posts that carry a ``location``). Places and
points need only the app's client id; accounts need the user's token."""

from __future__ import annotations

import logging
import math
from typing import Any, Protocol
from urllib.parse import quote

from bot.instagram.errors import NotAllowed, NotFound
from bot.instagram.legacy import parsing as parse
from bot.instagram.models import Account, Credentials, GeoMedia, MapArea, loggable_id

log = logging.getLogger(__name__)

PLACES_READ = 3  # the best matches of a place name whose posts are read
UNKNOWN_PLACE = "Instagram knows no place by that name. Try another name, or `/ig map <lat>,<lng>`."


class _V1(Protocol):
    def _call(self, method: str, path: str, *, token: str | None, data: dict[str, str] | None = None,
              params: dict[str, str | int] | None = None) -> Any: ...  # fmt: skip

    def _search(self, token: str, username: str) -> Account: ...


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def geo_media(item: dict[str, Any]) -> GeoMedia | None:
    """A v1 media object with a usable ``location``; None without one (or without a picture)."""
    media = parse.media(item)
    location = _dict(item.get("location"))
    lat, lng = _coordinate(location.get("latitude"), 85.05), _coordinate(location.get("longitude"), 180)
    if media is None or lat is None or lng is None:
        return None
    name = location.get("name")
    return GeoMedia(media=media, lat=lat, lng=lng, place=name if isinstance(name, str) else "")


class LegacyMap:
    """The map half of `bot.instagram.legacy.LegacyInstagram` (mixed into it)."""

    def map_area(self: _V1, creds: Credentials | None, kind: str, value: str, count: int) -> MapArea:
        """Geotagged posts of ``kind``/``value`` (``near`` lat,lng,radius; ``place`` a name; ``user``;
        ``me``), at most ``count``. Raises NotFound for an unknown place or account. Of a place name's
        best matches, one whose posts Instagram will not show is skipped (one log line), the others read."""
        token = creds.token if creds is not None else None
        if kind == "near":
            lat, lng, radius = value.split(",")
            items = self._call(
                "GET", "/media/search", token=token,
                params={"lat": lat, "lng": lng, "distance": radius, "count": min(count * 2, 100)},
            )  # fmt: skip
            return MapArea(f"near {lat},{lng} ({radius} m)", _geo(items, count))
        if kind == "place":
            places = self._call("GET", "/locations/search", token=token, params={"q": value, "count": 10})
            found = [_dict(p) for p in places if _dict(p).get("id")] if isinstance(places, list) else []
            exact = [p for p in found if str(p.get("name", "")).lower() == value.lower()]
            best = (exact or found)[:PLACES_READ]
            if not best:
                raise NotFound(value, UNKNOWN_PLACE)
            media: list[GeoMedia] = []
            read: list[dict[str, Any]] = []
            for place in best:
                path = f"/locations/{quote(str(place['id']), safe='')}/media/recent"
                try:
                    items = self._call("GET", path, token=token, params={"count": count})
                except (NotFound, NotAllowed) as exc:  # this place alone (gone since the search): go on
                    log.info("map: skipped place %s, Instagram would not show its posts (%s)",
                             loggable_id(str(place["id"])), type(exc).__name__)  # fmt: skip
                    continue
                read.append(place)
                media.extend(_geo(items, count))
            unique = {m.media.id: m for m in media}
            newest = sorted(unique.values(), key=lambda m: -m.media.posted_at)[:count]
            named = (read or best)[0].get("name") or value
            return MapArea(f"“{named}”", tuple(newest))
        if creds is None:
            raise ValueError("an account's map needs a linked user's token")
        if kind == "me":
            items = self._call("GET", "/users/self/media/recent", token=creds.token, params={"count": 33})
            return MapArea("your posts", _geo(items, count))
        account = self._search(creds.token, value)
        path = f"/users/{quote(account.id, safe='')}/media/recent"
        items = self._call("GET", path, token=creds.token, params={"count": 33})
        return MapArea(f"@{account.username}", _geo(items, count))


def _geo(items: object, count: int) -> tuple[GeoMedia, ...]:
    found = [geo_media(_dict(i)) for i in items] if isinstance(items, list) else []
    return tuple(m for m in found if m is not None)[:count]
