"""The `/ig` slash command: a cheap ack (help and usage answered in it), the rest in a lazy listener."""

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

    def ack_ig(ack: Ack, command: dict[str, Any]) -> None:
        answer = immediate_answer(parse(command.get("text", "")), capabilities)
        ack(answer) if answer is not None else ack()

    def run_ig(command: dict[str, Any]) -> None:
        intent = parse(command.get("text", ""))
        if immediate_answer(intent, capabilities) is None:
            invocation = Invocation.from_command(command)
            dispatch.run(intent, invocation, services, responder(invocation.response_url))

    app.command("/ig")(ack=ack_ig, lazy=[run_ig])
