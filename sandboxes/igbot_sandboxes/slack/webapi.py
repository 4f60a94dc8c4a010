"""The Web API under `/api/<method>`: token checks, argument decoding, recording; methods live in api_methods.

Like Slack, every answer is HTTP 200 with a JSON body carrying ``ok`` and, on failure, ``error``, except
a rate-limited ``chat.postMessage``: HTTP 429 ``ratelimited`` with ``Retry-After`` (ratelimit.py), also
recorded as a call (``status`` 429).
Arguments may come as a query string, a form body or a JSON body (slack_sdk uses all three) and the
token as `Authorization: Bearer` or a ``token`` argument.

During an outage (``SlackSandbox.webapi_down``) every method answers HTTP 503 with
``{"ok": false, "error": "service_unavailable"}`` (Slack's documented "The service is temporarily
unavailable") before looking at the token; the call is recorded with that answer and nothing is posted.

Tokens are looked up through ``authenticate`` (oauth.Installs in the sandbox): each token acts in its
own team with its own scopes; an unknown one answers ``invalid_auth``, an expired one (token
rotation) ``token_expired``, a revoked one ``token_revoked``, the bot token of an uninstalled app
``account_inactive``. The app-level token (``xapp-``) is only good for ``apps.connections.open``
(``not_allowed_token_type`` elsewhere, and a bot or user token there). ``oauth.v2.access`` needs no
token: it checks the client credentials instead (``open_methods``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request

from igbot_sandboxes.slack.api_methods import METHODS, ApiError, ApiRequest
from igbot_sandboxes.slack.images import ImageCheck
from igbot_sandboxes.slack.messages import ApiCall
from igbot_sandboxes.slack.ratelimit import PostRateLimiter
from igbot_sandboxes.slack.recorder import Recorder
from igbot_sandboxes.slack.views import TriggerIds, Views
from igbot_sandboxes.slack.workspace import BotIdentity, Workspace

# What igbot's app_manifest.yml asks for: no chat:write.public, so a public channel the bot has left
# answers not_in_channel.  `SlackSandbox(bot_scopes=...)` grants others.
DEFAULT_BOT_SCOPES = ("commands", "chat:write")
_JSON_ARGUMENTS = ("blocks", "attachments", "metadata", "view")
OUTAGE_STATUS = 503
OUTAGE_ERROR = "service_unavailable"
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass(frozen=True)
class Auth:
    """What a token is: who it acts as (None when refused), the error, its scopes and kind."""

    identity: BotIdentity | None
    error: str | None = None
    scopes: tuple[str, ...] = ()
    kind: str = "bot"


OpenMethod = Callable[[dict[str, Any], tuple[str, str] | None], dict[str, Any]]


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


def webapi_blueprint(
    workspace: Workspace,
    recorder: Recorder,
    images: ImageCheck | None = None,
    is_down: Callable[[], bool] = lambda: False,
    *,
    scopes: Callable[[], tuple[str, ...]] = lambda: DEFAULT_BOT_SCOPES,
    post_limits: PostRateLimiter | None = None,
    views: Views | None = None,
    triggers: TriggerIds | None = None,
    authenticate: Callable[[str], Auth] | None = None,
    open_methods: dict[str, OpenMethod] | None = None,
    extras: Callable[[], dict[str, Any]] | None = None,
) -> Blueprint:
    """Routes `GET|POST /api/<method>` answering and recording Slack Web API calls.

    ``images`` downloads image blocks before a message is accepted (none when omitted); while
    ``is_down()`` every call answers 503 ``service_unavailable``.  ``scopes()`` are the bot token's
    scopes (sent as ``X-OAuth-Scopes``; ``chat:write.public`` lets it post where it is not a member);
    ``post_limits`` is the per-channel posting rate of ``chat.postMessage`` (none when omitted);
    ``views`` holds the open modals and ``triggers`` the trigger ids ``views.open`` exchanges.
    ``authenticate`` tells what a token is (by default: the workspace's bot tokens, with ``scopes()``);
    ``open_methods`` are methods called without a token (given the arguments and any HTTP Basic
    credentials); ``extras()`` are further ApiRequest fields (home views, unfurls, installs, socket).
    """
    bp = Blueprint("slack_webapi", __name__)
    modals = views if views is not None else Views()
    checker = images or ImageCheck(enabled=False)
    unauthenticated = open_methods or {}

    def default_auth(token: str) -> Auth:
        bot = workspace.bot_for_token(token)
        return Auth(bot, None if bot else "invalid_auth", tuple(scopes()))

    who = authenticate or default_auth

    def outage(method: str, params: dict[str, Any]) -> tuple[Response, int]:
        result = {"ok": False, "error": OUTAGE_ERROR}
        recorder.add_call(
            ApiCall(
                method=method,
                http_method=request.method,
                params=params,
                team_id=None,
                ok=False,
                error=OUTAGE_ERROR,
                response=result,
                status=OUTAGE_STATUS,
            )
        )
        return jsonify(result), OUTAGE_STATUS

    @bp.route("/api/<method>", methods=["GET", "POST"])
    def call(method: str) -> Response | tuple[Response, int]:
        params = _read_params()
        token = _token(params)
        if is_down():
            return outage(method, params)
        auth = who(token) if token else Auth(None, "not_authed")
        bot = auth.identity
        handler = METHODS.get(method)
        try:
            if method in unauthenticated:
                basic = request.authorization
                credentials = (
                    (str(basic.username or ""), str(basic.password or ""))
                    if basic is not None and basic.type == "basic"
                    else None
                )
                bot = None
                result: dict[str, Any] = {"ok": True, **unauthenticated[method](params, credentials)}
            else:
                if handler is None:
                    raise ApiError("unknown_method", req_method=method)
                if bot is None:
                    raise ApiError(auth.error or "invalid_auth")
                if (method in APP_TOKEN_METHODS) != (auth.kind == "app"):
                    raise ApiError("not_allowed_token_type")
                req = ApiRequest(
                    params,
                    bot,
                    workspace,
                    recorder,
                    checker,
                    frozenset(auth.scopes),
                    post_limits,
                    modals,
                    triggers,
                    token_kind=auth.kind,
                    extras=extras() if extras else {},
                )
                result = {"ok": True, **handler(req)}
            status, headers = 200, {}
        except ApiError as err:
            result = {"ok": False, "error": err.error, **err.extra}
            status, headers = err.status, err.headers
        params.pop("client_secret", None)  # never recorded, like tokens
        recorder.add_call(
            ApiCall(
                method=method,
                http_method=request.method,
                params=params,
                team_id=bot.team_id if bot and auth.kind != "app" else None,
                ok=bool(result["ok"]),
                error=result.get("error"),
                response=result,
                status=status,
            )
        )
        response = jsonify(result)
        response.status_code = status
        response.headers.update(headers)
        if bot is not None:
            response.headers["X-OAuth-Scopes"] = ",".join(auth.scopes)
        return response

    return bp
