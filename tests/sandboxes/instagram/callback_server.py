"""A tiny real-time callback for the tests: answers the ``hub.challenge`` check, records signed POSTs,
and fails on purpose (a status, a slow answer, a wrong challenge) to show the sandbox's refusals and
retries.  Served on loopback by `bot.threaded_server.start_server`."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Push:
    """One POST the callback received."""

    path: str
    body: bytes
    headers: dict[str, str]
    answered: int

    def updates(self) -> list[dict[str, Any]]:
        loaded: list[dict[str, Any]] = json.loads(self.body)
        return loaded

    def signed_like_meta(self, secret: str) -> bool:
        """Meta's webhook checks: ``X-Hub-Signature-256: sha256=<hex>`` and ``X-Hub-Signature: sha1=<hex>``
        over the raw body, keyed with the app secret."""
        key = secret.encode("utf-8")
        sha256 = "sha256=" + hmac.new(key, msg=self.body, digestmod=hashlib.sha256).hexdigest()
        sha1 = "sha1=" + hmac.new(key, msg=self.body, digestmod=hashlib.sha1).hexdigest()
        return hmac.compare_digest(sha256, self.headers.get("x-hub-signature-256", "")) and (
            hmac.compare_digest(sha1, self.headers.get("x-hub-signature", ""))
        )

    def signed_by(self, secret: str) -> bool:
        """python-instagram's check (`SubscriptionsReactor._verify_signature`): bare hex HMAC-SHA1."""
        digest = hmac.new(secret.encode("utf-8"), msg=self.body, digestmod=hashlib.sha1).hexdigest()
        return digest == self.headers.get("x-hub-signature")


@dataclass
class CallbackServer:
    """WSGI app.  GET with ``hub.challenge`` echoes it when ``hub.verify_token`` equals ``verify_token``
    (403 otherwise); ``challenge_reply`` / ``challenge_status`` / ``challenge_delay`` break that on
    purpose.  POST records the push and answers ``post_statuses.pop(0)`` while any are queued, else
    200, after ``post_delays.pop(0)`` seconds while any are queued, else ``post_delay``."""

    verify_token: str = "vt-123"
    challenge_status: int = 200
    challenge_reply: str | None = None  # answer this instead of the challenge
    challenge_delay: float = 0.0
    post_statuses: list[int] = field(default_factory=list)
    post_delay: float = 0.0
    post_delays: list[float] = field(default_factory=list)
    checks: list[dict[str, str]] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)
    base_url: str = ""
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def url(self, path: str = "/instagram/webhook") -> str:
        return self.base_url + path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET":
            return self._check(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")
        }
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        with self._changed:
            status = self.post_statuses.pop(0) if self.post_statuses else 200
            delay = self.post_delays.pop(0) if self.post_delays else self.post_delay
        time.sleep(delay)
        with self._changed:
            self.pushes.append(Push(environ.get("PATH_INFO", ""), body, headers, status))
            self._changed.notify_all()
        start_response(f"{status} X", [("Content-Type", "text/plain")])
        return [b"ok"]

    def _check(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        self.checks.append(query)
        time.sleep(self.challenge_delay)
        if query.get("hub.verify_token") != self.verify_token:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"wrong verify token"]
        reply = self.challenge_reply if self.challenge_reply is not None else query.get("hub.challenge", "")
        start_response(f"{self.challenge_status} X", [("Content-Type", "text/plain")])
        return [reply.encode()]

    def wait_pushes(self, count: int, timeout: float = 5.0) -> list[Push]:
        """The first ``count`` pushes, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.pushes) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.pushes)} of {count} pushes arrived")
                self._changed.wait(remaining)
            return list(self.pushes[:count])
