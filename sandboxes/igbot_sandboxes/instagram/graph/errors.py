"""The Graph API error object: ``{"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}``.

HTTP status is 400 for almost everything, 500 for the transient codes 1 and 2.  Code 190 answers also
carry the ``WWW-Authenticate: OAuth "Facebook Platform" "invalid_token" ...`` header, as Facebook's do.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Response, g, has_request_context

JSON_MIMETYPE = "application/json"
TRANSIENT_CODES = frozenset({1, 2})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80002})

DEFAULT_MESSAGES = {
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    17: "(#17) User request limit reached",
    24: "The requested resource does not exist",
    32: "(#32) Page request limit reached",
    100: "(#100) Invalid parameter",
    102: "Session key invalid or no longer valid",
    104: "An access token is required to request this resource.",
    110: "(#110) Cannot find User",
    190: "Invalid OAuth access token - Cannot parse access token",
    200: "(#200) Permissions error",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    2500: "Unknown path components",
    80002: "There have been too many calls to this Instagram account. Wait a bit and try again. For more "
    "info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}
TOKEN_SUBCODE_MESSAGES = {
    458: "Error validating access token: The user has not authorized application {app}.",
    460: "Error validating access token: The session has been invalidated because the user changed "
    "their password or Facebook has changed the session for security reasons.",
    463: "Error validating access token: Session has expired on {expired}. The current time is {now}.",
    467: "Error validating access token: The session is invalid because the user logged out.",
}
UNSUPPORTED = (
    "Unsupported {method} request. Object with ID '{node}' does not exist, cannot be loaded due to "
    "missing permissions, or does not support this operation. Please read the Graph API documentation "
    "at https://developers.facebook.com/docs/graph-api"
)


def default_message(code: int) -> str:
    """A Graph-like message for ``code`` (used by injected faults and plain errors)."""
    return DEFAULT_MESSAGES.get(code, DEFAULT_MESSAGES[1])


def default_status(code: int) -> int:
    """The HTTP status Facebook answers a graph error code with: 500 for codes 1 and 2, else 400."""
    return 500 if code in TRANSIENT_CODES else 400


class GraphError(Exception):
    """A graph error object to answer with (raised anywhere under ``/graph``)."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        subcode: int | None = None,
        status: int | None = None,
        error_type: str = "OAuthException",
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else default_message(code)
        super().__init__(self.message)
        self.subcode = subcode
        self.status = status if status is not None else default_status(code)
        self.error_type = error_type
        self.user_title = user_title
        self.user_msg = user_msg


def unsupported(node: str, method: str = "get") -> GraphError:
    """Facebook's answer for an unknown node, one the token may not read, or a wrong method (100/33)."""
    return GraphError(
        100,
        UNSUPPORTED.format(method=method, node=node),
        subcode=33,
        error_type="GraphMethodException",
    )


def nonexisting_field(field: str, node_type: str) -> GraphError:
    """A requested field the node type does not have (code 100)."""
    return GraphError(100, f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})")


def new_fbtrace_id() -> str:
    """An opaque trace id like Facebook's ``fbtrace_id`` (22 URL-safe characters)."""
    return "A" + secrets.token_urlsafe(16)[:21]


def fbtrace_id() -> str:
    """The current request's trace id (one per request, also sent as ``x-fb-trace-id``)."""
    if not has_request_context():
        return new_fbtrace_id()
    if "fbtrace_id" not in g:
        g.fbtrace_id = new_fbtrace_id()
    return str(g.fbtrace_id)


def error_body(error: GraphError) -> dict[str, Any]:
    """The JSON object of a graph error."""
    inner: dict[str, Any] = {"message": error.message, "type": error.error_type, "code": error.code}
    if error.subcode is not None:
        inner["error_subcode"] = error.subcode
    if error.code in TRANSIENT_CODES or error.code in RATE_LIMIT_CODES:
        inner["is_transient"] = True
    if error.user_title is not None:
        inner["error_user_title"] = error.user_title
    if error.user_msg is not None:
        inner["error_user_msg"] = error.user_msg
    inner["fbtrace_id"] = fbtrace_id()
    return {"error": inner}


def graph_json(body: Any, status: int = 200) -> Response:
    """A JSON answer as the Graph API sends it."""
    return Response(json.dumps(body), status=status, mimetype=JSON_MIMETYPE)


def error_response(error: GraphError) -> Response:
    """The HTTP answer for ``error``."""
    response = graph_json(error_body(error), error.status)
    if error.code == 190:
        reason = error.message.replace('"', "'")
        response.headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{reason}"'
    return response
