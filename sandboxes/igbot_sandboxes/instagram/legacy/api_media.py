"""/v1 media, location and tag routes: popular, search, single media (by id or shortcode), locations,
tag media."""

from __future__ import annotations

from flask import Flask, Response, request

from igbot_sandboxes.instagram.legacy import render
from igbot_sandboxes.instagram.legacy.api_users import base_url
from igbot_sandboxes.instagram.legacy.auth import Caller, authenticate, require_scope
from igbot_sandboxes.instagram.legacy.envelope import APIError, ok
from igbot_sandboxes.instagram.legacy.geo import distance_m, parse_point
from igbot_sandboxes.instagram.legacy.paging import filter_media, paginate, parse_count
from igbot_sandboxes.instagram.legacy.world import Media, World
from igbot_sandboxes.instagram.state import SandboxState


def near(world: World, item: Media, lat: float, lng: float, radius: float) -> bool:
    """True when the media was taken within ``radius`` metres of the point."""
    point = world.point_of(item)
    return point is not None and distance_m(lat, lng, point[0], point[1]) <= radius


def visible_media(state: SandboxState, caller: Caller, media_id: str) -> Media:
    """The media ``media_id`` if ``caller`` may see it (another user's needs ``public_content``, a private
    account's a follow), else v1's error."""
    return _visible_item(state, caller, state.world.media_by_id(media_id))


def _visible_item(state: SandboxState, caller: Caller, item: Media | None) -> Media:
    """``item`` if it exists and ``caller`` may see it (see `visible_media`), else v1's error."""
    if item is None:
        raise APIError("APINotFoundError", "invalid media id")
    if caller.user_id != item.owner_id:
        require_scope(caller, "public_content")
    if not state.graph.can_view(caller.user_id, item.owner_id):
        raise APIError("APINotAllowedError", "you cannot view this resource")
    return item


def _visible(state: SandboxState, caller: Caller, items: list[Media]) -> list[Media]:
    return [m for m in items if state.graph.can_view(caller.user_id, m.owner_id)]


def _render(state: SandboxState, caller: Caller, items: list[Media]) -> list[dict[str, object]]:
    return [render.media(base_url(), state.world, m, caller.user_id) for m in items]


def register(app: Flask, state: SandboxState) -> None:
    """Add the media, location and tag routes to ``app``."""

    @app.get("/v1/media/popular")
    def media_popular() -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        public = [m for m in state.world.media if state.graph.can_view(None, m.owner_id)]
        ranked = sorted(public, key=lambda m: (-m.likes_count, -m.pk))
        return ok(_render(state, caller, ranked[: parse_count(request.args, 20, 50)]))

    @app.get("/v1/media/search")
    def media_search() -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        require_scope(caller, "public_content")
        point = parse_point(request.args, required=False)
        world = state.world
        items = [m for m in _visible(state, caller, world.media) if world.point_of(m) is not None]
        if point is not None:
            lat, lng, radius = point
            items = [m for m in items if near(world, m, lat, lng, radius)]
        items = filter_media(items, request.args)
        return ok(_render(state, caller, items[: parse_count(request.args, 20, 100)]))

    @app.get("/v1/media/shortcode/<shortcode>")
    def media_by_shortcode(shortcode: str) -> Response:
        # v1: "the same response as GET /media/{media-id}", found by the code of the post's link
        # (``…/p/{shortcode}/``); a client id is enough for a public account's post.
        caller = authenticate(state, request.args, allow_client_id=True)
        item = _visible_item(state, caller, state.world.media_by_shortcode(shortcode))
        return ok(_render(state, caller, [item])[0])

    @app.get("/v1/media/<media_id>")
    def media_item(media_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        return ok(_render(state, caller, [visible_media(state, caller, media_id)])[0])

    @app.get("/v1/locations/search")
    def location_search() -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        require_scope(caller, "public_content")
        if "lat" not in request.args and any(
            k in request.args for k in ("foursquare_id", "foursquare_v2_id", "facebook_places_id")
        ):
            return ok([])  # the sandbox has no foursquare/facebook place ids
        query = request.args.get("q", "").strip().lower()
        if query and "lat" not in request.args and "lng" not in request.args:
            # python-instagram's location_search sends `q` (client.py accepts it next to lat/lng): by name
            named = [loc for loc in state.world.locations if query in loc.name.lower()]
            named.sort(key=lambda loc: (loc.name.lower() != query, loc.name))
            return ok([render.location(loc) for loc in named][: parse_count(request.args, 20, 100)])
        point = parse_point(request.args, required=True)
        assert point is not None
        lat, lng, radius = point
        found = sorted(
            (distance_m(lat, lng, loc.latitude, loc.longitude), loc.id, loc) for loc in state.world.locations
        )
        limit = parse_count(request.args, 20, 100)
        return ok([render.location(loc) for dist, _, loc in found if dist <= radius][:limit])

    @app.get("/v1/locations/<location_id>")
    def location_item(location_id: str) -> Response:
        authenticate(state, request.args, allow_client_id=True)
        loc = state.world.location_by_id(location_id)
        if loc is None:
            raise APIError("APINotFoundError", "invalid location id")
        return ok(render.location(loc))

    def tagged(caller: Caller, tag: str) -> list[Media]:
        name = tag.lower().lstrip("#")
        return [m for m in _visible(state, caller, state.world.media) if name in m.tags]

    @app.get("/v1/tags/<tag>")
    def tag_info(tag: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        require_scope(caller, "public_content")
        return ok({"name": tag.lower().lstrip("#"), "media_count": len(tagged(caller, tag))})

    @app.get("/v1/tags/<tag>/media/recent")
    def tag_recent_media(tag: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        require_scope(caller, "public_content")
        page, pagination = paginate(
            tagged(caller, tag),
            request.args,
            request.base_url,
            max_key="max_tag_id",
            min_key="min_tag_id",
            cursor_keys=("next_max_tag_id", "next_max_id"),
        )
        return ok(_render(state, caller, page), pagination)
