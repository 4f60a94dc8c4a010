"""Run a WSGI app on a real HTTP server in a background thread.

Used by the sandboxes, by `igbot dev` and by the tests: each server binds a port (0 picks a free one),
is ready as soon as `start_server` returns (the socket is listening before the thread starts), and
stops with `stop()`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log line (URLs may carry tokens)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class RunningServer:
    """A WSGI app served on loopback from a daemon thread."""

    server: BaseWSGIServer
    thread: threading.Thread
    host: str
    port: int
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:51234``."""
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop accepting requests and wait for the serving thread to end."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_server(app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "wsgi") -> RunningServer:
    """Serve ``app`` on ``host:port`` (0 = a free port) in a thread; returns once it listens.

    Args:
        app: any WSGI application.
        host: interface to bind; loopback by default.
        port: TCP port, 0 for a free one chosen by the OS.
        name: thread name, shown in logs and debuggers.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    except SystemExit as exc:  # werkzeug exits the process when the port is taken
        raise OSError(f"cannot listen on {host}:{port} (port in use?)") from exc
    server.daemon_threads = True  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name=name)
    thread.daemon = True
    thread.start()
    return RunningServer(server=server, thread=thread, host=host, port=server.server_port)
