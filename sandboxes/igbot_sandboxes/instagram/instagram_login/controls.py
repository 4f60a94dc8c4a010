"""Instagram Login test controls under ``/__sandbox__/instagram-login/`` (JSON in, JSON out; never
logged or faulted).

- ``GET instagram-login/exchange_shape`` -> ``{"shape"}``; ``POST`` ``{"shape": "flat" | "wrapped"}``
  -> ``{"shape"}``: how the code exchange answers from now on (flat: numeric ``user_id`` and a
  ``permissions`` list; wrapped: ``{"data": [...]}`` with a string ``user_id`` and a comma string).
  400 for another shape.  Until ``POST /__sandbox__/reset`` (back to the constructor's shape).
- ``POST instagram-login/refresh_failure`` ``{"count"?: 1}`` -> ``{"failing": n}``: the next ``n``
  ``refresh_access_token`` requests fail with 190/460 whatever the token (``0`` disarms).
- ``POST instagram-login/token`` ``{"account": username or id, "scopes"?: [...], "long_lived"?: true}``
  -> ``{"access_token", "user_id", "permissions", "expires_in"}``: a token without the login flow.
  ``scopes`` (default every known scope) may leave out ``instagram_business_basic``, which the login
  page never allows, to test the permission check.  404 for an unknown or personal account, 400 for an
  unknown scope.
- ``POST instagram-login/budget`` ``{"account": username or id, "calls": n}`` -> ``{"user_id",
  "calls"}``: that account's API calls per sliding hour from now on (until reset).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram.controls import PREFIX
from igbot_sandboxes.instagram.instagram_login.tokens import (
    KNOWN_SCOPES,
    LONG_TTL,
    SHORT_TTL,
    LoginGrant,
)
from igbot_sandboxes.instagram.legacy.envelope import json_response
from igbot_sandboxes.instagram.state import SandboxState


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else dict(request.form.items())


def _shape(state: SandboxState) -> Response:
    login = state.instagram_login
    if request.method == "POST":
        try:
            login.set_shape(str(_body().get("shape", "")))
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
    return json_response({"shape": login.exchange_shape})


def _refresh_failure(state: SandboxState) -> Response:
    raw = _body().get("count", 1)
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        return json_response({"error": "count must be a non-negative integer"}, 400)
    state.instagram_login.tokens.fail_next_refreshes(raw)
    return json_response({"failing": raw})


def _account_id(state: SandboxState, name_or_id: object) -> str | None:
    world = state.graph_mode.world
    key = str(name_or_id or "")
    account = world.account_by_id(key) or world.account_by_username(key.lstrip("@"))
    return account.id if account is not None else None


def _token(state: SandboxState) -> Response:
    body = _body()
    ig_user_id = _account_id(state, body.get("account"))
    if ig_user_id is None:
        return json_response({"error": f"no professional account {body.get('account')!r}"}, 404)
    scopes = body.get("scopes", list(KNOWN_SCOPES))
    if not isinstance(scopes, list) or any(s not in KNOWN_SCOPES for s in scopes):
        return json_response({"error": f"scopes must be a list of {list(KNOWN_SCOPES)}"}, 400)
    long_lived = body.get("long_lived", True) is not False
    granted = tuple(s for s in KNOWN_SCOPES if s in scopes)
    grant = LoginGrant(ig_user_id, state.config.instagram_app_id, granted)
    token, _ = state.instagram_login.tokens.issue(grant, long_lived)
    expires_in = LONG_TTL if long_lived else SHORT_TTL
    answer = {"access_token": token, "user_id": ig_user_id, "permissions": list(granted)}
    return json_response({**answer, "expires_in": expires_in})


def _budget(state: SandboxState) -> Response:
    body = _body()
    ig_user_id = _account_id(state, body.get("account"))
    if ig_user_id is None:
        return json_response({"error": f"no professional account {body.get('account')!r}"}, 404)
    calls = body.get("calls")
    if not isinstance(calls, int) or isinstance(calls, bool) or calls <= 0:
        return json_response({"error": "calls must be a positive integer"}, 400)
    state.instagram_login.set_budget(ig_user_id, calls)
    return json_response({"user_id": ig_user_id, "calls": calls})


def register(app: Flask, state: SandboxState) -> None:
    """Add the Instagram Login control routes to ``app`` (one rule: rules cost start-up time)."""

    @app.route(f"{PREFIX}/instagram-login/<action>", methods=["GET", "POST"])
    def instagram_login_control(action: str) -> Response:
        if action == "exchange_shape":
            return _shape(state)
        if request.method == "POST" and action == "refresh_failure":
            return _refresh_failure(state)
        if request.method == "POST" and action == "token":
            return _token(state)
        if request.method == "POST" and action == "budget":
            return _budget(state)
        return json_response({"error": f"no control {request.method} instagram-login/{action}"}, 404)
