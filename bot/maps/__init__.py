"""Static maps for `/ig map`: one PNG with numbered pins over map tiles (no Slack, Redis or Instagram here).

``render_map(pins, fetcher, attribution=...)`` draws; ``TileFetcher`` gets the tiles (budgeted, cached in
a ``TileCache`` such as ``MemoryTileCache``); ``project`` says where a coordinate lands on a map.
"""

from bot.maps.projection import TILE_SIZE, project, unproject
from bot.maps.render import (
    CLUSTER_RGB,
    MARKER_RGB,
    MAX_PINS,
    MAX_ZOOM,
    SINGLE_POINT_ZOOM,
    Pin,
    PlacedPin,
    RenderedMap,
    fit,
    label,
    render_map,
)
from bot.maps.tiles import (
    DEFAULT_TILE_URL,
    OSM_ATTRIBUTION,
    MemoryTileCache,
    TileCache,
    TileFetcher,
    TileSource,
    tile_key,
)

__all__ = [
    "CLUSTER_RGB",
    "DEFAULT_TILE_URL",
    "MARKER_RGB",
    "MAX_PINS",
    "MAX_ZOOM",
    "OSM_ATTRIBUTION",
    "SINGLE_POINT_ZOOM",
    "TILE_SIZE",
    "MemoryTileCache",
    "Pin",
    "PlacedPin",
    "RenderedMap",
    "TileCache",
    "TileFetcher",
    "TileSource",
    "fit",
    "label",
    "project",
    "render_map",
    "tile_key",
    "unproject",
]
