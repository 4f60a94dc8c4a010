"""Test controls under ``/__sandbox__/`` (JSON in, JSON out); never logged, rate limited or faulted.

- ``POST revoke`` ``{"username"?, "access_token"?}`` (neither: every token) -> ``{"revoked": n}``;
  v1 tokens and graph tokens alike (see `graph.controls` for graph-only controls)
- ``POST faults`` ``{"count", "status"?, "error_type"?, "error_message"?, "latency_ms"?, "malformed"?,
  "path_prefix"?, "error_code"?, "error_subcode"?, "headers"?, "meta_code"?}`` -> ``{"queued": n,
  "pending": m}``.  ``headers`` ``{"Retry-After": "²", "X-App-Usage": "{\"call_count\": Infinity}"}``
  are sent on the faulted answers as given (strings verbatim, other JSON values serialised), over the
  sandbox's own usage headers; ``meta_code`` (any JSON value, e.g. ``"abc"``) becomes ``meta.code`` of
  the v1 error envelope (``code`` of a flat ``/oauth`` error) instead of the HTTP status.  A fault with
  ``"status": null`` and headers answers normally, with those headers.
- ``POST reset`` -> ``{"ok": true}``
- ``GET follows?username=x`` -> ``{"follows": [...], "requested": [...]}``
- ``GET requests`` -> ``{"requests": [...]}`` (secrets redacted)
- ``POST tokens`` ``{"username", "scope"?}`` -> ``{"access_token", "user"}``
- ``GET users`` -> ``{"users": [{"id", "username", "full_name", "is_private"}]}``

New posts and real-time pushes (``POST media``, ``GET pushes``, ``GET subscriptions``) are in
`post_controls`; comments (``POST/GET comments``) in `inbox_controls`; graph-only controls (webhook,
app switches, mentions, Page roles, webhook deliveries among them) in `graph.controls`; the map tiles'
``GET tiles`` (URL template, attribution, tile requests) in `tiles`.  Faults reach map tiles with
``"path_prefix": "/tiles/"``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram.faults import UNSET, Fault, fault_headers
from igbot_sandboxes.instagram.legacy import render
from igbot_sandboxes.instagram.legacy.envelope import json_response
from igbot_sandboxes.instagram.state import DEFAULT_TOKEN_SCOPE, SandboxState

PREFIX = "/__sandbox__"


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    return dict(request.form.items())


def _bad(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None or value == "" else str(value)


def _optional_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    return None if value is None or value == "" else int(value)


def fault_from_json(body: dict[str, Any]) -> Fault:
    """A `Fault` from a control request body.

    Raises:
        ValueError, TypeError: missing or malformed fields.
    """
    status = body.get("status", 500)
    return Fault(
        remaining=int(body["count"]),
        status=None if status is None else int(status),
        error_type=_optional_str(body, "error_type"),
        error_message=_optional_str(body, "error_message"),
        latency_ms=int(body.get("latency_ms", 0)),
        malformed=bool(body.get("malformed", False)),
        path_prefix=str(body.get("path_prefix", "/v1")),
        error_code=_optional_int(body, "error_code"),
        error_subcode=_optional_int(body, "error_subcode"),
        headers=fault_headers(body.get("headers")),
        meta_code=body.get("meta_code", UNSET),
    )


def register(app: Flask, state: SandboxState) -> None:
    """Add the control routes to ``app``."""

    @app.post(f"{PREFIX}/revoke")
    def revoke() -> Response:
        body = _body()
        count = state.revoke(_optional_str(body, "username"), _optional_str(body, "access_token"))
        return json_response({"revoked": count})

    @app.post(f"{PREFIX}/faults")
    def faults() -> Response:
        try:
            fault = fault_from_json(_body())
            queued = fault.remaining
            state.inject_faults(fault)
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad fault: {exc}")
        return json_response({"queued": queued, "pending": state.faults.pending()})

    @app.post(f"{PREFIX}/reset")
    def reset() -> Response:
        state.reset()
        return json_response({"ok": True})

    @app.get(f"{PREFIX}/follows")
    def follows() -> Response:
        try:
            return json_response(state.follows_of(request.args.get("username", "")))
        except ValueError as exc:
            return _bad(str(exc), 404)

    @app.get(f"{PREFIX}/requests")
    def requests_log() -> Response:
        return json_response({"requests": state.log.entries()})

    @app.post(f"{PREFIX}/tokens")
    def tokens() -> Response:
        body = _body()
        try:
            token, user = state.issue_token(
                str(body.get("username", "")), str(body.get("scope") or DEFAULT_TOKEN_SCOPE)
            )
        except ValueError as exc:
            return _bad(str(exc))
        return json_response(
            {"access_token": token, "user": render.user_token(request.host_url.rstrip("/"), user)}
        )

    @app.get(f"{PREFIX}/users")
    def users() -> Response:
        listing = [
            {"id": u.id, "username": u.username, "full_name": u.full_name, "is_private": u.is_private}
            for u in state.world.users
        ]
        return json_response({"users": listing})
