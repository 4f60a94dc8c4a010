"""`/ig user <username>`: a private profile card."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, one_account
from bot.core.links import require_link
from bot.core.services import Services
from bot.instagram.models import Capability
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply


@dataclass(frozen=True)
class Profile:
    """Show ``username``'s profile card (`/ig user`)."""

    username: str


def run_profile(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
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


USER = Subcommand(
    "user",
    one_account(Profile, "Type `/ig user <username>`, for example `/ig user natgeo`."),
    run_profile,
    help=(HelpLine("`/ig user <username>`", "show someone's profile card", Capability.PROFILE),),
)
