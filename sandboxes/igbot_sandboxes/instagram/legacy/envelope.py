"""Legacy v1 response bodies: the ``meta``/``data``/``pagination`` envelope and both error forms."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

JSON_MIMETYPE = "application/json"
STATUS: Any = object()  # error bodies' default ``code``: the HTTP status


class APIError(Exception):
    """An enveloped v1 error: ``{"meta": {"code", "error_type", "error_message"}}``, HTTP status = code."""

    def __init__(self, error_type: str, error_message: str, status: int = 400) -> None:
        super().__init__(error_message)
        self.error_type = error_type
        self.error_message = error_message
        self.status = status


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response with the given status."""
    return Response(json.dumps(body), status=status, mimetype=JSON_MIMETYPE)


def ok(data: Any, pagination: dict[str, Any] | None = None) -> Response:
    """``{"meta": {"code": 200}, "data": data[, "pagination": ...]}``."""
    body: dict[str, Any] = {"meta": {"code": 200}, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return json_response(body)


def error_response(error_type: str, error_message: str, status: int = 400, *, code: Any = STATUS) -> Response:
    """An enveloped error (``meta`` only, no ``data``).  ``meta.code`` is the HTTP status unless ``code``
    says otherwise (injected faults may make it anything, e.g. ``"abc"`` or null)."""
    meta = {
        "code": status if code is STATUS else code,
        "error_type": error_type,
        "error_message": error_message,
    }
    return json_response({"meta": meta}, status)


def flat_error_response(
    error_type: str, error_message: str, status: int = 400, *, code: Any = STATUS
) -> Response:
    """The token endpoint's flat error: ``{"code", "error_type", "error_message"}`` (``code`` as above)."""
    body = {
        "code": status if code is STATUS else code,
        "error_type": error_type,
        "error_message": error_message,
    }
    return json_response(body, status)
