"""`/ig popular [#hashtag] [count]`: a gallery of popular posts, posted into the channel for everyone."""

from __future__ import annotations

import logging
import time

from bot.instagram.errors import AppFeatureMissing, HashtagRefused, InstagramError
from bot.instagram.models import Capability, HashtagLimit, Media
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.blocks import Message
from bot.slack.commands.login import require_link
from bot.slack.intents import Intent, Popular
from bot.slack.invocation import Invocation, Reply
from bot.storage.hashtags import HashtagUse
from bot.storage.links import Link

log = logging.getLogger(__name__)

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


def _synced(link: Link, services: Services, limit: HashtagLimit) -> HashtagUse | None:
    """Bring the account's count in step with Instagram's own list (searches made outside igbot count
    too). Best effort: when Instagram does not answer, igbot's own count stands."""
    listed_at = time.time()
    try:
        ids = services.instagram.searched_hashtags(link.creds)
    except InstagramError as exc:
        log.info("recently searched hashtags not read: %s", type(exc).__name__)
        return None
    return services.hashtags.sync(link.ig_user_id, ids, limit, listed_at=listed_at)


def hashtag_refusal(
    refused: HashtagRefused, link: Link, services: Services, limit: HashtagLimit | None
) -> Message:
    """What to tell someone whose hashtag Instagram refused. Meta documents an answer for a hashtag that
    does not exist (`HashtagRefused.missing`) but none for the week's 31st new hashtag, so a refusal is
    the limit only when the account's count says so: Instagram's own list when it answers, igbot's
    store otherwise."""
    tag = refused.tag
    if refused.missing:
        return replies.hashtag_missing(tag)
    if limit is None:
        return replies.hashtag_not_searchable(tag)
    _synced(link, services, limit)
    now = services.hashtags.check(link.ig_user_id, tag, limit)
    if now.used >= limit.tags and not now.known:
        return replies.hashtag_limit_reached(tag, limit.tags, limit.days)
    return replies.hashtag_not_searchable(tag)


def _tagged(intent: Popular, invocation: Invocation, services: Services, reply: Reply, link: Link) -> None:
    tag = intent.tag
    assert tag is not None
    limit = services.instagram.hashtag_limit
    budget = services.hashtags
    before = None
    if limit is not None:
        before = budget.check(link.ig_user_id, tag, limit)
        if not before.may_search(limit):  # surely new and surely over, unless Instagram's list says less
            if _synced(link, services, limit) is not None:
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
    headline = f"<@{invocation.user_id}> shared the top {blocks.posts(len(media))} for #{blocks.escape(tag)}"
    _post(media, headline, reply)
    if limit is None or before is None:
        return
    now = recorded[-1] if recorded else budget.check(link.ig_user_id, tag, limit)
    if not before.known:  # a new tag: Instagram's list may hold searches made outside igbot
        now = _synced(link, services, limit) or now
    reply(replies.hashtag_budget(now.remaining(limit), limit.tags, limit.days))


def _post(media: list[Media], headline: str, reply: Reply) -> None:
    if not media:
        reply(replies.plain(NOTHING))
        return
    reply(blocks.gallery(media, headline))
