"""Channel feeds in the worker tier: read a target's newest posts (after a push, or when its poll is due)
and post the ones each channel has not seen, oldest first, at most ``MAX_POSTS`` per run.

Each post is posted once per channel: the channel's delivered set is checked before and written right
after each post, and one run at a time holds a target (a lock in Redis), so two pushes at once or a
re-delivered job never post twice. A feed pauses, with one message, when its owner's Instagram link is
gone (the channel is told who must reconnect) or when igbot cannot post into the channel (the owner is
told privately); Instagram being down is retried by the job, losing nothing. One bad item never holds up
the rest: a post whose picture Slack refuses goes without it, and a target Instagram will not show (gone,
private) is skipped with one log line until its next turn.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace

from slack_sdk.errors import SlackApiError

from bot.core.feeds import pause_and_tell
from bot.core.jobs import JobContext, busy, retry_later
from bot.core.queue import Job
from bot.features.feeds import blocks as feed_blocks
from bot.instagram.errors import InstagramError, LinkRejected, RateLimited, Unavailable
from bot.instagram.models import FeedSource, Media, loggable_id
from bot.slack import blocks
from bot.slack.errors import (
    CANNOT_POST,
    BlocksRefused,
    ChannelArchived,
    WorkspaceGone,
    code_of,
)
from bot.storage.feeds import Feed, Target
from bot.storage.keys import feed_lock_key
from bot.storage.links import Link

log = logging.getLogger(__name__)

MAX_POSTS = 3  # per feed and run; the rest are summed up in one line
FETCH = 12
POLL_SECONDS = 300
LOCK_MS = 30_000  # longer than a delivery takes; a killed run's lock is gone soon after it is re-run
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def deliver(context: JobContext, target_key: str) -> None:
    """Post the new posts of ``target_key`` into every channel following it."""
    services = context.services
    state = services.feeds.target(target_key)
    if state is None:
        return
    feeds = [f for f in services.feeds.subscribers(target_key) if not f.paused]
    if not feeds:
        return
    lock, owner = feed_lock_key(target_key), uuid.uuid4().hex
    if not context.redis.set(lock, owner, nx=True, px=LOCK_MS):
        left = context.redis.pttl(lock)
        raise busy(
            "another run holds this feed", delay_ms=max(int(left) if isinstance(left, int) else 0, 200) + 100
        )
    try:
        _deliver(context, state, feeds)
    finally:
        context.redis.eval(_RELEASE, 1, lock, owner)


def _live_link(context: JobContext, feed: Feed) -> Link | None:
    link = context.services.links.get(feed.team_id, feed.owner_id)
    if link is None or not link.ig_user_id or (link.expires_at and link.expires_at < time.time()):
        return None
    return link


def _deliver(context: JobContext, state: Target, feeds: list[Feed]) -> None:
    services = context.services
    live = [(feed, _live_link(context, feed)) for feed in feeds]
    for feed, link in live:
        if link is None:
            pause_for_link(context, feed)
    readers = sorted(
        ((f, k) for f, k in live if k is not None),
        key=lambda p: f"{p[0].team_id}:{p[0].owner_id}" != state.reader,
    )
    if not readers:
        return
    reader, link = readers[0]
    source = FeedSource(state.target, state.label, state.name, state.push, state.hashtag_id)
    try:
        media = services.instagram.feed_media(link.creds, source, FETCH)
    except RateLimited as limited:
        services.feeds.next_poll(state.target, max(limited.retry_after_minutes * 60, POLL_SECONDS))
        log.info("feed read rate limited; next read in %d minutes", limited.retry_after_minutes)
        return
    except LinkRejected:  # the reader's token was refused: its feeds pause; another reader next time
        for feed, _ in readers:
            if (feed.team_id, feed.owner_id) == (reader.team_id, reader.owner_id):
                pause_for_link(context, feed)
        raise retry_later("the feed reader's token was refused") from None
    except Unavailable:  # retried by the job (`_guarded`): nothing is lost
        raise
    except InstagramError as exc:  # this target only (gone, private now...): read again at its next turn
        log.info("feed read skipped: Instagram would not show %s (%s)", state.target, type(exc).__name__)
        media = []
    for feed, _ in readers:
        _post_new(context, feed, media)
    if state.poll_seconds:
        services.feeds.next_poll(state.target, state.poll_seconds)


def _post_new(context: JobContext, feed: Feed, media: list[Media]) -> None:
    seen = context.services.feeds.delivered(feed)
    fresh = [
        m
        for m in media
        if m.id and m.id not in seen and (not m.posted_at or m.posted_at >= feed.created_at - 60)
    ]
    fresh.reverse()  # Instagram lists newest first; posts of the same second keep their order
    fresh.sort(key=lambda m: m.posted_at)
    for item in fresh[:MAX_POSTS]:
        if not _post_media(context, feed, item):
            return
        context.services.feeds.mark_delivered(feed, item.id, item.posted_at)
    rest = fresh[MAX_POSTS:]
    if rest:
        if not _post(context, feed, feed_blocks.feed_more(len(rest), feed.label, rest[-1].link)):
            return
        for item in rest:
            context.services.feeds.mark_delivered(feed, item.id, item.posted_at)


def _post_media(context: JobContext, feed: Feed, item: Media) -> bool:
    """Post one new post of the feed. When Slack refuses it (``invalid_blocks``: a picture it cannot
    download, e.g. an expired or deleted picture URL) it goes again without the picture, so that one
    post never holds up the ones after it. False as for `_post`."""
    try:
        return _post(context, feed, feed_blocks.feed_post(item, feed.label), refusable=True)
    except _BlocksRefused:
        log.info("feed post %s: Slack refused it (invalid_blocks); posted without its picture",
                 loggable_id(item.id))  # fmt: skip
        return _post(context, feed, feed_blocks.feed_post(replace(item, image_url=""), feed.label))


class _BlocksRefused(Exception):
    """Slack refused a message's blocks (``invalid_blocks``)."""


def _post(context: JobContext, feed: Feed, message: blocks.Message, *, refusable: bool = False) -> bool:
    """Post into the feed's channel; False (and the feed paused) when igbot cannot post there.
    ``refusable``: Slack refusing the blocks raises `_BlocksRefused` (the caller posts it otherwise)."""
    try:
        context.slack_for(feed.team_id).chat_postMessage(
            channel=feed.channel_id, text=message["text"], blocks=message.get("blocks"), unfurl_links=False
        )
    except BlocksRefused as exc:
        if refusable:
            raise _BlocksRefused() from None
        raise retry_later(f"Slack refused a feed post ({exc.code})") from None
    except CANNOT_POST as exc:
        if context.services.feeds.pause(feed, "channel"):
            _tell_owner(context, feed, archived=isinstance(exc, ChannelArchived))
        return False
    except WorkspaceGone as exc:  # nobody there can be told; `/ig subscribe` after reinstalling resumes it
        context.services.feeds.pause(feed, "workspace")
        log.info("paused a feed of a workspace igbot can't post in (%s)", exc.code)
        return False
    except SlackApiError as exc:
        raise retry_later(f"Slack refused a feed post ({code_of(exc.response)})") from None
    return True


def _tell_owner(context: JobContext, feed: Feed, *, archived: bool) -> None:
    why = "the channel was archived" if archived else "igbot is not in that channel any more"
    text = (
        f":pause_button: Your feed of {blocks.escape(feed.label)} in <#{feed.channel_id}> is paused: {why}. "
        f"Invite igbot there again (`/invite @igbot`) and run `/ig subscribe` for it to resume."
    )
    context.tell(feed.team_id, feed.owner_id, text, about="a feed owner about a pause")


def pause_for_link(context: JobContext, feed: Feed) -> None:
    """Pause ``feed`` because its owner's Instagram link is gone, telling the channel once."""
    pause_and_tell(context.services.feeds, context.slack_for(feed.team_id), feed)


DELIVER_FEED = Job("deliver_feed", deliver, "feed")
