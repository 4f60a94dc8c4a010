"""The Web API under `/api/<method>`: token checks, argument decoding, recording; methods live in api_methods.

Like Slack, every answer is HTTP 200 with a JSON body carrying ``ok`` and, on failure, ``error``.
Arguments may come as a query string, a form body or a JSON body (slack_sdk uses all three) and the
token as `Authorization: Bearer` or a ``token`` argument.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.sandboxes.slack.api_methods import METHODS, ApiError, ApiRequest
from bot.sandboxes.slack.messages import ApiCall
from bot.sandboxes.slack.recorder import Recorder
from bot.sandboxes.slack.workspace import Workspace

SCOPES = "commands,chat:write,chat:write.public,users:read,channels:read,groups:read,im:read"
_JSON_ARGUMENTS = ("blocks", "attachments", "metadata")


def _read_params() -> dict[str, Any]:
    """Query, form and JSON arguments merged, with JSON-in-a-string arguments decoded."""
    params: dict[str, Any] = dict(request.args.items())
    if request.method == "POST":
        params.update(request.form.items())
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
    for key in _JSON_ARGUMENTS:
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):  # else left a string: invalid_blocks_format
                params[key] = json.loads(params[key])
    return params


def _token(params: dict[str, Any]) -> str | None:
    """The caller's token (removed from ``params`` so it is never recorded)."""
    in_params = params.pop("token", None)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return header[7:].strip()
    return str(in_params) if in_params else None


def webapi_blueprint(workspace: Workspace, recorder: Recorder) -> Blueprint:
    """Routes `GET|POST /api/<method>` answering and recording Slack Web API calls."""
    bp = Blueprint("slack_webapi", __name__)

    @bp.route("/api/<method>", methods=["GET", "POST"])
    def call(method: str) -> Response:
        params = _read_params()
        token = _token(params)
        bot = workspace.bot_for_token(token) if token else None
        handler = METHODS.get(method)
        try:
            if handler is None:
                raise ApiError("unknown_method", req_method=method)
            if token is None:
                raise ApiError("not_authed")
            if bot is None:
                raise ApiError("invalid_auth")
            result: dict[str, Any] = {"ok": True, **handler(ApiRequest(params, bot, workspace, recorder))}
        except ApiError as err:
            result = {"ok": False, "error": err.error, **err.extra}
        recorder.add_call(
            ApiCall(
                method=method,
                http_method=request.method,
                params=params,
                team_id=bot.team_id if bot else None,
                ok=bool(result["ok"]),
                error=result.get("error"),
                response=result,
            )
        )
        response = jsonify(result)
        if bot is not None:
            response.headers["X-OAuth-Scopes"] = SCOPES
        return response

    return bp
