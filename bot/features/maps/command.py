"""`/ig map <place | lat,lng [radius] | @name | me>`: one picture of where the photos were taken, with
numbered pins, and under it the photos with the same numbers, in the channel for everyone.

Runs in a worker: Instagram is read (places and points with the app's client id, accounts with the
user's token), the tiles are fetched within a time budget (`bot.maps.TileFetcher`, cached per process),
the PNG is kept in Redis for 7 days (`bot.storage.maps`) and Slack loads it from
``PUBLIC_URL/maps/<id>.png``.
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, Usage
from bot.core.grammar import fold_width, normalize_username
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.maps import blocks as map_blocks
from bot.features.maps.grammar import MapOf, parse_map
from bot.instagram.errors import NotFound
from bot.instagram.models import Capability, Credentials
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply

if TYPE_CHECKING:  # the renderer (Pillow, py-staticmaps) loads only in the workers that draw maps
    from bot.maps import TileFetcher

MAX_PINS = 10  # photos on one map and in its gallery (2 blocks each, under Slack's 50)
NO_MAP = (
    "Today's Instagram API has no location search, and its posts carry no location, so igbot can't draw "
    "a map here. `/ig recent` shows your latest posts; `/ig popular #tag` the top posts for a hashtag."
)
NOTHING_THERE = "Instagram has no geotagged photos {label} right now. Try a bigger radius or another place."
_fetchers: dict[str, TileFetcher] = {}
_lock = threading.Lock()


def _fetcher(services: Services) -> TileFetcher:
    """This process's tile fetcher for the configured template (its cache is shared by every map)."""
    from bot.maps import MemoryTileCache, TileFetcher

    with _lock:
        found = _fetchers.get(services.map_tile_url)
        if found is None:
            agent = f"igbot/{_version()} (Slack app; +{services.public_url})"
            found = TileFetcher(services.map_tile_url, user_agent=agent, cache=MemoryTileCache())
            _fetchers[services.map_tile_url] = found
        return found


def _version() -> str:
    try:
        return metadata.version("igbot")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "dev"


def attribution(tile_url: str) -> str:
    """What the map must credit: OpenStreetMap's own wording for its tiles, else the tile host."""
    host = urlsplit(tile_url.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")).hostname or ""
    if host == "openstreetmap.org" or host.endswith(".openstreetmap.org"):
        from bot.maps import OSM_ATTRIBUTION

        return OSM_ATTRIBUTION
    return f"Map tiles: {host}"


def run_map(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Draw the map of ``intent.target`` and post it with its numbered photos."""
    assert isinstance(intent, MapOf)
    instagram = services.instagram
    if Capability.MAP not in instagram.capabilities:
        reply(replies.plain(NO_MAP))
        return
    target = intent.target
    creds: Credentials | None = None
    if target.kind in ("user", "me"):
        link = require_link(invocation, services, reply, "map")
        if link is None:
            return
        creds = link.creds
    else:
        link = services.links.get(invocation.team_id, invocation.user_id)
        creds = link.creds if link is not None else None
    try:
        area = instagram.map_area(creds, target.kind, target.value, MAX_PINS)
    except NotFound as missing:
        if target.kind == "place":
            reply(replies.plain(missing.hint or "Instagram knows no place by that name."))
            return
        raise
    if not area.media:
        reply(replies.plain(NOTHING_THERE.format(label=blocks.escape(area.label))))
        return
    from bot.maps import Pin, render_map

    pins = [Pin(number=i + 1, lat=m.lat, lng=m.lng) for i, m in enumerate(area.media)]
    drawn = render_map(pins, _fetcher(services), attribution=attribution(services.map_tile_url))
    map_id = services.maps.save(drawn.png)
    numbered = [(str(i + 1), m.media, m.place) for i, m in enumerate(area.media)]
    reply(
        map_blocks.map_message(
            label=area.label,
            map_url=f"{services.public_url}/maps/{map_id}.png",
            numbered=numbered,
            requester=invocation.user_id,
            missing_tiles=drawn.missing_tiles,
        )
    )


def parse(args: list[str]) -> MapOf | Usage:
    """``map <place> | <lat>,<lng> [radius] | @name | me``."""
    found = parse_map(args, normalize_username, fold_width)
    return Usage(found) if isinstance(found, str) else found


MAP = Subcommand(
    "map",
    parse,
    run_map,
    help=(
        HelpLine(
            "`/ig map <place> | <lat>,<lng> [m] | @name | me`",
            "photos on a map, posted in this channel",
            Capability.MAP,
        ),
    ),
)
