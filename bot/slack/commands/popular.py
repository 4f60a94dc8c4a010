"""`/ig popular [#hashtag] [count]`: a gallery of popular posts, posted into the channel for everyone."""

from __future__ import annotations

from bot.instagram.models import Capability, Media
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands.login import require_link
from bot.slack.intents import Intent, Popular
from bot.slack.invocation import Invocation, Reply
from bot.storage.links import Link

NOTHING = "Instagram has no posts to show for that right now. Try again later."


def run_popular(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Post ``count`` popular posts, or the top posts for ``#tag``."""
    assert isinstance(intent, Popular)
    capabilities = services.instagram.capabilities
    if intent.tag is not None:
        if Capability.POPULAR_BY_TAG not in capabilities:
            reply(replies.plain(replies.UNSUPPORTED))
            return
        link = require_link(invocation, services, reply, "popular")
        if link is not None:
            _tagged(intent, invocation, services, reply, link)
        return
    if Capability.POPULAR not in capabilities:
        reply(replies.plain(replies.POPULAR_NEEDS_TAG))
        return
    creds = None
    if Capability.POPULAR_WITHOUT_LINK not in capabilities:
        link = require_link(invocation, services, reply, "popular")
        if link is None:
            return
        creds = link.creds
    media = services.instagram.popular(intent.count, creds)
    _post(media, f"<@{invocation.user_id}> shared {blocks.posts(len(media), 'popular Instagram')}", reply)


def _tagged(intent: Popular, invocation: Invocation, services: Services, reply: Reply, link: Link) -> None:
    assert intent.tag is not None
    limit = services.instagram.hashtag_limit
    remaining = None
    if limit is not None:
        budget = services.hashtags.use(link.ig_user_id, intent.tag, limit)
        if not budget.allowed:
            reply(replies.hashtag_refused(limit.tags, limit.days, budget.frees_in_seconds))
            return
        remaining = budget.remaining
    media = services.instagram.tagged(link.creds, intent.tag, intent.count)
    headline = (
        f"<@{invocation.user_id}> shared the top {blocks.posts(len(media))} for #{blocks.escape(intent.tag)}"
    )
    _post(media, headline, reply)
    if limit is not None and remaining is not None:
        reply(replies.hashtag_budget(remaining, limit.tags, limit.days))


def _post(media: list[Media], headline: str, reply: Reply) -> None:
    if not media:
        reply(replies.plain(NOTHING))
        return
    reply(blocks.gallery(media, headline))
