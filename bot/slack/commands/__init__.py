"""The `/ig` slash command: help and usage are answered in the ack itself; every other subcommand is
acknowledged at once and does its storage and Instagram work in a Bolt lazy listener."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands import dispatch
from bot.slack.commands.help import immediate_answer
from bot.slack.intents import parse
from bot.slack.invocation import Invocation
from bot.slack.responder import responder


def register(app: App, services: Services) -> None:
    """Attach `/ig` to ``app``: ack within Slack's 3 s, then do the I/O after the ack."""
    capabilities = services.instagram.capabilities

    def answers_at_once(command: dict[str, Any]) -> bool:
        return immediate_answer(parse(command.get("text", "")), capabilities) is not None

    def answer_ig(ack: Ack, command: dict[str, Any]) -> None:
        ack(immediate_answer(parse(command.get("text", "")), capabilities) or {})

    def ack_ig(ack: Ack) -> None:
        ack()

    def run_ig(command: dict[str, Any]) -> None:
        invocation = Invocation.from_command(command)
        dispatch.run(parse(invocation.text), invocation, services, responder(invocation.response_url))

    # Bolt runs the first listener whose matchers pass. Help and usage need no lazy listener: that would
    # cost a copy of the request and a thread for nothing.
    app.command("/ig", matchers=[answers_at_once])(answer_ig)
    app.command("/ig")(ack=ack_ig, lazy=[run_ig])
