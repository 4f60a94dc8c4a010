"""Legacy OAuth 2.0 explicit flow: the consent page (`/oauth/authorize`) and the token exchange.

Only loopback redirect URIs are accepted (any port and path).  Token endpoint errors are flat
``{"code", "error_type", "error_message"}`` bodies with HTTP 400, as the real API sent them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, Response, request

from igbot_sandboxes.instagram.legacy import pages, render
from igbot_sandboxes.instagram.legacy.envelope import flat_error_response, json_response
from igbot_sandboxes.instagram.legacy.tokens import CodeError, Grant, parse_scope
from igbot_sandboxes.instagram.legacy.urls import add_query, is_loopback_uri
from igbot_sandboxes.instagram.state import SandboxState

DENIED = {
    "error": "access_denied",
    "error_reason": "user_denied",
    "error_description": "The user denied your request",
}
DEFAULT_ACCOUNT = "alice"


class AuthorizeError(Exception):
    """The authorize request is invalid; shown as an HTML error page with status 400."""


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated authorize request."""

    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    raw_scope: str | None
    state: str | None


def validate_authorize(state: SandboxState, params: Mapping[str, str]) -> AuthorizeRequest:
    """Check the authorize parameters in the order the real page did.

    Raises:
        AuthorizeError: unknown client, bad redirect URI, response type or scope.
    """
    client_id = params.get("client_id", "")
    if not client_id:
        raise AuthorizeError("Missing client_id parameter.")
    if client_id != state.config.client_id:
        raise AuthorizeError("Invalid Client ID")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise AuthorizeError("Missing redirect_uri parameter.")
    if not is_loopback_uri(redirect_uri):
        raise AuthorizeError(
            "Invalid redirect_uri: the sandbox only redirects to http(s) URIs "
            "on 127.0.0.1, localhost or [::1]."
        )
    response_type = params.get("response_type", "")
    if response_type == "token":
        raise AuthorizeError("Implicit authentication is disabled")
    if response_type != "code":
        raise AuthorizeError("Invalid response_type: only response_type=code is supported.")
    raw_scope = params.get("scope")
    scopes = parse_scope(raw_scope)
    if scopes is None:
        raise AuthorizeError(f"Invalid scope field(s): {raw_scope}")
    state_param = params.get("state")
    return AuthorizeRequest(client_id, redirect_uri, scopes, raw_scope, state_param)


def _html(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _token_error(message: str) -> Response:
    return flat_error_response("OAuthException", message)


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/oauth/authorize`` (GET page, POST decision) and ``/oauth/access_token``."""

    @app.get("/oauth/authorize")
    def authorize_page() -> Response:
        try:
            req = validate_authorize(state, request.args)
        except AuthorizeError as exc:
            return _html(pages.error_page(str(exc)), 400)
        hidden = {"client_id": req.client_id, "redirect_uri": req.redirect_uri, "response_type": "code"}
        if req.raw_scope is not None:
            hidden["scope"] = req.raw_scope
        if req.state is not None:
            hidden["state"] = req.state
        wanted = sorted(req.scopes, key=lambda s: (s != "basic", s))
        return _html(pages.authorize_page(hidden, wanted, state.world.users, DEFAULT_ACCOUNT), 200)

    @app.post("/oauth/authorize")
    def authorize_decision() -> Response:
        try:
            req = validate_authorize(state, request.form)
        except AuthorizeError as exc:
            return _html(pages.error_page(str(exc)), 400)
        decision = request.form.get("decision", "")
        back = {"state": req.state} if req.state is not None else {}
        if decision == "cancel":
            return _redirect(add_query(req.redirect_uri, {**DENIED, **back}))
        if decision != "authorize":
            return _html(pages.error_page("Press Authorize or Cancel."), 400)
        user = state.world.user_by_username(request.form.get("username", ""))
        if user is None:
            return _html(pages.error_page("Unknown sandbox account."), 400)
        code = state.tokens.issue_code(Grant(user.id, req.client_id, req.scopes), req.redirect_uri)
        return _redirect(add_query(req.redirect_uri, {"code": code, **back}))

    @app.post("/oauth/access_token")
    def access_token() -> Response:
        form = request.form
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.authorization
        if basic is not None and basic.type == "basic":
            client_id = client_id or (basic.username or "")
            client_secret = client_secret or (basic.password or "")
        if not client_id:
            return _token_error("You must provide a client_id")
        if client_id != state.config.client_id:
            return _token_error("Invalid Client ID")
        if client_secret != state.config.client_secret:
            return _token_error("Invalid Client Secret")
        grant_type = form.get("grant_type", "")
        if grant_type != "authorization_code":
            return _token_error("Invalid grant_type" if grant_type else "You must provide a grant_type")
        redirect_uri, code = form.get("redirect_uri", ""), form.get("code", "")
        if not redirect_uri:
            return _token_error("You must provide a redirect_uri")
        if not code:
            return _token_error("You must provide a code")
        try:
            token, grant = state.tokens.exchange(code, client_id, redirect_uri)
        except CodeError as exc:
            return _token_error(str(exc))
        user = state.world.user_by_id(grant.user_id)
        assert user is not None
        return json_response(
            {"access_token": token, "user": render.user_token(request.host_url.rstrip("/"), user)}
        )
