"""`/ig recent [count]`: the linked account's latest posts, posted into the channel."""

from __future__ import annotations

from bot.instagram.models import Capability
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands.login import require_link
from bot.slack.intents import Intent, Recent
from bot.slack.invocation import Invocation, Reply


def run_recent(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Post the ``count`` latest posts of the linked account."""
    assert isinstance(intent, Recent)
    if Capability.RECENT not in services.instagram.capabilities:
        reply(replies.plain(replies.UNSUPPORTED))
        return
    link = require_link(invocation, services, reply, "recent")
    if link is None:
        return
    media = services.instagram.recent(link.creds, intent.count)
    if not media:
        reply(replies.plain(f"@{link.ig_username} has no posts to show yet."))
        return
    who = blocks.escape(link.ig_username)
    reply(
        blocks.gallery(
            media, f"<@{invocation.user_id}> shared the latest {blocks.posts(len(media))} of @{who}"
        )
    )
