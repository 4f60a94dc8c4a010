"""`/ig user <username>`: a private profile card."""

from __future__ import annotations

from bot.instagram.models import Capability
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands.login import require_link
from bot.slack.intents import Intent, Profile
from bot.slack.invocation import Invocation, Reply


def run_profile(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Look the account up as the linked user and show its card."""
    assert isinstance(intent, Profile)
    if Capability.PROFILE not in services.instagram.capabilities:
        reply(replies.plain(replies.UNSUPPORTED))
        return
    link = require_link(invocation, services, reply, "user")
    if link is None:
        return
    account = services.instagram.find_account(link.creds, intent.username)
    reply(blocks.account_card(account, ":bust_in_silhouette: Instagram profile"))
