"""Graph-mode test controls under ``/__sandbox__/graph/`` (JSON in, JSON out; never logged or faulted).

- ``POST graph/tokens`` ``{"username", "scope"?, "long_lived"?}`` -> ``{"access_token", "token_type",
  "expires_in", "user": {"id", "name", "username"}}`` (a Facebook user's token, no dialog)
- ``POST graph/expire`` ``{"username"?, "access_token"?}`` -> ``{"expired": n}`` (then 190/463)
- ``POST graph/revoke`` ``{"username"?, "access_token"?, "subcode"?}`` -> ``{"revoked": n}`` (then 190/460,
  or the subcode given: 458, 467...)
- ``GET graph/accounts[?username=]`` -> Facebook users with their Pages and IG accounts, and every
  professional account
- ``GET graph/hashtags`` -> ``{"hashtags": [{"name", "id", "media_count"}]}``
- ``POST graph/pages`` ``{"username", "count", "position"?}`` -> ``{"added": [{"id", "name",
  "category"}], "facebook_user": {"id", "username", "name", "pages": [...]}}``: ``count`` (1..1000) more
  Pages without Instagram for the Facebook user, listed ``"before"`` (default) or ``"after"`` their
  existing ones in ``me/accounts`` (``{"username": "bob", "count": 29}`` puts ``bobs_bakery`` on the
  30th Page, on the second answer page).  Until ``POST /__sandbox__/reset``.
- ``POST graph/hashtag_searches`` ``{"account", "hashtag"? | "hashtags"?, "seconds_ago"?}`` -> the
  listing below, with ``"recorded": [tags]``: hashtag searches the IG account (username or id) made
  outside igbot (in another app), ``seconds_ago`` (0 <= s < 604800) ago.  They count against the
  account's 30-per-7-days quota and show in ``recently_searched_hashtags`` like igbot's own; a tag
  already counted keeps its first time.  404 for an unknown account or a tag without public media
  (see ``graph/hashtags``), 409 (with what was recorded before) once the quota is full.
- ``GET graph/hashtag_searches?account=`` -> ``{"account": {"id", "username"}, "hashtags": [{"name",
  "id", "searched_at"}], "count", "limit"}`` (newest first; ``searched_at`` in sandbox-clock seconds)

- ``POST graph/media`` ``{"account", "caption"?, "hashtags"?: [...], "media_type"?}`` -> the new post
  as ``/{ig-media-id}`` renders it (``id``, ``caption``, ``media_type``, ``media_url``, ``permalink``,
  ``timestamp``, ``username``, ``like_count``, ``comments_count``) plus ``"hashtags": [{"name",
  "id"}]``: a post of the professional account (username or id), newest of its ``media``, of
  Business Discovery's ``media`` and of ``recent_media`` for each hashtag (`graph.posts`).  404 for
  an unknown account, 400 for a bad field.  Until ``POST /__sandbox__/reset``.

``POST /__sandbox__/revoke`` (see `controls`) revokes graph tokens too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from bot.sandboxes.instagram.controls import PREFIX
from bot.sandboxes.instagram.graph.fields import parse_fields
from bot.sandboxes.instagram.graph.limits import WEEK
from bot.sandboxes.instagram.graph.posts import build_graph_media, graph_post_from_json
from bot.sandboxes.instagram.graph.render import Renderer
from bot.sandboxes.instagram.graph.tokens import DEFAULT_GRAPH_SCOPE
from bot.sandboxes.instagram.graph.world import GraphMedia, ProAccount
from bot.sandboxes.instagram.legacy.envelope import json_response
from bot.sandboxes.instagram.state import SandboxState


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else dict(request.form.items())


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None or value == "" else str(value)


def world_listing(state: SandboxState, username: str | None = None) -> dict[str, Any]:
    """Facebook users (all, or the one named) with their Pages, plus every professional account.

    Raises:
        ValueError: unknown Facebook user.
    """
    world = state.graph_mode.world
    users = [state.graph_mode.fb_user_named(username)] if username else world.fb_users
    listing = []
    for user in users:
        pages = [
            {
                "id": p.id,
                "name": p.name,
                "instagram_business_account": (
                    {"id": p.ig_account_id, "username": account.username}
                    if (account := world.account_by_id(p.ig_account_id or ""))
                    else None
                ),
            }
            for p in world.pages_of(user.id)
        ]
        listing.append({"id": user.id, "username": user.username, "name": user.name, "pages": pages})
    accounts = [
        {"id": a.id, "username": a.username, "name": a.name, "account_type": a.account_type}
        for a in world.professional_accounts()
    ]
    return {"facebook_users": listing, "professional_accounts": accounts}


def _tokens(state: SandboxState, body: dict[str, Any]) -> Response:
    mode = state.graph_mode
    username = str(body.get("username", ""))
    try:
        token, record = mode.issue_token(
            username,
            state.config.client_id,
            str(body.get("scope") or DEFAULT_GRAPH_SCOPE),
            long_lived=bool(body.get("long_lived", True)),
        )
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    user = mode.fb_user_named(username)
    return json_response(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": record.expires_in,
            "user": {"id": user.id, "name": user.name, "username": user.username},
        }
    )


def _revoke(state: SandboxState, body: dict[str, Any]) -> Response:
    try:
        subcode = int(body.get("subcode", 460))
    except (TypeError, ValueError):
        return json_response({"error": "subcode must be an integer"}, 400)
    count = state.graph_mode.revoke(_text(body, "username"), _text(body, "access_token"), subcode)
    return json_response({"revoked": count})


def _accounts(state: SandboxState) -> Response:
    try:
        return json_response(world_listing(state, request.args.get("username") or None))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)


def _hashtags(state: SandboxState) -> Response:
    world = state.graph_mode.world
    listing = [
        {"name": t, "id": world.hashtag_ids[t], "media_count": len(world.top_media(t))}
        for t in world.hashtags()
    ]
    return json_response({"hashtags": listing})


def _add_pages(state: SandboxState, body: dict[str, Any]) -> Response:
    username = str(body.get("username", ""))
    try:
        count = int(body.get("count", 0))
        added = state.graph_mode.add_pages(username, count, str(body.get("position") or "before"))
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    (listing,) = world_listing(state, username)["facebook_users"]
    return json_response(
        {
            "added": [{"id": p.id, "name": p.name, "category": p.category} for p in added],
            "facebook_user": listing,
        }
    )


def professional_account(state: SandboxState, name_or_id: str) -> ProAccount:
    """A professional account by username (``@`` and case ignored) or id.

    Raises:
        ValueError: no such account.
    """
    world = state.graph_mode.world
    account = world.account_by_username(name_or_id) or world.account_by_id(name_or_id)
    if account is None:
        raise ValueError(f"no professional account {name_or_id!r}")
    return account


def searches_listing(state: SandboxState, account: ProAccount) -> dict[str, Any]:
    """The hashtags counting against an account's quota now, newest first."""
    mode = state.graph_mode
    searches = mode.hashtags.searches(account.id)
    return {
        "account": {"id": account.id, "username": account.username},
        "hashtags": [{"name": t, "id": mode.world.hashtag_id(t), "searched_at": at} for t, at in searches],
        "count": len(searches),
        "limit": mode.hashtags.limit,
    }


def _record_searches(state: SandboxState, body: dict[str, Any]) -> Response:
    mode = state.graph_mode
    raw = body.get("hashtags", [body["hashtag"]] if "hashtag" in body else [])
    try:
        account = professional_account(state, str(body.get("account", "")))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)
    try:
        seconds_ago = float(body.get("seconds_ago", 0))
    except (TypeError, ValueError):
        return json_response({"error": "seconds_ago must be a number"}, 400)
    if not 0 <= seconds_ago < WEEK:
        return json_response({"error": f"seconds_ago must be 0 <= s < {int(WEEK)}"}, 400)
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
        return json_response({"error": "give hashtag (a string) or hashtags (a list of strings)"}, 400)
    tags = [t.strip().lstrip("#").lower() for t in raw]
    unknown = [t for t in tags if mode.world.hashtag_id(t) is None]
    if unknown:
        return json_response({"error": f"no public media for {unknown} (see GET graph/hashtags)"}, 404)
    recorded: list[str] = []
    for tag in tags:
        if not mode.hashtags.search(account.id, tag, seconds_ago):
            listing = searches_listing(state, account)
            error = f"{account.username} has searched {mode.hashtags.limit} hashtags in 7 days"
            return json_response({"error": error, "recorded": recorded, **listing}, 409)
        recorded.append(tag)
    return json_response({"recorded": recorded, **searches_listing(state, account)})


def _searches(state: SandboxState) -> Response:
    try:
        account = professional_account(state, request.args.get("account", ""))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)
    return json_response(searches_listing(state, account))


POST_FIELDS = "id,caption,media_type,media_url,permalink,timestamp,username,like_count,comments_count"


def add_post(state: SandboxState, body: dict[str, Any]) -> GraphMedia:
    """Add a post to a professional account from the control's body.

    Raises:
        LookupError: unknown account.
        ValueError: a bad field.
    """
    mode = state.graph_mode
    post = graph_post_from_json(body)
    account = mode.professional_account(post.account)
    return mode.add_media(lambda world: build_graph_media(world, account, post, mode.clock()))


def _add_media(state: SandboxState, body: dict[str, Any]) -> Response:
    try:
        item = add_post(state, body)
    except LookupError as exc:
        return json_response({"error": str(exc.args[0])}, 404)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    world = state.graph_mode.world
    out = Renderer(request.host_url.rstrip("/"), world).media(item, parse_fields(POST_FIELDS))
    out["hashtags"] = [{"name": t, "id": world.hashtag_id(t)} for t in item.tags]
    return json_response(out)


def register(app: Flask, state: SandboxState) -> None:
    """Add the graph control routes to ``app`` (one rule: rules cost start-up time)."""

    @app.route(f"{PREFIX}/graph/<action>", methods=["GET", "POST"])
    def graph_control(action: str) -> Response:
        if request.method == "GET" and action == "accounts":
            return _accounts(state)
        if request.method == "GET" and action == "hashtags":
            return _hashtags(state)
        if action == "hashtag_searches":
            return _searches(state) if request.method == "GET" else _record_searches(state, _body())
        if request.method == "POST" and action == "media":
            return _add_media(state, _body())
        if request.method == "POST" and action == "pages":
            return _add_pages(state, _body())
        if request.method == "POST" and action == "tokens":
            return _tokens(state, _body())
        if request.method == "POST" and action == "expire":
            body = _body()
            count = state.graph_mode.expire(_text(body, "username"), _text(body, "access_token"))
            return json_response({"expired": count})
        if request.method == "POST" and action == "revoke":
            return _revoke(state, _body())
        return json_response({"error": f"no control {request.method} graph/{action}"}, 404)
