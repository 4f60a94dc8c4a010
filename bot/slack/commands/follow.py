"""`/ig follow <username>` and `/ig unfollow <username>`."""

from __future__ import annotations

from bot.instagram.errors import NotFound
from bot.instagram.models import Capability
from bot.services import Services
from bot.slack import blocks
from bot.slack.commands.login import require_link
from bot.slack.intents import Follow, Intent
from bot.slack.invocation import Invocation, Reply


def run_follow(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Follow or unfollow as the linked user and show the resulting status with the account's card.

    Where the API cannot follow, show the account's card (if the API can find it) and a button that
    opens the profile on Instagram instead; no follow call is attempted.
    """
    assert isinstance(intent, Follow)
    capabilities = services.instagram.capabilities
    link = require_link(invocation, services, reply, "follow" if intent.follow else "unfollow")
    if link is None:
        return
    if Capability.FOLLOW in capabilities:
        result = services.instagram.set_following(link.creds, intent.username, follow=intent.follow)
        reply(blocks.follow_result(result))
        return
    account = None
    if Capability.PROFILE in capabilities:
        try:
            account = services.instagram.find_account(link.creds, intent.username)
        except NotFound:
            account = None
    profile_url = f"https://www.instagram.com/{intent.username}/"
    reply(blocks.follow_unsupported(intent.username, account, profile_url))
