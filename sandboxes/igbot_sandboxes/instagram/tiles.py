"""Map tiles for offline maps: ``GET /tiles/<z>/<x>/<y>.png``, as a ``{z}/{x}/{y}`` tile server.

Machines running the sandbox are offline, so `/ig map` (py-staticmaps) fetches its tiles here.  Tiles
are 256x256 PNGs drawn on demand by `tile_render` (coarse land and water, a graticule, the tile's
``z/x/y`` in a corner) and kept in a bounded in-memory LRU cache.  Like a tile server:

- zoom 0..19 and x, y within 0..2^z-1, ``.png`` only; anything else under ``/tiles/`` is a 404;
- ``Cache-Control: public, max-age=86400`` and a strong ``ETag``; ``If-None-Match`` answers 304;
- OpenStreetMap's tile usage policy (operations.osmfoundation.org/policies/tiles) wants a real,
  identifying User-Agent: a request without one, or with a library default (``python-requests/*``,
  ``Python-urllib/*``, ``python-urllib3/*``, ...), answers 403 with a short text.  py-staticmaps' own default
  (``Mozilla/5.0+(compatible; staticmaps/0.5.0; https://github.com/flopp/py-staticmaps)``) is fine.

Every request under ``/tiles/`` is recorded (``path``, ``user_agent``, ``status``, ``time``) in
``SandboxState.tile_log`` (`InstagramSandbox.tile_requests`, ``GET /__sandbox__/tiles``); `reset`
clears it.  Tile requests also go through the ordinary gate: they are in the request log and
injected faults with ``path_prefix="/tiles/"`` hit them (`app.fault_response`).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import Flask, Response, abort, g, request

from igbot_sandboxes.instagram import tile_render
from igbot_sandboxes.instagram.legacy.envelope import json_response

if TYPE_CHECKING:
    from igbot_sandboxes.instagram.state import SandboxState

PREFIX = "/tiles/"
PATH_TEMPLATE = "/tiles/{z}/{x}/{y}.png"
TILE_ATTRIBUTION = "Sandbox tiles, generated offline"
CACHE_CONTROL = "public, max-age=86400"
CACHE_TILES = 512  # rendered tiles kept in memory (a few KB each)
MAX_ZOOM = tile_render.MAX_ZOOM
TILE_SIZE = tile_render.TILE_SIZE
# User-Agents OpenStreetMap refuses: none at all, or an HTTP library's default (compared lowercased).
REFUSED_USER_AGENT_PREFIXES = (
    "python-requests/",
    "python-urllib/",
    "python-urllib3/",
    "python-httpx/",
    "aiohttp/",
    "go-http-client/",
    "java/",
    "okhttp/",
    "libwww-perl/",
)
REFUSAL = (
    "403 Forbidden: tile requests need a User-Agent that identifies the application "
    "(OpenStreetMap tile usage policy: https://operations.osmfoundation.org/policies/tiles/).\n"
)


def tile_url_template(base_url: str) -> str:
    """The ``{z}/{x}/{y}`` URL template of the tiles served under ``base_url`` (no trailing slash)."""
    return base_url.rstrip("/") + PATH_TEMPLATE


def refused_user_agent(user_agent: str | None) -> bool:
    """True when a tile request's User-Agent is missing, blank or a generic library default."""
    agent = (user_agent or "").strip().lower()
    return not agent or agent.startswith(REFUSED_USER_AGENT_PREFIXES)


@lru_cache(maxsize=CACHE_TILES)
def tile(z: int, x: int, y: int) -> tuple[bytes, str]:
    """``(png bytes, etag)`` of a tile, rendered once and then served from a bounded LRU cache.

    Raises:
        ValueError: not a valid tile (`tile_render.valid_tile`).
    """
    png = tile_render.render_tile(z, x, y)
    return png, hashlib.sha256(png).hexdigest()[:24]


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/tiles/<z>/<x>/<y>.png``, the tile request log and ``GET /__sandbox__/tiles`` to ``app``.

    Call before the gate is installed, so a tile request is recorded even when a fault answers it.
    """

    @app.before_request
    def record_tile_request() -> None:
        if request.path.startswith(PREFIX):
            g.tile_entry = {
                "time": state.clock(),
                "path": request.path,
                "user_agent": request.headers.get("User-Agent"),
                "status": None,
            }
            state.tile_log.add(g.tile_entry)

    @app.after_request
    def finish_tile_request(response: Response) -> Response:
        entry = g.get("tile_entry")
        if entry is not None:
            state.tile_log.finish(entry, response.status_code)
        return response

    @app.get("/tiles/<int:z>/<int:x>/<int:y>.png")
    def map_tile(z: int, x: int, y: int) -> Response:
        if refused_user_agent(request.headers.get("User-Agent")):
            return Response(REFUSAL, status=403, mimetype="text/plain")
        if not tile_render.valid_tile(z, x, y):
            abort(404)
        png, etag = tile(z, x, y)
        headers = {"Cache-Control": CACHE_CONTROL}
        if request.if_none_match.contains_weak(etag):
            response = Response(status=304, headers=headers)
        else:
            response = Response(png, mimetype="image/png", headers=headers)
        response.set_etag(etag)
        return response

    @app.get("/__sandbox__/tiles")
    def tile_info() -> Response:
        return json_response(
            {
                "url_template": tile_url_template(request.host_url),
                "attribution": TILE_ATTRIBUTION,
                "max_zoom": MAX_ZOOM,
                "tile_size": TILE_SIZE,
                "requests": state.tile_log.entries(),
            }
        )
