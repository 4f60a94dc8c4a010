"""`InstagramSandbox`: the Python face of the sandbox (tests, `igbot dev`, `igbot sandbox instagram`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from bot.sandboxes.instagram.app import create_app
from bot.sandboxes.instagram.faults import Fault
from bot.sandboxes.instagram.state import DEFAULT_TOKEN_SCOPE, SandboxConfig, SandboxState
from bot.sandboxes.instagram.world import World
from bot.serving import RunningServer, start_server


class InstagramSandbox:
    """A stand-in for the legacy Instagram API v1 (OAuth, /v1 endpoints, pictures) over a seeded world.

    Args:
        client_id: the one registered app's client id.
        client_secret: its secret.
        rate_limit_per_hour: requests allowed per token (or client id) in a sliding hour.
        code_ttl_seconds: lifetime of authorization codes.
        seed: world seed; the same seed always gives the same users and media.
        clock: time source in seconds (inject a fake one to test code expiry and rate windows).
    """

    def __init__(
        self,
        client_id: str = "sandbox-client-id",
        client_secret: str = "sandbox-client-secret",  # noqa: S107 - the documented sandbox credential
        rate_limit_per_hour: int = 5000,
        code_ttl_seconds: float = 600,
        seed: int = 1,
        clock: Callable[[], float] | None = None,
    ) -> None:
        config = SandboxConfig(client_id, client_secret, rate_limit_per_hour, code_ttl_seconds, seed)
        self._state = SandboxState(config, clock or time.time)
        self._app = create_app(self._state)
        self._servers: list[RunningServer] = []

    @property
    def wsgi_app(self) -> Flask:
        """The WSGI application (a Flask app)."""
        return self._app

    @property
    def world(self) -> World:
        """The seeded world: ``users``, ``media``, ``locations``, ``user_by_username()``..."""
        return self._state.world

    @property
    def client_id(self) -> str:
        """The registered client id."""
        return self._state.config.client_id

    @property
    def client_secret(self) -> str:
        """The registered client secret."""
        return self._state.config.client_secret

    def start(self, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
        """Serve on ``host:port`` (0 = any free port) from a background thread; returns once listening."""
        server = start_server(self._app, host=host, port=port, name="instagram-sandbox")
        self._servers.append(server)
        return server

    def stop(self) -> None:
        """Stop every server `start` started."""
        while self._servers:
            self._servers.pop().stop()

    def __enter__(self) -> InstagramSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def follows_of(self, username: str) -> dict[str, list[str]]:
        """``{"follows": [usernames], "requested": [usernames]}`` for the user's outgoing edges.

        Raises:
            ValueError: unknown username.
        """
        return self._state.follows_of(username)

    def revoke(self, username: str | None = None, access_token: str | None = None) -> int:
        """Revoke one token, every token of a user, or (no argument) every token; returns how many."""
        return self._state.revoke(username, access_token)

    def inject_faults(
        self,
        count: int,
        status: int | None = 500,
        error_type: str | None = None,
        error_message: str | None = None,
        latency_ms: int = 0,
        malformed: bool = False,
        path_prefix: str = "/v1",
    ) -> None:
        """Make the next ``count`` requests under ``path_prefix`` fail.

        Latency comes first (a client with a shorter read timeout sees a timeout); then ``malformed``
        answers 200 with a body that is not JSON, or ``status`` answers with a v1 error envelope
        (flat for ``/oauth``; a 5xx without ``error_type`` answers nginx's HTML page).  ``status=None``
        with a latency only delays the request.  Faults queue in order.
        """
        self._state.inject_faults(
            Fault(count, status, error_type, error_message, latency_ms, malformed, path_prefix)
        )

    def reset(self) -> None:
        """Back to the seeded world: tokens, codes, follow graph, faults, rate counters, request log."""
        self._state.reset()

    def requests_log(self) -> list[dict[str, Any]]:
        """Recent requests (oldest first): method, path, query, form, authorization, status, time.

        Values of ``client_secret``, ``code`` and ``access_token`` are ``"[redacted]"``;
        ``redirect_uri`` is kept verbatim.
        Requests to ``/__sandbox__/`` are not logged.
        """
        return self._state.log.entries()

    def issue_token(self, username: str, scope: str = DEFAULT_TOKEN_SCOPE) -> str:
        """An access token for ``username`` without the browser flow.

        Raises:
            ValueError: unknown username or invalid scope.
        """
        token, _ = self._state.issue_token(username, scope)
        return token
