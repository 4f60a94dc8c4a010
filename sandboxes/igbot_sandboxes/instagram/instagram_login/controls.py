"""Instagram Login test controls under ``/__sandbox__/instagram-login/`` (JSON in, JSON out; never
logged or faulted).

- ``GET instagram-login/exchange_shape`` -> ``{"shape"}``; ``POST`` ``{"shape": "flat" | "wrapped"}``
  -> ``{"shape"}``: how the code exchange answers from now on (flat: numeric ``user_id`` and a
  ``permissions`` list; wrapped: ``{"data": [...]}`` with a string ``user_id`` and a comma string).
  400 for another shape.  Until ``POST /__sandbox__/reset`` (back to the constructor's shape).
- ``POST instagram-login/refresh_failure`` ``{"count"?: 1}`` -> ``{"failing": n}``: the next ``n``
  ``refresh_access_token`` requests fail with 190/460 whatever the token (``0`` disarms).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram.controls import PREFIX
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


def register(app: Flask, state: SandboxState) -> None:
    """Add the Instagram Login control routes to ``app`` (one rule: rules cost start-up time)."""

    @app.route(f"{PREFIX}/instagram-login/<action>", methods=["GET", "POST"])
    def instagram_login_control(action: str) -> Response:
        if action == "exchange_shape":
            return _shape(state)
        if request.method == "POST" and action == "refresh_failure":
            return _refresh_failure(state)
        return json_response({"error": f"no control {request.method} instagram-login/{action}"}, 404)
