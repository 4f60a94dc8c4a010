"""`/ig subscribe <target>`, `/ig unsubscribe <target>`, `/ig subscriptions`: a channel's feeds of new posts.

A feed belongs to the channel, is made by a linked person, and names who made it. Targets Instagram can
push (API v1: your account, tags, places, areas) get a real-time subscription; the others are read on a
schedule (`bot.features.feeds.jobs`). The confirmation of a new feed is posted in the channel for
everyone; every other answer is private.
"""

from __future__ import annotations

import time

from slack_sdk.errors import SlackApiError

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, Usage, no_arguments
from bot.core.feeds import remove_feed
from bot.core.grammar import FeedTarget, normalize_username
from bot.core.hashtags import hashtag_refusal
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.feeds.grammar import Subscribe, Subscriptions, Unsubscribe, parse_target
from bot.features.feeds.jobs import FETCH, POLL_SECONDS
from bot.instagram.errors import AppFeatureMissing, HashtagRefused, InstagramError
from bot.instagram.models import Capability, FeedSource
from bot.slack import blocks
from bot.slack.errors import CANNOT_POST
from bot.slack.invocation import Invocation, Reply
from bot.storage.feeds import Feed, Target
from bot.storage.links import Link

NO_SUCH_FEED = (
    "Today's Instagram API has no feed of places or areas, so igbot can't follow {label}. "
    "Try `/ig subscribe #tag`, `/ig subscribe @name` or `/ig subscribe me`."
)
PUSH_OFF = (
    "Feeds that Instagram pushes need `INSTAGRAM_WEBHOOK_VERIFY_TOKEN` in igbot's settings. "
    "Ask whoever runs igbot to set it."
)
INVITE_FIRST = (
    "igbot isn't in this channel, so it can't post a feed here. Invite it (`/invite @igbot`), then run "
    "`/ig subscribe {what}` again."
)
PAUSED = {
    "link": " · :pause_button: paused: <@{owner}> must reconnect (`/ig login`)",
    "channel": " · :pause_button: paused: igbot can't post here (invite it, then `/ig subscribe` again)",
}


def run_subscribe(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Start (or resume) this channel's feed of the target."""
    assert isinstance(intent, Subscribe)
    target = intent.target
    if target.kind not in services.instagram.feed_kinds:
        reply(replies.plain(NO_SUCH_FEED.format(label=target.label())))
        return
    link = require_link(invocation, services, reply, "subscribe")
    if link is None:
        return
    source = _resolve(target, link, services, reply)
    if source is None:
        return
    if services.feeds.target(source.key) is None and not _start(source, invocation, services, reply):
        return
    feed = Feed(invocation.team_id, invocation.channel_id, source.key, source.label, invocation.user_id,
                invocation.user_name, int(time.time()))  # fmt: skip
    baseline = _current_posts(source, link, services)  # before the feed exists: no delivery sees it half made
    if not services.feeds.add(feed):
        reply(
            replies.plain(
                f"This channel already follows {source.label}. `/ig subscriptions` lists its feeds."
            )
        )
        return
    how = "as soon as Instagram tells igbot" if source.push else f"checked every {POLL_SECONDS // 60} minutes"
    announce = (
        f":satellite_antenna: <@{invocation.user_id}> subscribed this channel to new Instagram posts of "
        f"{blocks.escape(source.label)} ({how})."
    )
    try:
        services.slack.client(invocation.team_id).chat_postMessage(
            channel=invocation.channel_id, text=announce
        )
    except CANNOT_POST:
        services.feeds.remove(invocation.team_id, invocation.channel_id, source.key)
        reply(replies.plain(INVITE_FIRST.format(what=_typed(target))))
        return
    except SlackApiError:
        services.feeds.remove(invocation.team_id, invocation.channel_id, source.key)
        raise
    for media_id in baseline:  # what is there already is not new
        services.feeds.mark_delivered(feed, media_id, 0)
    note = ""
    if target.kind == "tag" and services.instagram.hashtag_limit is not None:
        note = " The tag holds one of your account's weekly hashtag slots for as long as this feed lives."
    reply(replies.plain(f"Subscribed: new posts of {blocks.escape(source.label)} will appear here.{note}"))


def _current_posts(source: FeedSource, link: Link, services: Services) -> list[str]:
    """Ids of the target's newest posts right now (best effort: the feed's start time guards too)."""
    state = services.feeds.target(source.key)
    reading = FeedSource(
        source.key, source.label, state.name if state else source.name, source.push, source.hashtag_id
    )
    try:
        return [m.id for m in services.instagram.feed_media(link.creds, reading, FETCH)]
    except InstagramError:
        return []


def _typed(target: FeedTarget) -> str:
    return {"me": "me", "user": f"@{target.value}", "tag": f"#{target.value}"}.get(
        target.kind, f"{target.kind} {target.value}"
    )


def _resolve(target: FeedTarget, link: Link, services: Services, reply: Reply) -> FeedSource | None:
    limit = services.instagram.hashtag_limit
    counted = None
    if target.kind == "tag" and limit is not None:
        before = services.hashtags.check(link.ig_user_id, target.value, limit)
        if not before.may_search(limit):
            reply(replies.hashtag_refused(limit.tags, limit.days, before.frees_in_seconds))
            return None

        def counted(hashtag_id: str) -> None:
            services.hashtags.record(link.ig_user_id, target.value, hashtag_id, limit)

    try:
        return services.instagram.resolve_feed(link.creds, target.kind, target.value, counted=counted)
    except HashtagRefused as refused:
        reply(hashtag_refusal(refused, link, services, limit))
    except AppFeatureMissing as missing:
        reply(replies.plain(replies.APP_FEATURE_MISSING.format(feature=missing.feature)))
    return None


def _start(source: FeedSource, invocation: Invocation, services: Services, reply: Reply) -> bool:
    """Set up a target no feed followed yet: Instagram's real-time subscription, or the poll schedule."""
    remote_id, name = "", source.name
    if source.push:
        if not services.webhook_verify_token:
            reply(replies.plain(PUSH_OFF))
            return False
        remote_id, object_id = services.instagram.start_push(
            source, services.webhook_url, services.webhook_verify_token
        )
        kind = source.key.partition(":")[0]
        if kind == "geography":
            name = object_id
            services.feeds.set_route("geography", object_id, source.key)
    state = Target(
        target=source.key,
        label=source.label,
        name=name,
        push=source.push,
        remote_id=remote_id,
        hashtag_id=source.hashtag_id,
        reader=f"{invocation.team_id}:{invocation.user_id}",
        poll_seconds=0 if source.push else POLL_SECONDS,
    )
    services.feeds.save_target(state)
    return True


def run_unsubscribe(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Stop this channel's feed of the target; the last feed of a target takes its state with it."""
    assert isinstance(intent, Unsubscribe)
    feed = _find(intent.target, invocation, services)
    if feed is None:
        reply(
            replies.plain(
                f"This channel has no feed of {blocks.escape(intent.target.label())}. "
                "`/ig subscriptions` lists them."
            )
        )
        return
    remove_feed(services, invocation.team_id, invocation.channel_id, feed.target)
    reply(
        replies.plain(
            f"Unsubscribed: new posts of {blocks.escape(feed.label)} won't come into this channel any more."
        )
    )


def _find(target: FeedTarget, invocation: Invocation, services: Services) -> Feed | None:
    feeds = services.feeds.of_channel(invocation.team_id, invocation.channel_id)
    if target.kind == "me":
        link = services.links.get(invocation.team_id, invocation.user_id)
        key = f"user:{link.ig_user_id}" if link is not None else ""
        return next((f for f in feeds if f.target == key), None)
    if target.kind in ("tag", "near"):
        key = f"{'tag' if target.kind == 'tag' else 'geography'}:{target.value}"
        return next((f for f in feeds if f.target == key), None)
    if target.kind == "user":
        return next(
            (f for f in feeds if f.target.startswith("user:") and f.label.lower() == f"@{target.value}"), None
        )
    wanted = target.value.lower()
    return next((f for f in feeds if f.target.startswith("location:") and wanted in f.label.lower()), None)


def run_subscriptions(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """This channel's feeds: what, who made each, since when, the last post, and any problem."""
    assert isinstance(intent, Subscriptions)
    feeds = services.feeds.of_channel(invocation.team_id, invocation.channel_id)
    inboxes = [i for i in services.inbox.of_team(invocation.team_id) if i.channel_id == invocation.channel_id]
    if not feeds and not inboxes:
        reply(
            replies.plain(
                "This channel has no Instagram feeds. Start one with `/ig subscribe #tag` (or `me`, `@name`)."
            )
        )
        return
    lines = [
        f"• *Inbox*: comments on *@{blocks.escape(i.username)}*'s posts, turned on by <@{i.owner_id}> "
        f"since <!date^{i.since}^{{date_short}}|{time.strftime('%Y-%m-%d', time.gmtime(i.since))}>"
        for i in inboxes
    ]
    for feed in feeds[:40]:
        state = services.feeds.target(feed.target)
        how = (
            "pushed by Instagram"
            if state is not None and state.push
            else f"checked every {POLL_SECONDS // 60} min"
        )
        last = f"last post {_ago(feed.last_post_at)}" if feed.last_post_at else "no post yet"
        problem = PAUSED.get(feed.paused, "").format(owner=feed.owner_id)
        day = time.strftime("%Y-%m-%d", time.gmtime(feed.created_at))
        since = f"<!date^{feed.created_at}^{{date_short}}|{day}>"
        lines.append(
            f"• *{blocks.escape(feed.label)}* by <@{feed.owner_id}> since {since} · {last} · {how}{problem}"
        )
    text = "This channel's Instagram feeds:\n" + "\n".join(lines)
    reply(blocks.message(text, [blocks.section(text)]))


def _ago(when: int) -> str:
    seconds = max(0, int(time.time()) - when)
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def parse_subscribe(args: list[str]) -> Subscribe | Usage:
    """``subscribe <target>``."""
    target = parse_target(args, normalize_username)
    return Usage(target) if isinstance(target, str) else Subscribe(target)


def parse_unsubscribe(args: list[str]) -> Unsubscribe | Usage:
    """``unsubscribe <target>``, the same targets as ``subscribe``."""
    target = parse_target(args, normalize_username)
    if isinstance(target, str):
        return Usage(target.replace("/ig subscribe", "/ig unsubscribe"))
    return Unsubscribe(target)


SUBSCRIBE = Subcommand(
    "subscribe",
    parse_subscribe,
    run_subscribe,
    help=(
        HelpLine(
            "`/ig subscribe me | @name | #tag`",
            "new posts come into this channel by themselves",
            Capability.FEEDS,
        ),
        HelpLine(
            "`/ig subscribe place <name> | near <lat>,<lng> [m]`",
            "new posts from a place or area",
            Capability.PLACE_FEEDS,
        ),
    ),
)
UNSUBSCRIBE = Subcommand(
    "unsubscribe",
    parse_unsubscribe,
    run_unsubscribe,
    help=(
        HelpLine(
            "`/ig unsubscribe <same>`, `/ig subscriptions`",
            "stop a feed; list this channel's feeds",
            Capability.FEEDS,
        ),
    ),
)
SUBSCRIPTIONS = Subcommand(
    "subscriptions", no_arguments("subscriptions", Subscriptions()), run_subscriptions, aliases=("feeds",)
)
