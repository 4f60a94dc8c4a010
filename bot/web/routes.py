"""The WSGI app: Flask routes in front of Bolt (docs/interfaces.md, "HTTP routes of the bot")."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask.handler import to_bolt_request, to_flask_response

from bot.core.services import Services
from bot.storage import StorageUnavailable
from bot.web import webhook
from bot.web.callback import handle_callback
from bot.web.install import INSTALL_PATH, REDIRECT_PATH, IgbotOAuthFlow
from bot.web.slack_guard import MAX_BODY_BYTES, ReplayCache, ReplayStore, SlackRequestGuard

__all__ = ["MAX_BODY_BYTES", "create_web_app"]


def create_web_app(
    bolt_app: App,
    services: Services,
    *,
    signing_secret: str | None = None,
    replay_store: ReplayStore | None = None,
    instagram_secret: str = "",
    install: IgbotOAuthFlow | None = None,
) -> Flask:
    """Flask app serving `POST /slack/events`, `GET /instagram/callback`, `GET|POST /instagram/webhook`,
    `GET /maps/<id>.png` (a rendered `/ig map`) and `GET /healthz` (storage, queue depth, worker
    heartbeats).

    Args:
        bolt_app: handles the Slack requests that pass the checks in `bot.web.slack_guard`.
        services: what the callback and the health check use.
        signing_secret: Slack's signing secret; by default the one ``bolt_app`` was built with.
        instagram_secret: the Instagram client (app) secret that signs webhook notifications.
        replay_store: a store shared by every worker process (the redis-py client) to catch a replayed
            request whichever process it reaches; without it each process catches the replays it sees.
        install: Bolt's OAuth flow ("Add to Slack": `GET /slack/install`, `GET /slack/oauth_redirect`);
            None in the single-workspace mode, where those paths are 404.
    """
    web = Flask("igbot")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    secret = signing_secret if signing_secret is not None else str(getattr(bolt_app, "_signing_secret", ""))
    guard = SlackRequestGuard(bolt_app, secret, replays=ReplayCache(replay_store))

    @web.post("/slack/events")
    def slack_events() -> Response:
        return guard.handle(request)

    if install is not None:

        @web.get(INSTALL_PATH)
        def slack_install() -> Response:
            return to_flask_response(install.handle_installation(to_bolt_request(request)))

        @web.get(REDIRECT_PATH)
        def slack_oauth_redirect() -> Response:
            return to_flask_response(install.handle_callback(to_bolt_request(request)))

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

    @web.get("/instagram/webhook")
    def instagram_handshake() -> tuple[str, int, dict[str, str]]:
        answer, status = webhook.handshake(request.args.to_dict(), services.webhook_verify_token)
        return answer, status, {"Content-Type": "text/plain; charset=utf-8"}

    @web.post("/instagram/webhook")
    def instagram_notification() -> tuple[str, int, dict[str, str]]:
        if not instagram_secret:
            return "not configured", 404, {"Content-Type": "text/plain; charset=utf-8"}
        body = request.get_data(cache=False)
        answer, status = webhook.notification(body, dict(request.headers), instagram_secret, services)
        return answer, status, {"Content-Type": "text/plain; charset=utf-8"}

    @web.get("/maps/<map_id>.png")
    def map_png(map_id: str) -> Response:
        plain = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
        try:
            found = services.maps.load(map_id)
        except StorageUnavailable:
            return Response("igbot can't reach its storage right now", 503, headers=plain)
        if found is None:  # unknown, expired or malformed: the same answer, so ids cannot be probed
            return Response("This map has expired (maps are kept 7 days).", 404, headers=plain)
        png, seconds_left = found
        headers = {
            "Cache-Control": f"public, max-age={seconds_left}, immutable",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        return Response(png, 200, mimetype="image/png", headers=headers)

    @web.get("/healthz")
    def healthz() -> tuple[Response, int]:
        try:
            queue = services.jobs.health()
        except StorageUnavailable:
            return jsonify(status="unavailable", storage="unreachable"), 503
        workers = {"alive": queue.workers_alive, "last_seen_seconds_ago": queue.last_seen_seconds_ago}
        return jsonify(status="ok", storage="ok", queue={"depth": queue.depth}, workers=workers), 200

    return web
