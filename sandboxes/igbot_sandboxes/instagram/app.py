"""Wiring: the Flask app, the per-request gate (log, rate limit, faults) and v1 error handling."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from igbot_sandboxes.instagram import assets, controls, inbox_controls, post_controls, tiles
from igbot_sandboxes.instagram.faults import (
    UNSET,
    Fault,
    default_error_message,
    default_error_type,
    nginx_page,
)
from igbot_sandboxes.instagram.graph import api as graph_api
from igbot_sandboxes.instagram.graph import controls as graph_controls
from igbot_sandboxes.instagram.graph import errors as graph_errors
from igbot_sandboxes.instagram.graph import gate as graph_gate
from igbot_sandboxes.instagram.graph import oauth as graph_oauth
from igbot_sandboxes.instagram.graph import pages as graph_pages
from igbot_sandboxes.instagram.graph.errors import GraphError
from igbot_sandboxes.instagram.instagram_login import api as instagram_login_api
from igbot_sandboxes.instagram.instagram_login import controls as instagram_login_controls
from igbot_sandboxes.instagram.instagram_login import oauth as instagram_login_oauth
from igbot_sandboxes.instagram.legacy import (
    api_comments,
    api_media,
    api_places,
    api_subscriptions,
    api_users,
    oauth,
)
from igbot_sandboxes.instagram.legacy.envelope import (
    JSON_MIMETYPE,
    APIError,
    error_response,
    flat_error_response,
)
from igbot_sandboxes.instagram.reqlog import redact
from igbot_sandboxes.instagram.state import SandboxState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

MALFORMED_BODY = '{"meta": {"code": 200}, "data": [{"id": "'  # cut off mid-string: not JSON
MALFORMED_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"  # a PNG cut off in its header
RAW_PATH_KEY = "igsandbox.raw_path"


def strip_json_suffix(app: WSGIApplication) -> WSGIApplication:
    """Middleware: ``/v1/users/self.json`` is ``/v1/users/self`` (python-instagram adds ``.json``)."""

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        environ[RAW_PATH_KEY] = path
        if path.startswith("/v1/") and path.endswith(".json"):
            environ["PATH_INFO"] = path[: -len(".json")]
        return app(environ, start_response)

    return wrapped


def rate_key() -> str:
    """Whose hour window a /v1 request counts against: its token, else its client id, else its address."""
    if "access_token" in request.args:
        return "token:" + request.args["access_token"]
    if request.args.get("client_id"):
        return "client:" + request.args["client_id"]
    return f"anonymous:{request.remote_addr}"


def fault_response(fault: Fault, path: str) -> Response | None:
    """The response an injected fault answers with, or None to carry on (latency-only fault)."""
    if path.startswith(graph_gate.PREFIX):
        return graph_gate.fault_response(fault)
    if path.startswith(tiles.PREFIX):
        return tile_fault_response(fault)
    if path.startswith(graph_oauth.DIALOG_PREFIX) and fault.status and not fault.malformed:
        message = fault.error_message or "Sorry, something went wrong."
        return Response(graph_pages.dialog_error_page(message), status=fault.status, mimetype="text/html")
    if fault.malformed:
        return Response(MALFORMED_BODY, status=200, mimetype=JSON_MIMETYPE)
    if not fault.status:
        return None
    if fault.error_type is None and fault.status >= 500 and fault.meta_code is UNSET:
        return Response(nginx_page(fault.status), status=fault.status, mimetype="text/html")
    error_type = fault.error_type or default_error_type(fault.status)
    message = fault.error_message or default_error_message(error_type)
    make = flat_error_response if path.startswith("/oauth") else error_response
    code = {} if fault.meta_code is UNSET else {"code": fault.meta_code}
    return make(error_type, message, fault.status, **code)


def tile_fault_response(fault: Fault) -> Response | None:
    """A faulted map tile: a tile server's plain error page for ``status`` (``error_message`` as plain
    text instead, when given), a truncated PNG with 200 for ``malformed``, or None (latency only)."""
    if fault.malformed:
        return Response(MALFORMED_PNG, status=200, mimetype="image/png")
    if not fault.status:
        return None
    if fault.error_message:
        return Response(fault.error_message + "\n", status=fault.status, mimetype="text/plain")
    return Response(nginx_page(fault.status), status=fault.status, mimetype="text/html")


def _log_entry(now: float) -> dict[str, Any]:
    auth = request.authorization
    return {
        "time": now,
        "method": request.method,
        "path": request.environ.get(RAW_PATH_KEY, request.path),
        "query": redact(request.args),
        "form": redact(request.form),
        "authorization": auth.type if auth else None,
        "status": None,
    }


def install_gate(app: Flask, state: SandboxState, sleep: Callable[[float], object]) -> None:
    """Log, rate-limit (/v1 per token, /graph per Instagram account) and fault every request except the
    controls; first delete the posts armed to vanish before this read (`deletions`)."""

    @app.before_request
    def gate() -> Response | None:
        path = request.path
        if path.startswith(controls.PREFIX):
            return None
        g.log_entry = _log_entry(state.clock())
        state.log.add(g.log_entry)
        state.delete_before_read(path)  # a post its owner deletes between a client's list and its read
        if path.startswith("/v1"):
            decision = state.limiter.hit(rate_key())
            g.rate = decision
            if not decision.allowed:
                return error_response(
                    "OAuthRateLimitException",
                    "The maximum number of requests per hour has been exceeded. You have made "
                    f"{decision.made} requests of the {decision.limit} allowed in the last hour.",
                    429,
                )
        elif path.startswith(graph_gate.PREFIX) and state.config.api != "v1":
            limited = graph_gate.begin(state)
            if limited is not None:
                return limited
        fault = state.faults.take(path)
        if fault is None:
            return None
        g.fault_headers = fault.headers
        if fault.latency_ms > 0:
            sleep(fault.latency_ms / 1000)
        return fault_response(fault, path)

    @app.after_request
    def finish(response: Response) -> Response:
        rate = g.get("rate")
        if rate is not None:
            response.headers["X-Ratelimit-Limit"] = str(rate.limit)
            response.headers["X-Ratelimit-Remaining"] = str(rate.remaining)
        if request.path.startswith(graph_gate.PREFIX) and state.config.api != "v1":
            graph_gate.add_headers(response)
        for name, value in g.get("fault_headers", {}).items():  # last: a fault's headers win
            response.headers[name] = value
        entry = g.get("log_entry")
        if entry is not None:
            state.log.finish(entry, response.status_code)
        return response


def create_app(state: SandboxState) -> Flask:
    """The sandbox's Flask app over ``state``."""
    app = Flask(__name__)
    app.url_map.strict_slashes = False
    if state.config.api in ("both", "v1"):
        oauth.register(app, state)
        api_users.register(app, state)
        api_media.register(app, state)
        api_places.register(app, state)
        api_subscriptions.register(app, state)
        api_comments.register(app, state)
    if state.config.api in ("both", "graph"):
        graph_oauth.register(app, state)
        graph_api.register(app, state)
        instagram_login_oauth.register(app, state)
        instagram_login_api.register(app, state)
    controls.register(app, state)
    post_controls.register(app, state)
    inbox_controls.register(app, state)
    graph_controls.register(app, state)
    instagram_login_controls.register(app, state)
    assets.register(app, state)
    tiles.register(app, state)  # before the gate: a faulted tile request is still in the tile log
    install_gate(app, state, state.faults.cancelled.wait)

    @app.errorhandler(APIError)
    def api_error(exc: APIError) -> Response:
        return error_response(exc.error_type, exc.error_message, exc.status)

    @app.errorhandler(GraphError)
    def graph_error(exc: GraphError) -> Response:
        return graph_errors.error_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        if request.path.startswith(graph_gate.PREFIX) and state.config.api != "v1":
            return graph_errors.error_response(graph_gate.http_error(exc))
        if not request.path.startswith("/v1"):
            return exc
        status = exc.code or 500
        if status == 404:
            return error_response("APINotFoundError", "this endpoint does not exist", 404)
        if status == 405:
            return error_response("APIInvalidParametersError", f"{request.method} is not allowed here", 405)
        return error_response("APIError", "Oops, an error occurred.", status)

    app.wsgi_app = strip_json_suffix(app.wsgi_app)  # type: ignore[method-assign,assignment]
    return app
