"""The `/ig` slash command on the web tier: help and usage are answered in the ack itself; every other
subcommand is queued for the worker tier (`bot.jobs`), then acknowledged.

The ack says so when the work could not be queued: storage unreachable, or igbot too busy to finish
it while the response URL lasts.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.jobs.queue import Admission
from bot.services import Services
from bot.slack import replies
from bot.slack.blocks import Message
from bot.slack.commands.help import immediate_answer
from bot.slack.intents import parse
from bot.slack.invocation import Invocation
from bot.slack.workspaces import NOT_INSTALLED_CONTEXT


def refusal(admission: Admission) -> Message | None:
    """The ack's answer when work was not queued, else None (the worker answers)."""
    if admission is Admission.BUSY:
        return replies.plain(replies.BUSY)
    if admission is Admission.STORAGE_DOWN:
        return replies.plain(replies.STORAGE_DOWN)
    if admission is Admission.UNCERTAIN:
        return replies.plain(replies.STORAGE_UNSURE)
    return None


def register(app: App, services: Services) -> None:
    """Attach `/ig` to ``app``: verify (done before Bolt), enqueue, ack; all within Slack's 3 s."""
    capabilities = services.instagram.capabilities

    def ack_ig(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        if context.get(NOT_INSTALLED_CONTEXT):
            ack(replies.plain(replies.NOT_INSTALLED))
            return
        answer = immediate_answer(parse(command.get("text", "")), capabilities)
        if answer is None:
            answer = refusal(services.jobs.command(Invocation.from_command(command)))
        ack(answer or {})

    app.command("/ig")(ack_ig)
