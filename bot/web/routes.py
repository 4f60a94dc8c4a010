"""The WSGI app: Flask routes in front of Bolt (DESIGN.md, "HTTP routes of the bot")."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.services import Services
from bot.web.callback import handle_callback

MAX_BODY_BYTES = 1024 * 1024


def create_web_app(bolt_app: App, services: Services) -> Flask:
    """Flask app serving `POST /slack/events`, `GET /instagram/callback` and `GET /healthz`."""
    web = Flask("igbot")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    slack_handler = SlackRequestHandler(bolt_app)

    @web.post("/slack/events")
    def slack_events() -> Response:
        return slack_handler.handle(request)

    @web.get("/instagram/callback")
    def instagram_callback() -> tuple[str, int, dict[str, str]]:
        page = handle_callback(request.args.to_dict(), services)
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        }
        return page.html, page.status, headers

    @web.get("/healthz")
    def healthz() -> tuple[Response, int]:
        if services.storage_ok():
            return jsonify(status="ok"), 200
        return jsonify(status="unavailable", storage="unreachable"), 503

    return web
