"""What happens around every ``/graph`` request: usage counting, the per-IG-account limit (80002),
the usage headers and injected faults rendered as graph errors.

Headers on every graph answer: ``X-App-Usage`` (app calls this hour as a percentage of 200 per app user),
``facebook-api-version`` and ``x-fb-trace-id``; on calls about an Instagram account (its node, its
edges, its media, or ``user_id=`` of hashtag calls) also ``X-Business-Use-Case-Usage``.
"""

from __future__ import annotations

import json

from flask import Response, g, request
from werkzeug.exceptions import HTTPException

from igbot_sandboxes.instagram.faults import Fault
from igbot_sandboxes.instagram.graph.errors import (
    GraphError,
    default_status,
    error_response,
    fbtrace_id,
    unsupported,
)
from igbot_sandboxes.instagram.graph.limits import AccountUsage
from igbot_sandboxes.instagram.graph.state import GraphMode
from igbot_sandboxes.instagram.state import SandboxState

PREFIX = "/graph"
DEFAULT_VERSION = "v25.0"
MALFORMED_BODY = '{"data": [{"id": "'  # cut off mid-string: not JSON
STATUS_CODES = {400: 100, 401: 190, 403: 200, 404: 100, 429: 4}


def _version_and_parts() -> tuple[str | None, list[str]]:
    parts = [p for p in request.path[len(PREFIX) :].split("/") if p]
    if parts and parts[0].startswith("v") and "." in parts[0]:
        return parts[0], parts[1:]
    return None, parts


def account_of_request(mode: GraphMode) -> str | None:
    """The IG account this request is about, or None (token endpoint, ``me``, Pages...)."""
    _, parts = _version_and_parts()
    node = parts[0] if parts else ""
    if mode.world.account_by_id(node) is not None:
        return node
    item = mode.world.media_by_id(mode.comment_media(node) or node)
    if item is not None and item.professional:
        return item.owner_id
    user_id = request.args.get("user_id", "")
    if mode.world.account_by_id(user_id) is not None:
        return user_id
    return None


def begin(state: SandboxState) -> Response | None:
    """Count this call; the 80002 answer when its IG account is over the hourly limit, else None."""
    mode = state.graph_mode
    g.graph_app_usage = mode.app_usage.hit(state.config.client_id, mode.tokens.users_with_tokens())
    account = account_of_request(mode)
    if account is None:
        return None
    usage = mode.limiter.hit(account)
    g.graph_account_usage = (account, usage)
    if usage.allowed:
        return None
    return error_response(GraphError(80002))


def _usage(percent: int) -> dict[str, int]:
    return {"call_count": percent, "total_cputime": percent // 3, "total_time": percent // 2}


def add_headers(response: Response) -> None:
    """Usage, version and trace headers on a graph answer."""
    response.headers["X-App-Usage"] = json.dumps(_usage(int(g.get("graph_app_usage", 0))))
    counted: tuple[str, AccountUsage] | None = g.get("graph_account_usage")
    if counted is not None:
        account, usage = counted
        entry = {
            "type": "instagram",
            **_usage(usage.call_count),
            "estimated_time_to_regain_access": usage.regain_minutes,
        }
        response.headers["X-Business-Use-Case-Usage"] = json.dumps({account: [entry]})
    version, _ = _version_and_parts()
    response.headers["facebook-api-version"] = version or DEFAULT_VERSION
    response.headers["x-fb-trace-id"] = fbtrace_id()


def fault_response(fault: Fault) -> Response | None:
    """The graph answer of an injected fault, or None to carry on (latency only).

    With ``error_code`` the body is that graph error; its HTTP status is the code's usual one (500 for
    1 and 2, else 400) unless ``status`` says otherwise (anything but None, 0 or the default 500).
    Without it a status maps to a plausible code: 5xx -> 2, 400 -> 100, 401 -> 190, 403 -> 200, 429 -> 4.
    """
    if fault.malformed:
        return Response(MALFORMED_BODY, status=200, mimetype="application/json")
    error_type = fault.error_type or "OAuthException"
    if fault.error_code is not None:
        code = fault.error_code
        status = fault.status if fault.status not in (None, 0, 500) else default_status(code)
    elif not fault.status:
        return None
    else:
        status = fault.status
        code = 2 if status >= 500 else STATUS_CODES.get(status, 1)
    error = GraphError(
        code, fault.error_message, subcode=fault.error_subcode, status=status, error_type=error_type
    )
    return error_response(error)


def http_error(exc: HTTPException) -> GraphError:
    """The graph error for a routing failure under ``/graph`` (unknown path, wrong method)."""
    if exc.code == 405:
        _, parts = _version_and_parts()
        return unsupported(parts[0] if parts else request.path, request.method.lower())
    if exc.code == 404:
        return GraphError(2500, "Unknown path components: " + request.path)
    return GraphError(1, status=exc.code or 500)
