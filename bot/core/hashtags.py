"""Shared operation on the hashtag budget (Instagram's 30 distinct hashtags per account and week): what
to tell someone whose hashtag Instagram refused (`/ig popular #tag`, `/ig subscribe #tag`)."""

from __future__ import annotations

import logging
import time

from bot.core import replies
from bot.core.services import Services
from bot.instagram.errors import HashtagRefused, InstagramError
from bot.instagram.models import HashtagLimit
from bot.slack.blocks import Message
from bot.storage.hashtags import HashtagUse
from bot.storage.links import Link

log = logging.getLogger(__name__)


def synced(link: Link, services: Services, limit: HashtagLimit) -> HashtagUse | None:
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
    synced(link, services, limit)
    now = services.hashtags.check(link.ig_user_id, tag, limit)
    if now.used >= limit.tags and not now.known:
        return replies.hashtag_limit_reached(tag, limit.tags, limit.days)
    return replies.hashtag_not_searchable(tag)
