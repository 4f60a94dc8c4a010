"""/v1 user routes: profiles, search, relationships, a user's recent media and the own feed."""

from __future__ import annotations

from flask import Flask, Response, request

from igbot_sandboxes.instagram.legacy import render
from igbot_sandboxes.instagram.legacy.auth import (
    authenticate,
    require_public_content_for_others,
    require_scope,
    resolve_user,
)
from igbot_sandboxes.instagram.legacy.envelope import APIError, ok
from igbot_sandboxes.instagram.legacy.paging import paginate, parse_count
from igbot_sandboxes.instagram.legacy.relationships import ACTIONS
from igbot_sandboxes.instagram.legacy.world import User
from igbot_sandboxes.instagram.state import SandboxState

ACTION_HELP = "please supply action=approve,ignore,follow,block,unblock,unfollow"


def base_url() -> str:
    """The sandbox's URL as this request reached it, without a trailing slash."""
    return request.host_url.rstrip("/")


def full_user(state: SandboxState, user: User) -> dict[str, object]:
    """``/users/{id}`` rendering with live counts."""
    return render.user_full(
        base_url(),
        user,
        media=len(state.world.media_of(user.id)),
        follows=len(state.graph.following(user.id)),
        followed_by=len(state.graph.followers(user.id)),
    )


def search_users(state: SandboxState, query: str) -> list[User]:
    """Users whose username or full name contains ``query``: exact username, then prefixes, then the rest."""
    q = query.lower().lstrip("@")

    def rank(user: User) -> tuple[int, str]:
        name, full = user.username.lower(), user.full_name.lower()
        if name == q:
            return (0, name)
        if name.startswith(q):
            return (1, name)
        if full.startswith(q) or any(part.startswith(q) for part in full.split()):
            return (2, name)
        return (3, name)

    found = [u for u in state.world.users if q in u.username.lower() or q in u.full_name.lower()]
    return sorted(found, key=rank)


def register(app: Flask, state: SandboxState) -> None:
    """Add the user routes to ``app``."""

    @app.get("/v1/users/<user_id>")
    def get_user(user_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        user = resolve_user(state, caller, user_id)
        require_public_content_for_others(caller, user)
        return ok(full_user(state, user))

    @app.get("/v1/users/search")
    def user_search() -> Response:
        caller = authenticate(state, request.args, allow_client_id=False)
        require_scope(caller, "public_content")
        query = request.args.get("q", "").strip()
        if not query:
            raise APIError("APIInvalidParametersError", "missing q")
        count = parse_count(request.args, 50, 100)
        return ok([render.user_short(base_url(), u) for u in search_users(state, query)[:count]])

    @app.route("/v1/users/<user_id>/relationship", methods=["GET", "POST"])
    def user_relationship(user_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=False)
        assert caller.user_id is not None
        if request.method == "GET":
            if "action" in request.args:
                raise APIError("APIInvalidParametersError", ACTION_HELP)
            require_scope(caller, "relationships", "follower_list")
            target = resolve_user(state, caller, user_id)
            return ok(render.relationship(state.graph.relationship(caller.user_id, target.id)))
        require_scope(caller, "relationships")
        target = resolve_user(state, caller, user_id)
        action = request.form.get("action", "")
        if action not in ACTIONS:
            raise APIError("APIInvalidParametersError", ACTION_HELP)
        if target.id == caller.user_id and action in ("follow", "block"):
            raise APIError("APIInvalidParametersError", f"you cannot {action} yourself")
        return ok(render.relationship(state.graph.apply(caller.user_id, target.id, action)))

    @app.get("/v1/users/<user_id>/media/recent")
    def user_recent_media(user_id: str) -> Response:
        caller = authenticate(state, request.args, allow_client_id=True)
        user = resolve_user(state, caller, user_id)
        require_public_content_for_others(caller, user)
        if not state.graph.can_view(caller.user_id, user.id):
            raise APIError("APINotAllowedError", "you cannot view this resource")
        page, pagination = paginate(state.world.media_of(user.id), request.args, request.base_url)
        return ok([render.media(base_url(), state.world, m, caller.user_id) for m in page], pagination)

    @app.get("/v1/users/self/feed")
    def user_media_feed() -> Response:
        caller = authenticate(state, request.args, allow_client_id=False)
        assert caller.user_id is not None
        authors = {caller.user_id, *state.graph.following(caller.user_id)}
        items = [m for m in state.world.media if m.owner_id in authors]
        page, pagination = paginate(items, request.args, request.base_url)
        return ok([render.media(base_url(), state.world, m, caller.user_id) for m in page], pagination)
