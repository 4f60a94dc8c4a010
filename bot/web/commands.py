"""The `/ig` slash command on the web tier: help and usage are answered in the ack itself; every other
subcommand is queued for the worker tier (`bot.worker`), then acknowledged.

The ack says so when the work could not be queued: storage unreachable, or igbot too busy to finish
it while the response URL lasts.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.core import replies
from bot.core.commands import Commands
from bot.core.queue import refusal
from bot.core.services import Services
from bot.features.catalog import RUN_COMMAND
from bot.slack.invocation import Invocation
from bot.slack.workspaces import NOT_INSTALLED_CONTEXT


def register(app: App, services: Services, commands: Commands) -> None:
    """Attach `/ig` to ``app``: verify (done before Bolt), enqueue, ack; all within Slack's 3 s."""
    capabilities = services.instagram.capabilities

    def ack_ig(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        if context.get(NOT_INSTALLED_CONTEXT):
            ack(replies.plain(replies.NOT_INSTALLED))
            return
        answer = commands.immediate_answer(commands.parse(command.get("text", "")), capabilities)
        if answer is None:
            answer = refusal(
                services.jobs.offer(RUN_COMMAND, Invocation.from_command(command, context).payload())
            )
        ack(answer or {})

    app.command("/ig")(ack_ig)
