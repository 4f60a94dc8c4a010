"""`/ig follow <username>` and `/ig unfollow <username>`."""

from __future__ import annotations

from bot.services import Services
from bot.slack import blocks
from bot.slack.commands.login import require_link
from bot.slack.intents import Follow, Intent
from bot.slack.invocation import Invocation, Reply


def run_follow(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Follow or unfollow as the linked user and show the resulting status with the account's card."""
    assert isinstance(intent, Follow)
    link = require_link(invocation, services, reply, "follow" if intent.follow else "unfollow")
    if link is None:
        return
    result = services.instagram.set_following(link.token, intent.username, follow=intent.follow)
    reply(blocks.follow_result(result))
