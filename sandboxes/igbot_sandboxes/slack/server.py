"""`SlackSandbox`: the Slack stand-in served over HTTP, for tests, `igbot dev` and the CLI.

`SlackStandIn` (sandbox.py) is what the stand-in knows and does; this adds its Flask app (app.py) and a
threaded server. The wiring lives here so that sandbox.py never imports the routes that act on it.
"""

from __future__ import annotations

from functools import cached_property

from flask import Flask

from bot.threaded_server import RunningServer, start_server
from igbot_sandboxes.slack.app import create_app
from igbot_sandboxes.slack.sandbox import SlackStandIn


class SlackSandbox(SlackStandIn):
    """A `SlackStandIn` (same arguments) with its HTTP face: ``start`` serves ``app``, ``stop`` ends it."""

    _server: RunningServer | None = None

    @cached_property
    def app(self) -> Flask:
        """The WSGI app (app.py's `create_app`) serving the Web API, response URLs, the controls, the
        authorize page and the console; built on first use."""
        return create_app(self)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
        """Serve on ``host:port`` (0 = any free port) from a thread; sets ``base_url``."""
        self._server = start_server(self.app, host=host, port=port, name="slack-sandbox")
        self.base_url = self._server.url
        return self._server

    def stop(self) -> None:
        """Stop the server started by ``start`` (if any)."""
        if self._server is not None:
            self._server.stop()
