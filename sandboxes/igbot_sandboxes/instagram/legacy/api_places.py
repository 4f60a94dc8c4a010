"""/v1 media of a place: ``/locations/{id}/media/recent`` and ``/geographies/{geo-id}/media/recent``.

Both as python-instagram calls them (`client.py`: ``location_recent_media`` and
``geography_recent_media``, parameters ``count`` and ``max_id``, both paginated) with the keys of its
``location_recent_media.json`` / ``geography_recent_media.json`` fixtures: newest first, ``pagination``
with ``next_url`` and ``next_max_id``.  The location docs also list ``min_id``, ``min_timestamp`` and
``max_timestamp`` (instagram.com/developer/endpoints/locations, as archived); all are honoured.

A geography exists only as long as the client's geography subscription that made it (the real-time
docs: "Get recent media from a geography subscription that you created"), and holds the public media
posted within its circle since it was made [assumed: the seeded, older media never entered it].  An
unknown or deleted geography id answers ``400 APINotFoundError "invalid geography id"`` [wording
unconfirmed].
"""

from __future__ import annotations

from flask import Flask, Response, request

from igbot_sandboxes.instagram.legacy import render
from igbot_sandboxes.instagram.legacy.api_users import base_url
from igbot_sandboxes.instagram.legacy.auth import Caller, authenticate, require_scope
from igbot_sandboxes.instagram.legacy.envelope import APIError, ok
from igbot_sandboxes.instagram.legacy.paging import paginate
from igbot_sandboxes.instagram.legacy.subscriptions import within
from igbot_sandboxes.instagram.legacy.world import Media
from igbot_sandboxes.instagram.state import SandboxState

DEFAULT_COUNT, MAX_COUNT = 20, 33


def _page(state: SandboxState, caller: Caller, items: list[Media]) -> Response:
    page, pagination = paginate(
        items, request.args, request.base_url, default_count=DEFAULT_COUNT, max_count=MAX_COUNT
    )
    return ok([render.media(base_url(), state.world, m, caller.user_id) for m in page], pagination)


def register(app: Flask, state: SandboxState) -> None:
    """Add the location and geography media routes to ``app``."""

    @app.get("/v1/locations/<location_id>/media/recent")
    def location_recent_media(location_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        require_scope(caller, "public_content")
        world = state.world
        if world.location_by_id(location_id) is None:
            raise APIError("APINotFoundError", "invalid location id")
        items = [
            m
            for m in world.media
            if m.location_id == location_id and state.graph.can_view(caller.user_id, m.owner_id)
        ]
        return _page(state, caller, items)

    @app.get("/v1/geographies/<geography_id>/media/recent")
    def geography_recent_media(geography_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        geography = state.subscriptions.geography(geography_id)
        if geography is None or caller.client_id != state.config.client_id:
            raise APIError("APINotFoundError", "invalid geography id")
        world = state.world
        items = [
            m
            for m in world.media
            if m.created_time >= int(geography.created_at)
            and state.graph.can_view(None, m.owner_id)
            and within(geography, world.point_of(m))
        ]
        return _page(state, caller, items)
