"""Points and distances for the v1 location endpoints, media search and geography subscriptions.

``distance`` (media and location search) defaults to 1000 m and is capped at 5000 m ("Default is 1km
(distance=1000), max distance is 5km", the v1 endpoint docs as copied into several SDKs); a geography
subscription's ``radius`` has the same default and maximum (InstaSharp's ``CreateGeography``: "radius
must be greater than 0 and less tha 5000").
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from igbot_sandboxes.instagram.legacy.envelope import APIError

DEFAULT_DISTANCE = 1000.0
MAX_DISTANCE = 5000.0
EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def valid_point(lat: float, lng: float) -> bool:
    """True for a real latitude/longitude pair (finite, in range)."""
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


def parse_point(args: Mapping[str, str], required: bool) -> tuple[float, float, float] | None:
    """``(lat, lng, distance)`` from the query; lat and lng come together or not at all.

    Raises:
        APIError: only one of lat/lng, unparsable numbers, or none when ``required``.
    """
    has_lat, has_lng = bool(args.get("lat")), bool(args.get("lng"))
    if has_lat != has_lng or (required and not has_lat):
        raise APIError("APIInvalidParametersError", "lat and lng must be given together")
    if not has_lat:
        return None
    try:
        lat, lng = float(args["lat"]), float(args["lng"])
        distance = float(args.get("distance") or DEFAULT_DISTANCE)
    except ValueError:
        raise APIError("APIInvalidParametersError", "invalid lat, lng or distance") from None
    if not valid_point(lat, lng) or not distance > 0:
        raise APIError("APIInvalidParametersError", "invalid lat, lng or distance")
    return lat, lng, min(distance, MAX_DISTANCE)
