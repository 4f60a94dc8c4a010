"""Slack's OAuth v2 authorize page: ``GET /oauth/v2/authorize`` and its form (``POST``).

``GET /oauth/v2/authorize?client_id=&scope=&user_scope=&state=&redirect_uri=`` shows "igbot wants to
join a workspace": one radio ``team`` per workspace (and ``enterprise:E0GRID`` for "Install to the
whole Grid Org"), a ``user`` select (who approves; default the team's first person) and two submit
buttons ``decision=allow`` / ``decision=cancel``; the request's parameters ride along as hidden
fields. A test can read the form with plain ``requests`` and POST it back. Allow answers 302 to
``redirect_uri?code=...&state=...``, Cancel 302 to ``redirect_uri?error=access_denied&state=...``.
An unknown ``client_id`` shows Slack's ``invalid_client_id`` error page (HTTP 400); without a
``redirect_uri`` the app's configured one is used (``SlackSandbox.default_redirect_uri``), and
without either the page says ``bad_redirect_uri``.
"""

from __future__ import annotations

import html
import urllib.parse
from typing import TYPE_CHECKING

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from igbot_sandboxes.slack.oauth import split_scopes

if TYPE_CHECKING:
    from igbot_sandboxes.slack.sandbox import SlackStandIn

_FIELDS = ("client_id", "scope", "user_scope", "state", "redirect_uri")


def _csp(redirect_uri: str | None) -> str:
    origin = ""
    if redirect_uri:
        parts = urllib.parse.urlsplit(redirect_uri)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        f"form-action 'self'{origin}; frame-ancestors 'none'"
    )


def _page(title: str, body: str, status: int, redirect_uri: str | None = None) -> Response:
    document = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} · Slack stand-in</title>"
        '<link rel="stylesheet" href="/console/static/install.css"></head>'
        f'<body><main class="oauth-card">{body}</main></body></html>'
    )
    response = Response(document, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _csp(redirect_uri)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: str, detail: str, status: int = 400) -> Response:
    body = (
        '<h1 class="oauth-title">Something went wrong when authorizing this app.</h1>'
        f'<p class="oauth-error" data-error="{html.escape(error)}">Error details: '
        f"<code>{html.escape(error)}</code></p><p>{html.escape(detail)}</p>"
    )
    return _page("Error", body, status)


def _with_query(url: str, query: dict[str, str]) -> str:
    parts = urllib.parse.urlsplit(url)
    merged = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(query.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(merged)))


def install_blueprint(sandbox: SlackStandIn) -> Blueprint:
    """``GET``/``POST /oauth/v2/authorize``."""
    bp = Blueprint("slack_oauth_authorize", __name__)

    def form_page(params: dict[str, str]) -> Response:
        scopes = split_scopes(params.get("scope"))
        user_scopes = split_scopes(params.get("user_scope"))
        ws = sandbox.workspace
        choices: list[str] = []
        first = True
        for team in ws.teams.values():
            checked = " checked" if first else ""
            first = False
            org = f" (in {ws.enterprises[team.enterprise_id].name})" if team.enterprise_id else ""
            choices.append(
                f'<label class="oauth-choice"><input type="radio" name="team" value="{html.escape(team.id)}"'
                f"{checked}> {html.escape(team.name)}{html.escape(org)}"
                f' <span class="oauth-domain">{html.escape(team.domain)}.slack.com</span></label>'
            )
        for enterprise in ws.enterprises.values():
            choices.append(
                '<label class="oauth-choice oauth-org"><input type="radio" name="team" '
                f'value="enterprise:{html.escape(enterprise.id)}"> Install to the whole '
                f"{html.escape(enterprise.name)}</label>"
            )
        people = [
            f'<option value="{html.escape(u.id)}">'
            f"{html.escape(u.name)} ({html.escape(ws.teams[t].name)})</option>"
            for t in ws.teams
            for u in ws.users(t)
            if not u.is_bot
        ]
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
            for name in _FIELDS
        )
        scope_items = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes) or "<li>none</li>"
        user_items = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in user_scopes)
        user_part = f"<h2>On your behalf</h2><ul>{user_items}</ul>" if user_items else ""
        body = (
            '<div class="oauth-brand"><span class="brand-mark">#</span> Slack stand-in '
            '<span class="sandbox-badge">sandbox</span></div>'
            '<h1 class="oauth-title">igbot wants to join a workspace</h1>'
            f'<form method="post" action="/oauth/v2/authorize" class="oauth-form" id="oauth-form">{hidden}'
            f"<fieldset><legend>Workspace</legend>{''.join(choices)}</fieldset>"
            f'<label class="oauth-user">Approve as <select name="user"><option value="">the first person of '
            f"the workspace</option>{''.join(people)}</select></label>"
            f"<h2>igbot will be able to</h2><ul>{scope_items}</ul>{user_part}"
            '<div class="oauth-buttons"><button type="submit" name="decision" value="cancel" class="btn">'
            'Cancel</button> <button type="submit" name="decision" value="allow" class="btn primary">'
            "Allow</button></div></form>"
        )
        return _page("Install igbot", body, 200, params.get("redirect_uri") or sandbox.default_redirect_uri())

    @bp.get("/oauth/v2/authorize")
    def authorize() -> Response:
        params = {name: request.args.get(name, "") for name in _FIELDS}
        if params["client_id"] != sandbox.client_id:
            return _error_page("invalid_client_id", "The client_id of this link is not a known Slack app.")
        return form_page(params)

    @bp.post("/oauth/v2/authorize")
    def decide() -> Response | BaseResponse:
        form = {name: request.form.get(name, "") for name in (*_FIELDS, "team", "user", "decision")}
        if form["client_id"] != sandbox.client_id:
            return _error_page("invalid_client_id", "The client_id of this link is not a known Slack app.")
        target = form["redirect_uri"] or sandbox.default_redirect_uri()
        if not target:
            return _error_page("bad_redirect_uri", "The app has no redirect URL configured.")
        if form["decision"] != "allow":
            return redirect(_with_query(target, {"error": "access_denied", "state": form["state"]}), code=302)
        team = form["team"].removeprefix("enterprise:")
        try:
            code = sandbox.issue_install_code(
                team,
                scopes=split_scopes(form["scope"]),
                user_scopes=split_scopes(form["user_scope"]),
                user_id=form["user"] or None,
                redirect_uri=form["redirect_uri"] or None,
            )
        except ValueError as err:
            return _error_page("invalid_team", str(err))
        return redirect(_with_query(target, {"code": code, "state": form["state"]}), code=302)

    return bp
