"""`/ig me`: which Instagram account is linked (with live details where the API offers them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, no_arguments
from bot.core.links import live_link, offer_login, offer_pick
from bot.core.services import Services
from bot.instagram.models import Capability
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply


@dataclass(frozen=True)
class Me:
    """Say which Instagram account is linked."""


def run_me(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Name the linked account, or offer the login button (an expired connection is no connection)."""
    link, expired = live_link(invocation, services)
    if link is None:
        offer_login(
            invocation, services, reply, replies.EXPIRED if expired else replies.NOT_LINKED, resume=None
        )
        return
    if not link.ig_user_id:
        offer_pick(link, services, reply, None)
        return
    if Capability.ACCOUNT_DETAILS not in services.instagram.capabilities:
        reply(replies.me(invocation.user_id, link.ig_username, link.linked_at))
        return
    account = services.instagram.own_account(link.creds)
    reply(blocks.account_card(account, f"Slack user <@{invocation.user_id}> is connected to Instagram as"))


ME = Subcommand(
    "me",
    no_arguments("me", Me()),
    run_me,
    help=(HelpLine("`/ig me`", "show which Instagram account is connected"),),
    aliases=("status", "whoami"),
)
