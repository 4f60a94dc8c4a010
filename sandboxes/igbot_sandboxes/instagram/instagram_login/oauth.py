"""Instagram Login's OAuth: the authorize page, the code exchange, the long-lived exchange and refresh.

- ``GET/POST /instagram-login/oauth/authorize`` (www.instagram.com/oauth/authorize): validates like the
  other dialogs (known Instagram app id, loopback redirect URI, errors as a 400 HTML page without
  redirecting), needs ``response_type=code`` and a ``scope`` with ``instagram_business_basic``; the page
  lists the seeded accounts (professional ones can approve, personal ones are told to switch) with a
  checkbox per optional scope.  Approve: ``redirect_uri?code=…&state=…#_``; deny: ``error=access_denied
  &error_reason=user_denied&error_description=…``.
- ``POST /instagram-login/oauth/access_token`` (api.instagram.com): the code exchange, flat or wrapped
  (`state.LoginMode.exchange_shape`).
- ``GET /instagram-graph/access_token`` and ``/instagram-graph/refresh_access_token``
  (graph.instagram.com): ``ig_exchange_token`` and ``ig_refresh_token`` (routed by `api.register`,
  which owns every ``/instagram-graph`` path).

Every JSON error is a graph error object (HTTP 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from flask import Flask, Response, abort, request

from igbot_sandboxes.instagram.graph.errors import GraphError, graph_json
from igbot_sandboxes.instagram.instagram_login.state import WRAPPED
from igbot_sandboxes.instagram.instagram_login.tokens import (
    BASIC_SCOPE,
    LONG_TTL,
    LoginGrant,
    LoginToken,
    parse_scopes,
)
from igbot_sandboxes.instagram.legacy.urls import add_query, is_loopback_uri
from igbot_sandboxes.instagram.state import SandboxState

LOGIN_PREFIX = "/instagram-login"
AUTHORIZE_PATH = LOGIN_PREFIX + "/oauth/authorize"
TOKEN_PATH = LOGIN_PREFIX + "/oauth/access_token"
GRAPH_PREFIX = "/instagram-graph"
LONG_LIVED_ENDPOINT = "access_token"
REFRESH_ENDPOINT = "refresh_access_token"
LONG_LIVED_PATH = GRAPH_PREFIX + "/" + LONG_LIVED_ENDPOINT
REFRESH_PATH = GRAPH_PREFIX + "/" + REFRESH_ENDPOINT
DENIED_DESCRIPTION = "The user denied your request."
NOT_PROFESSIONAL = (
    "{username} is a personal account. Only a professional (business or creator) account can log in "
    "here: switch it to a professional account in the Instagram app, then try again."
)

PERSONAL_HINT = "Personal accounts cannot log in here: you need a professional (business or creator) account."


class AuthorizeError(Exception):
    """The authorize request is invalid: an HTML error page with status 400."""


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated authorize request."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    raw_scope: str
    state: str | None


def validate_authorize(app_id: str, params: Mapping[str, str]) -> AuthorizeRequest:
    """Check the authorize page's parameters against the Instagram app id ``app_id``.

    Raises:
        AuthorizeError: missing or unknown client id, bad redirect URI, response type or scope.
    """
    client_id = params.get("client_id", "")
    if not client_id:
        raise AuthorizeError("Missing client_id parameter.")
    if client_id != app_id:
        raise AuthorizeError("Invalid platform app: the client_id is not an Instagram app id.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise AuthorizeError("Missing redirect_uri parameter.")
    if not is_loopback_uri(redirect_uri):
        raise AuthorizeError(
            "Invalid redirect_uri: it does not match a registered redirect URI. (The sandbox only "
            "redirects to http(s) URIs on 127.0.0.1, localhost or [::1].)"
        )
    if params.get("response_type", "") != "code":
        raise AuthorizeError("Invalid response_type: only response_type=code is supported.")
    raw_scope = params.get("scope", "")
    scopes = parse_scopes(raw_scope)
    if scopes is None:
        raise AuthorizeError(f"Invalid scope: {raw_scope!r}. It must include {BASIC_SCOPE}.")
    return AuthorizeRequest(client_id, redirect_uri, scopes, raw_scope, params.get("state"))


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{escape(title)}</title></head><body>{body}</body></html>"


def error_page(message: str) -> str:
    """The page shown for an invalid request or a refused login."""
    return _page("Instagram", f'<h1>Instagram</h1><p id="error">{escape(message)}</p>')


def login_page(state: SandboxState, req: AuthorizeRequest) -> str:
    """The login page: hidden request fields, one radio per seeded account, a checkbox per scope."""
    hidden = {"client_id": req.client_id, "redirect_uri": req.redirect_uri, "response_type": "code"}
    hidden["scope"] = req.raw_scope
    if req.state is not None:
        hidden["state"] = req.state
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    accounts = [
        f'<li><label><input type="radio" name="username" value="{escape(a.username)}"> '
        f'@{escape(a.username)} <span class="kind">professional ({escape(a.account_type.lower())})'
        "</span></label></li>"
        for a in state.graph_mode.world.accounts
    ]
    accounts += [
        f'<li><label><input type="radio" name="username" value="{escape(u.username)}"> '
        f'@{escape(u.username)} <span class="kind">personal</span></label></li>'
        for u in state.world.users
    ]
    scopes = "".join(
        f'<li><label><input type="checkbox" name="granted" value="{s}" checked'
        f"{' disabled' if s == BASIC_SCOPE else ''}> {s}</label></li>"
        for s in req.scopes
    )
    return _page(
        "Log in with Instagram",
        f'<h1>Log in with Instagram</h1><form method="post" action="{AUTHORIZE_PATH}">{fields}'
        f'<h2>Accounts</h2><ul id="accounts">{"".join(accounts)}</ul>'
        f'<h2>Permissions</h2><ul id="scopes">{scopes}</ul>'
        '<button id="allow" name="decision" value="allow">Allow</button>'
        '<button id="deny" name="decision" value="deny">Cancel</button></form>'
        f"<p>{PERSONAL_HINT}</p>",
    )


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _decision(state: SandboxState, req: AuthorizeRequest) -> Response:
    back = {"state": req.state} if req.state is not None else {}
    decision = request.form.get("decision", "")
    if decision == "deny":
        denied = {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": DENIED_DESCRIPTION,
        }
        return _redirect(add_query(req.redirect_uri, {**denied, **back}))
    if decision != "allow":
        return _html(error_page("Press Allow or Cancel."), 400)
    username = request.form.get("username", "")
    account = state.graph_mode.world.account_by_username(username)
    if account is None:
        if state.world.user_by_username(username.lstrip("@")) is not None:
            return _html(error_page(NOT_PROFESSIONAL.format(username="@" + username.lstrip("@"))), 403)
        return _html(error_page("Choose an account to log in as."), 400)
    ticked = set(request.form.getlist("granted")) | {BASIC_SCOPE}  # basic can't be unticked
    granted = tuple(s for s in req.scopes if s in ticked)
    code = state.instagram_login.tokens.issue_code(
        LoginGrant(account.id, req.client_id, granted), req.redirect_uri
    )
    return _redirect(add_query(req.redirect_uri, {"code": code, **back}) + "#_")


def _authorize(state: SandboxState) -> Response:
    params = request.args if request.method == "GET" else request.form
    try:
        req = validate_authorize(state.config.instagram_app_id, params)
    except AuthorizeError as exc:
        return _html(error_page(str(exc)), 400)
    if request.method == "GET":
        return _html(login_page(state, req))
    return _decision(state, req)


def _check_app(state: SandboxState, client_id: str, secret: str | None) -> None:
    if not client_id:
        raise GraphError(101, "Missing client_id parameter.")
    if client_id != state.config.instagram_app_id:
        raise GraphError(101, "Error validating application. Invalid application ID.")
    if secret is not None and secret != state.config.instagram_app_secret:
        raise GraphError(101, "Error validating client secret.")


def exchange_body(shape: str, token: str, record: LoginToken) -> dict[str, object]:
    """The code exchange's answer: flat (numeric ``user_id``, ``permissions`` list) or wrapped in
    ``data[]`` (string ``user_id``, ``permissions`` a comma string)."""
    grant = record.grant
    if shape == WRAPPED:
        item = {"access_token": token, "user_id": grant.ig_user_id, "permissions": ",".join(grant.scopes)}
        return {"data": [item]}
    return {"access_token": token, "user_id": int(grant.ig_user_id), "permissions": list(grant.scopes)}


def _code_exchange(state: SandboxState) -> Response:
    form = request.form
    _check_app(state, form.get("client_id", ""), form.get("client_secret", ""))
    if form.get("grant_type", "") != "authorization_code":
        raise GraphError(100, "Invalid grant_type: it must be authorization_code")
    redirect_uri, code = form.get("redirect_uri", ""), form.get("code", "")
    if not redirect_uri:
        raise GraphError(100, "Missing redirect_uri parameter.")
    if not code:
        raise GraphError(100, "Missing code parameter.")
    login = state.instagram_login
    token, record = login.tokens.exchange_code(code, form["client_id"], redirect_uri)
    return graph_json(exchange_body(login.exchange_shape, token, record))


def long_lived(state: SandboxState) -> Response:
    """``GET /instagram-graph/access_token``: a short-lived token traded for a 60-day one."""
    args = request.args
    if args.get("grant_type", "") != "ig_exchange_token":
        raise GraphError(100, "Invalid grant_type: it must be ig_exchange_token")
    secret = args.get("client_secret", "")
    if not secret:
        raise GraphError(100, "Missing client_secret parameter.")
    _check_app(state, state.config.instagram_app_id, secret)
    short = args.get("access_token", "")
    if not short:
        raise GraphError(100, "Missing access_token parameter.")
    token, _ = state.instagram_login.tokens.exchange_short(short, state.config.instagram_app_id)
    return graph_json({"access_token": token, "token_type": "bearer", "expires_in": LONG_TTL})


def refresh(state: SandboxState) -> Response:
    """``GET /instagram-graph/refresh_access_token``: a new 60-day token for a long-lived one."""
    args = request.args
    if args.get("grant_type", "") != "ig_refresh_token":
        raise GraphError(100, "Invalid grant_type: it must be ig_refresh_token")
    old = args.get("access_token", "")
    if not old:
        raise GraphError(100, "Missing access_token parameter.")
    token, _ = state.instagram_login.tokens.refresh(old)
    return graph_json({"access_token": token, "token_type": "bearer", "expires_in": LONG_TTL})


def register(app: Flask, state: SandboxState) -> None:
    """Add the authorize page and the code exchange (one rule: every rule costs start-up time; the
    long-lived exchange and the refresh are routed by `api.register`)."""

    @app.route(LOGIN_PREFIX + "/oauth/<endpoint>", methods=["GET", "POST"])
    def instagram_login_oauth(endpoint: str) -> Response:
        if endpoint == "authorize":
            return _authorize(state)
        if endpoint == "access_token" and request.method == "POST":
            return _code_exchange(state)
        abort(404 if endpoint != "access_token" else 405)
