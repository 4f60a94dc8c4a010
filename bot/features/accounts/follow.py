"""`/ig follow <username>` and `/ig unfollow <username>`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.commands import HelpLine, Subcommand, one_account
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.accounts import blocks as follow_blocks
from bot.instagram.errors import NotFound
from bot.instagram.models import Capability
from bot.slack.invocation import Invocation, Reply


@dataclass(frozen=True)
class Follow:
    """Follow ``username``."""

    username: str


@dataclass(frozen=True)
class Unfollow:
    """Stop following ``username``."""

    username: str


def run_follow(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Follow ``intent.username`` as the linked user and show the resulting status with the account's
    card (where the API cannot follow: the card and a button to the profile on Instagram)."""
    assert isinstance(intent, Follow)
    _set_following(intent.username, invocation, services, reply, follow=True)


def run_unfollow(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
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
        reply(follow_blocks.follow_result(result))
        return
    account = None
    if Capability.PROFILE in capabilities:
        try:
            account = services.instagram.find_account(link.creds, username)
        except NotFound:
            account = None
    profile_url = f"https://www.instagram.com/{username}/"
    reply(follow_blocks.follow_unsupported(username, account, profile_url))


FOLLOW = Subcommand(
    "follow",
    one_account(Follow, "Type `/ig follow <username>`, for example `/ig follow natgeo`."),
    run_follow,
    help=(HelpLine("`/ig follow <username>`", "follow someone on Instagram", Capability.FOLLOW),),
)
UNFOLLOW = Subcommand(
    "unfollow",
    one_account(Unfollow, "Type `/ig unfollow <username>`, for example `/ig unfollow natgeo`."),
    run_unfollow,
    help=(HelpLine("`/ig unfollow <username>`", "stop following someone", Capability.FOLLOW),),
)
