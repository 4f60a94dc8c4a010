"""`/ig popular [count]`: a gallery of popular posts, posted into the channel for everyone."""

from __future__ import annotations

from bot.instagram.models import Capability
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands.login import require_link
from bot.slack.intents import Intent, Popular
from bot.slack.invocation import Invocation, Reply


def run_popular(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Fetch ``count`` popular posts (with the app's client id where the API allows) and post them."""
    assert isinstance(intent, Popular)
    token = None
    if Capability.POPULAR_WITHOUT_LINK not in services.instagram.capabilities:
        link = require_link(invocation, services, reply, "popular")
        if link is None:
            return
        token = link.token
    media = services.instagram.popular(intent.count, token)
    if not media:
        reply(replies.plain("Instagram has no popular posts to show right now. Try again later."))
        return
    reply(blocks.gallery(media, invocation.user_id))
