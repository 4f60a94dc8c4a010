"""Routes of the console: the page at `/`, its static files, `/app_redirect` and `/console/info`."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, redirect, request, send_file
from werkzeug.wrappers import Response as BaseResponse

from igbot_sandboxes.slack.console.hints import hints_of

if TYPE_CHECKING:
    from igbot_sandboxes.slack.sandbox import SlackStandIn

STATIC = Path(__file__).parent / "static"
_ID = re.compile(r"^[A-Z0-9]{1,32}$")

# Everything the page runs or shows comes from the stand-in itself; pictures may come from anywhere
# (message images point at the sandbox Instagram). No inline script or style is allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' http: https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-cache"
    return response


def console_blueprint(sandbox: SlackStandIn) -> Blueprint:
    """`GET /` (the console), `/console/static/*`, `GET /console/info` and `GET /app_redirect`."""
    bp = Blueprint("slack_console", __name__, static_folder=str(STATIC), static_url_path="/console/static")
    instance = secrets.token_hex(8)  # lets an open page notice that the stand-in was restarted

    @bp.get("/")
    def page() -> Response:
        return _secure(send_file(STATIC / "index.html", mimetype="text/html", max_age=0))

    @bp.get("/console/info")
    def info() -> Response:
        return _secure(
            jsonify(
                instance=instance,
                base_url=sandbox.base_url,
                bot_url=sandbox.bot_url,
                install_url=sandbox.bot_install_url(),
                client_id=sandbox.client_id,
                hints=hints_of(current_app),
            )
        )

    @bp.get("/app_redirect")
    def app_redirect() -> BaseResponse:
        """Slack's deep link into a team and channel: open the console there (other parameters ignored)."""
        wanted = {key: request.args.get(key, "") for key in ("team", "channel")}
        query = urlencode({k: v for k, v in wanted.items() if _ID.match(v)})
        return redirect(f"/?{query}" if query else "/", code=302)

    @bp.after_request
    def headers(response: Response) -> Response:
        if request.path.startswith("/console/static/"):
            _secure(response)
        return response

    return bp
