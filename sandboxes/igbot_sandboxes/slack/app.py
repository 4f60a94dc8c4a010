"""The stand-in's Flask app: one blueprint per concern, wired around one SlackStandIn (sandbox.py).

`server.SlackSandbox` builds it and serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from igbot_sandboxes.slack.console import ConsoleLog, console_blueprint
from igbot_sandboxes.slack.controls import controls_blueprint
from igbot_sandboxes.slack.install_page import install_blueprint
from igbot_sandboxes.slack.responses import response_url_blueprint
from igbot_sandboxes.slack.webapi import webapi_blueprint

if TYPE_CHECKING:
    from igbot_sandboxes.slack.sandbox import SlackStandIn


def create_app(sandbox: SlackStandIn) -> Flask:
    """The WSGI app serving the Web API, response URLs, `/__sandbox__/` controls, the OAuth authorize
    page (`/oauth/v2/authorize`) and the console (`/`)."""
    app = Flask("slack_sandbox")
    app.register_blueprint(
        webapi_blueprint(
            sandbox.workspace,
            sandbox.recorder,
            sandbox.images,
            is_down=lambda: sandbox.webapi_down,
            scopes=lambda: sandbox.bot_scopes,
            post_limits=sandbox.post_limits,
            views=sandbox.views,
            triggers=sandbox.triggers,
            authenticate=sandbox.authenticate,
            open_methods={"oauth.v2.access": sandbox.oauth_access},
            extras=lambda: {
                "installs": sandbox.installs,
                "home": sandbox.home_views,
                "unfurls": sandbox.unfurls,
                "socket": sandbox.socket,
            },
        )
    )
    app.register_blueprint(install_blueprint(sandbox))
    app.register_blueprint(response_url_blueprint(sandbox.response_urls, sandbox.recorder, sandbox.images))
    app.register_blueprint(controls_blueprint(sandbox, ConsoleLog(sandbox.recorder.next_ts)))
    app.register_blueprint(console_blueprint(sandbox))
    return app
