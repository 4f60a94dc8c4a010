"""`/ig follow <username>` and `/ig unfollow <username>`."""

from __future__ import annotations

from bot.instagram.errors import NotFound
from bot.instagram.models import Capability
from bot.services import Services
from bot.slack import blocks
from bot.slack.commands.login import require_link
from bot.slack.intents import Follow, Intent, Unfollow
from bot.slack.invocation import Invocation, Reply


def run_follow(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Follow ``intent.username`` as the linked user and show the resulting status with the account's
    card (where the API cannot follow: the card and a button to the profile on Instagram)."""
    assert isinstance(intent, Follow)
    _set_following(intent.username, invocation, services, reply, follow=True)


def run_unfollow(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Stop following ``intent.username`` as the linked user and show the account's card (where the
    API cannot unfollow: the card and a button to the profile on Instagram)."""
    assert isinstance(intent, Unfollow)
    _set_following(intent.username, invocation, services, reply, follow=False)


def _set_following(
    username: str, invocation: Invocation, services: Services, reply: Reply, *, follow: bool
) -> None:
    """Where the API cannot follow, show the account's card (if the API can find it) and a button that
    opens the profile on Instagram instead; no follow call is attempted."""
    capabilities = services.instagram.capabilities
    link = require_link(invocation, services, reply, "follow" if follow else "unfollow")
    if link is None:
        return
    if Capability.FOLLOW in capabilities:
        result = services.instagram.set_following(link.creds, username, follow=follow)
        reply(blocks.follow_result(result))
        return
    account = None
    if Capability.PROFILE in capabilities:
        try:
            account = services.instagram.find_account(link.creds, username)
        except NotFound:
            account = None
    profile_url = f"https://www.instagram.com/{username}/"
    reply(blocks.follow_unsupported(username, account, profile_url))
