"""Graph-mode test controls under ``/__sandbox__/graph/`` (JSON in, JSON out; never logged or faulted).

- ``POST graph/tokens`` ``{"username", "scope"?, "long_lived"?}`` -> ``{"access_token", "token_type",
  "expires_in", "user": {"id", "name", "username"}}`` (a Facebook user's token, no dialog)
- ``POST graph/expire`` ``{"username"?, "access_token"?}`` -> ``{"expired": n}`` (then 190/463)
- ``POST graph/revoke`` ``{"username"?, "access_token"?, "subcode"?}`` -> ``{"revoked": n}`` (then 190/460,
  or the subcode given: 458, 467...)
- ``GET graph/accounts[?username=]`` -> Facebook users with their Pages and IG accounts, and every
  professional account
- ``GET graph/hashtags`` -> ``{"hashtags": [{"name", "id", "media_count"}]}``

``POST /__sandbox__/revoke`` (see `controls`) revokes graph tokens too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from bot.sandboxes.instagram.controls import PREFIX
from bot.sandboxes.instagram.envelope import json_response
from bot.sandboxes.instagram.graph_tokens import DEFAULT_GRAPH_SCOPE
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


def register(app: Flask, state: SandboxState) -> None:
    """Add the graph control routes to ``app`` (one rule: rules cost start-up time)."""

    @app.route(f"{PREFIX}/graph/<action>", methods=["GET", "POST"])
    def graph_control(action: str) -> Response:
        if request.method == "GET" and action == "accounts":
            return _accounts(state)
        if request.method == "GET" and action == "hashtags":
            return _hashtags(state)
        if request.method == "POST" and action == "tokens":
            return _tokens(state, _body())
        if request.method == "POST" and action == "expire":
            body = _body()
            count = state.graph_mode.expire(_text(body, "username"), _text(body, "access_token"))
            return json_response({"expired": count})
        if request.method == "POST" and action == "revoke":
            return _revoke(state, _body())
        return json_response({"error": f"no control {request.method} graph/{action}"}, 404)
