"""`/ig popular [#hashtag] [count]`: a gallery of popular posts, posted into the channel for everyone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, Usage
from bot.core.grammar import DEFAULT_COUNT, MAX_COUNT, TAG_RE, parse_count
from bot.core.hashtags import hashtag_refusal, synced
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.gallery import blocks as gallery_blocks
from bot.instagram.errors import AppFeatureMissing, HashtagRefused
from bot.instagram.models import Capability, Media
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply
from bot.storage.hashtags import HashtagUse
from bot.storage.links import Link

log = logging.getLogger(__name__)

USAGE = f"Type `/ig popular [#hashtag] [count]`, with a count from 1 to {MAX_COUNT}."


@dataclass(frozen=True)
class Popular:
    """Post ``count`` popular photos into the channel; for ``tag``, popular posts with that hashtag."""

    count: int = DEFAULT_COUNT
    tag: str | None = None


def parse_popular(args: list[str]) -> Popular | Usage:
    """``popular [#tag] [count]``, in either order."""
    count, tag, counted = DEFAULT_COUNT, None, False
    for word in args:
        hashtag = TAG_RE.fullmatch(word)
        number = parse_count(word)
        if hashtag and tag is None:
            tag = hashtag.group(1).lower()
        elif number is not None and not counted:
            count, counted = number, True
        else:
            return Usage(USAGE)
    return Popular(count, tag)


NOTHING = "Instagram has no posts to show for that right now. Try again later."


def run_popular(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
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
    _post(
        media,
        f"<@{invocation.user_id}> shared {gallery_blocks.posts(len(media), 'popular Instagram')}",
        reply,
    )


def _tagged(intent: Popular, invocation: Invocation, services: Services, reply: Reply, link: Link) -> None:
    tag = intent.tag
    assert tag is not None
    limit = services.instagram.hashtag_limit
    budget = services.hashtags
    before = None
    if limit is not None:
        before = budget.check(link.ig_user_id, tag, limit)
        if not before.may_search(limit):  # surely new and surely over, unless Instagram's list says less
            if synced(link, services, limit) is not None:
                before = budget.check(link.ig_user_id, tag, limit)
            if not before.may_search(limit):
                reply(replies.hashtag_refused(limit.tags, limit.days, before.frees_in_seconds))
                return
    recorded: list[HashtagUse] = []

    def counted(hashtag_id: str) -> None:  # Instagram accepted the search: now, and only now, it counts
        if limit is not None:
            recorded.append(budget.record(link.ig_user_id, tag, hashtag_id, limit))

    try:
        media = services.instagram.tagged(link.creds, tag, intent.count, counted=counted)
    except HashtagRefused as refused:
        reply(hashtag_refusal(refused, link, services, limit))
        return
    except AppFeatureMissing as missing:  # the app's problem, not the user's: the link stays
        reply(replies.plain(replies.APP_FEATURE_MISSING.format(feature=missing.feature)))
        return
    headline = (
        f"<@{invocation.user_id}> shared the top {gallery_blocks.posts(len(media))} for #{blocks.escape(tag)}"
    )
    _post(media, headline, reply)
    if limit is None or before is None:
        return
    now = recorded[-1] if recorded else budget.check(link.ig_user_id, tag, limit)
    if not before.known:  # a new tag: Instagram's list may hold searches made outside igbot
        now = synced(link, services, limit) or now
    reply(replies.hashtag_budget(now.remaining(limit), limit.tags, limit.days))


def _post(media: list[Media], headline: str, reply: Reply) -> None:
    if not media:
        reply(replies.plain(NOTHING))
        return
    reply(gallery_blocks.gallery(media, headline))


POPULAR = Subcommand(
    "popular",
    parse_popular,
    run_popular,
    help=(
        HelpLine(
            "`/ig popular [count]`",
            "post popular photos into this channel (1 to 10, default 5)",
            Capability.POPULAR,
        ),
        HelpLine(
            "`/ig popular #hashtag [count]`", "post top posts for a hashtag here", Capability.POPULAR_BY_TAG
        ),
    ),
)
