"""`/ig logout`: forget the user's link and token."""

from __future__ import annotations

from bot.services import Services
from bot.slack import replies
from bot.slack.intents import Intent
from bot.slack.invocation import Invocation, Reply


def run_logout(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Delete everything igbot stores about this user (the link, pending login links, expiry
    reminders) and confirm."""
    services.states.forget_user(invocation.team_id, invocation.user_id)
    services.reminders.cancel(invocation.team_id, invocation.user_id)
    reply(replies.logged_out(services.links.delete(invocation.team_id, invocation.user_id)))
