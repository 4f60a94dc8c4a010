"""`/ig me`: which Instagram account is linked (from storage; no Instagram call)."""

from __future__ import annotations

from bot.services import Services
from bot.slack import replies
from bot.slack.commands.login import offer_login
from bot.slack.intents import Intent
from bot.slack.invocation import Invocation, Reply


def run_me(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Name the linked account, or offer the login button."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None:
        offer_login(invocation, services, reply, replies.NOT_LINKED, resume=None)
        return
    reply(replies.me(invocation.user_id, link.ig_username, link.linked_at))
