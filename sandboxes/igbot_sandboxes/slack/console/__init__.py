"""The browser console of the Slack stand-in: a Slack-like channel view to act as sandbox users.

Served at `/` as static HTML, CSS and JavaScript (no build step). The page talks to the stand-in's
JSON controls: it sends slash commands with `POST /__sandbox__/command` (signed exactly like
`SlackSandbox.send_command`), clicks buttons with `POST /__sandbox__/click`, and polls
`/__sandbox__/messages?since=` and `/__sandbox__/commands?since=` for what to show.
`/app_redirect?team=&channel=` (where the bot's callback page sends people back) opens it on that channel.
`/console/info` also carries the hints under the message box, per API (hints.py, `set_console_hints`).
"""

from igbot_sandboxes.slack.console.hints import HINTS, hints_of, set_console_hints
from igbot_sandboxes.slack.console.log import ConsoleEntry, ConsoleLog, failure_text
from igbot_sandboxes.slack.console.routes import console_blueprint

__all__ = [
    "HINTS",
    "ConsoleEntry",
    "ConsoleLog",
    "console_blueprint",
    "failure_text",
    "hints_of",
    "set_console_hints",
]
