"""Injected faults: latency, error statuses and malformed bodies for the next N matching requests.

Thread-safe; faults queue up in the order they were injected and each matching request consumes one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # `Fault.meta_code` not given: meta.code is the HTTP status


@dataclass
class Fault:
    """One kind of failure, applied to ``remaining`` more requests under ``path_prefix``.

    ``status`` None (or 0) means "only the latency, then answer normally".  ``error_code`` (and
    ``error_subcode``) apply to graph paths: the answer is a graph error object with that code.
    ``headers`` are sent as given on the faulted answer (also on a latency-only one), after and over
    the sandbox's own headers: ``Retry-After: ²``, ``X-App-Usage: {"call_count": Infinity}`` and the
    like, for clients' defensive parsing.  ``meta_code`` (any JSON value, e.g. ``"abc"``) replaces
    the HTTP status as ``meta.code`` of a v1 error envelope (``code`` of a flat ``/oauth`` error).
    """

    remaining: int
    status: int | None = 500
    error_type: str | None = None
    error_message: str | None = None
    latency_ms: int = 0
    malformed: bool = False
    path_prefix: str = "/v1"
    error_code: int | None = None
    error_subcode: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    meta_code: Any = UNSET


def fault_headers(raw: Mapping[str, Any] | None) -> dict[str, str]:
    """Header name -> value for `Fault.headers`: strings are sent verbatim, anything else as JSON
    (``json.dumps``, so ``float("inf")`` becomes ``Infinity``).

    Raises:
        ValueError: not a mapping, a bad header name, or a value HTTP/1.1 cannot carry (line breaks,
        characters outside ISO-8859-1).
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("headers must be an object of header name -> value")
    out: dict[str, str] = {}
    for name, value in raw.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if not isinstance(name, str) or not name or any(c in name for c in ":\r\n \t"):
            raise ValueError(f"bad header name {name!r}")
        if "\r" in text or "\n" in text:
            raise ValueError(f"header {name} must not contain line breaks")
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(f"header {name} must be ISO-8859-1 text (HTTP/1.1 cannot carry it)") from None
        out[name] = text
    return out


DEFAULT_ERROR_TYPES = {
    400: "APIError",
    401: "OAuthAccessTokenException",
    403: "OAuthForbiddenException",
    404: "APINotFoundError",
    420: "OAuthRateLimitException",
    429: "OAuthRateLimitException",
}
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Time-out",
}


def default_error_type(status: int) -> str:
    """A plausible legacy ``error_type`` for an HTTP status."""
    return DEFAULT_ERROR_TYPES.get(status, "APIError")


def nginx_page(status: int) -> str:
    """The plain HTML error page Instagram's front nginx answered 5xx with."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    return (
        f'<html>\r\n<head><title>{title}</title></head>\r\n<body bgcolor="white">\r\n'
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


class FaultQueue:
    """Pending faults; `take(path)` hands out the next one that applies to a path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.cancelled = threading.Event()  # set by reset(): cuts injected latency short

    def add(self, fault: Fault) -> None:
        """Queue a fault (``remaining`` must be positive)."""
        if fault.remaining <= 0:
            raise ValueError("count must be positive")
        if not fault.path_prefix.startswith("/"):
            raise ValueError("path_prefix must start with '/'")
        with self._lock:
            self.cancelled.clear()
            self._faults.append(fault)

    def take(self, path: str) -> Fault | None:
        """Consume one use of the first fault whose prefix matches ``path``."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> int:
        """Requests still to be faulted."""
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def reset(self) -> None:
        """Drop every pending fault and wake requests sleeping in injected latency."""
        with self._lock:
            self._faults.clear()
            self.cancelled.set()


DEFAULT_MESSAGES = {
    "OAuthAccessTokenException": "The access_token provided is invalid.",
    "OAuthRateLimitException": "The maximum number of requests per hour has been exceeded.",
    "APINotFoundError": "this user does not exist",
    "APINotAllowedError": "you cannot view this resource",
    "OAuthForbiddenException": "Invalid signed-request: Signature does not match",
}


def default_error_message(error_type: str) -> str:
    """A plausible ``error_message`` for an injected ``error_type``."""
    return DEFAULT_MESSAGES.get(error_type, "Oops, an error occurred.")
