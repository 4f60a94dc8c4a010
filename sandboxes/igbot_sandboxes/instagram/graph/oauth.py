"""Facebook Login for graph mode: the dialog (``/facebook/<version>/dialog/oauth``) and the token
endpoint (``/graph/<version>/oauth/access_token``: code exchange and ``fb_exchange_token``).

Every Flask rule costs a sandbox start-up time (tests start one per test), so each page is one rule.

The dialog validates like the v1 authorize page (known client id, loopback redirect URI, errors as a
400 HTML page without redirecting); ``response_type`` may be omitted (Facebook's default is ``code``)
and ``scope`` is comma-separated.  Success redirects to ``redirect_uri?code=…&state=…#_=_``.
Token endpoint errors are graph error objects (HTTP 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, Response, request

from igbot_sandboxes.instagram.graph import pages
from igbot_sandboxes.instagram.graph.errors import GraphError, graph_json
from igbot_sandboxes.instagram.graph.tokens import GraphGrant, GraphToken, parse_permissions
from igbot_sandboxes.instagram.legacy.urls import add_query, is_loopback_uri
from igbot_sandboxes.instagram.state import SandboxState

DIALOG_PREFIX = "/facebook"
DIALOG_PATH = DIALOG_PREFIX + "/<version>/dialog/oauth"
DENIED = {
    "error": "access_denied",
    "error_code": "200",
    "error_description": "Permissions error",
    "error_reason": "user_denied",
}
DEFAULT_FB_USER = "alice"


class DialogError(Exception):
    """The dialog request is invalid: an HTML error page with status 400."""


@dataclass(frozen=True)
class DialogRequest:
    """A validated dialog request."""

    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    raw_scope: str | None
    state: str | None


def validate_dialog(state: SandboxState, params: Mapping[str, str]) -> DialogRequest:
    """Check the dialog's parameters.

    Raises:
        DialogError: missing or unknown client id, bad redirect URI, response type or scope.
    """
    client_id = params.get("client_id", "")
    if not client_id:
        raise DialogError("Missing client_id parameter.")
    if client_id != state.config.client_id:
        raise DialogError("Invalid App ID: The provided app ID does not look like a valid app ID.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise DialogError("Missing redirect_uri parameter.")
    if not is_loopback_uri(redirect_uri):
        raise DialogError(
            "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's "
            "Client OAuth Settings. (The sandbox only redirects to http(s) URIs on 127.0.0.1, localhost "
            "or [::1].)"
        )
    response_type = params.get("response_type") or "code"
    if response_type != "code":
        raise DialogError("Invalid response_type: the sandbox only supports response_type=code.")
    raw_scope = params.get("scope")
    scopes = parse_permissions(raw_scope)
    if scopes is None:
        raise DialogError(
            f"Invalid Scopes: {raw_scope}. This message is only shown to developers. Users of your app "
            "will ignore these permissions if present."
        )
    return DialogRequest(client_id, redirect_uri, scopes, raw_scope, params.get("state"))


def _html(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def client_credentials(params: Mapping[str, str]) -> tuple[str, str]:
    """``client_id`` and ``client_secret`` from the parameters, else from HTTP Basic auth."""
    client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
    basic = request.authorization
    if basic is not None and basic.type == "basic":
        client_id = client_id or (basic.username or "")
        secret = secret or (basic.password or "")
    return client_id, secret


def exchange(state: SandboxState, params: Mapping[str, str]) -> tuple[str, GraphToken]:
    """Run a token request (code exchange or ``fb_exchange_token``).

    Raises:
        GraphError: 101 bad client id, 1 bad secret, 100 bad parameters or code, 190 bad short token.
    """
    client_id, secret = client_credentials(params)
    if not client_id:
        raise GraphError(101, "Missing client_id parameter.")
    if client_id != state.config.client_id:
        raise GraphError(101, "Error validating application. Invalid application ID.")
    if not secret:
        raise GraphError(1, "Missing client_secret parameter.", status=400)
    if secret != state.config.client_secret:
        raise GraphError(1, "Error validating client secret.", status=400)
    tokens = state.graph_mode.tokens
    grant_type = params.get("grant_type", "")
    if grant_type == "fb_exchange_token":
        short = params.get("fb_exchange_token", "")
        if not short:
            raise GraphError(100, "(#100) The parameter fb_exchange_token is required")
        return tokens.exchange_short(short, client_id)
    if grant_type not in ("", "authorization_code"):
        raise GraphError(100, f"(#100) Unsupported grant_type: {grant_type}")
    redirect_uri, code = params.get("redirect_uri", ""), params.get("code", "")
    if not redirect_uri:
        raise GraphError(100, "Missing redirect_uri parameter.")
    if not code:
        raise GraphError(100, "Missing code parameter.")
    return tokens.exchange_code(code, client_id, redirect_uri)


def token_response(state: SandboxState) -> Response:
    """Answer ``/graph/<version>/oauth/access_token`` (GET or POST; routed by `graph.api`).

    Raises:
        GraphError: see `exchange`.
    """
    params = {**request.args.to_dict(), **request.form.to_dict()}
    token, record = exchange(state, params)
    return graph_json({"access_token": token, "token_type": "bearer", "expires_in": record.expires_in})


def _dialog_page(state: SandboxState) -> Response:
    try:
        req = validate_dialog(state, request.args)
    except DialogError as exc:
        return _html(pages.dialog_error_page(str(exc)), 400)
    hidden = {"client_id": req.client_id, "redirect_uri": req.redirect_uri, "response_type": "code"}
    if req.raw_scope is not None:
        hidden["scope"] = req.raw_scope
    if req.state is not None:
        hidden["state"] = req.state
    wanted = sorted(req.scopes, key=lambda p: (p != "public_profile", p))
    page = pages.login_dialog(request.path, hidden, wanted, state.graph_mode.world, DEFAULT_FB_USER)
    return _html(page, 200)


def _dialog_decision(state: SandboxState) -> Response:
    try:
        req = validate_dialog(state, request.form)
    except DialogError as exc:
        return _html(pages.dialog_error_page(str(exc)), 400)
    decision = request.form.get("decision", "")
    back = {"state": req.state} if req.state is not None else {}
    if decision == "cancel":
        return _redirect(add_query(req.redirect_uri, {**DENIED, **back}))
    if decision != "authorize":
        return _html(pages.dialog_error_page("Press Continue or Cancel."), 400)
    user = state.graph_mode.world.fb_user_by_username(request.form.get("username", ""))
    if user is None:
        return _html(pages.dialog_error_page("Unknown sandbox Facebook user."), 400)
    grant = GraphGrant(user.id, req.client_id, req.scopes)
    code = state.graph_mode.tokens.issue_code(grant, req.redirect_uri)
    return _redirect(add_query(req.redirect_uri, {"code": code, **back}) + "#_=_")


def register(app: Flask, state: SandboxState) -> None:
    """Add the dialog (GET page, POST decision).  The token endpoint is routed by `graph.api`."""

    @app.route(DIALOG_PATH, methods=["GET", "POST"])
    def dialog(version: str) -> Response:
        return _dialog_page(state) if request.method == "GET" else _dialog_decision(state)
