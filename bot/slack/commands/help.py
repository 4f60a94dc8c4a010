"""`/ig`, `/ig help`, unknown subcommands and usage errors: answered in the ack itself, no I/O."""

from __future__ import annotations

from bot.instagram.models import Capability
from bot.slack import replies
from bot.slack.blocks import Message
from bot.slack.intents import Help, Intent, Usage


def immediate_answer(intent: Intent, capabilities: frozenset[Capability]) -> Message | None:
    """The reply that needs no storage or Instagram call, or None when the command needs real work."""
    if isinstance(intent, Help):
        return replies.help_message(capabilities, intent.unknown, intent.suggestion)
    if isinstance(intent, Usage):
        return replies.usage(intent.message)
    return None
