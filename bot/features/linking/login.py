"""`/ig login`: the button that connects an Instagram account (`bot.core.links` offers it to every command
that needs a link first)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, no_arguments
from bot.core.links import live_link, offer_login
from bot.core.services import Services
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply


@dataclass(frozen=True)
class Login:
    """Offer the button that links an Instagram account."""


def run_login(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Offer the login button; when already linked, say as whom and offer to link another account."""
    link, expired = live_link(invocation, services)
    if expired:
        reason = replies.EXPIRED
    elif link is None or not link.ig_username:
        reason = "Connect your Instagram account to use igbot's `/ig` commands."
    else:
        reason = (
            f"You're connected to Instagram as *@{blocks.escape(link.ig_username)}*. "
            "To use a different account, connect again:"
        )
    offer_login(invocation, services, reply, reason, resume=None)


LOGIN = Subcommand(
    "login",
    no_arguments("login", Login()),
    run_login,
    help=(HelpLine("`/ig login`", "connect your Instagram account"),),
    aliases=("connect", "link"),
)
