"""Forgetting a Slack team that uninstalled igbot (or revoked its bot token): everything igbot holds with
that team's id goes (DESIGN.md: "uninstalling the app deletes everything of that team").

What goes: the installation (OAuth mode), every person's Instagram link (tokens) and pending login
states, expiry reminders, channel feeds (the Instagram subscriptions they alone needed are cancelled),
inboxes with their threads, posted comments and pacing, the hashtag counts of the accounts the team
linked, and the events log. It is idempotent (Slack sends ``tokens_revoked`` and ``app_uninstalled``,
in either order, and retries them), and scans only keys that carry the team's id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis

from bot.jobs.context import JobContext
from bot.slack.commands.subscribe import remove_feed
from bot.storage.errors import redis_errors
from bot.storage.events import event_key
from bot.storage.hashtags import hashtags_key
from bot.storage.inbox import comment_key
from bot.storage.keys import PREFIX, link_key, user_states_key
from bot.storage.reminders import KEY as REMINDERS

log = logging.getLogger(__name__)

SCAN_COUNT = 500


def _scan(client: redis.Redis, pattern: str) -> Iterator[str]:
    with redis_errors():
        for key in client.scan_iter(match=pattern, count=SCAN_COUNT):
            yield str(key)


def _glob_escape(text: str) -> str:
    """``text`` matched literally in a Redis glob pattern (Slack ids are [A-Z0-9], but be exact)."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def forget_team(context: JobContext, team_id: str) -> None:
    """Delete everything igbot holds for ``team_id`` (see the module docstring)."""
    if not team_id:
        return
    services, client = context.services, context.redis
    team = _glob_escape(team_id)
    if services.installations is not None:
        with redis_errors():
            services.installations.delete_all(enterprise_id=None, team_id=team_id)

    # Feeds first: cancelling Instagram subscriptions may need nothing of the links, but it is done
    # while everything else is still there, so a failure here leaves a retry all it needs.
    feed_channels = [k.rsplit(":", 1)[-1] for k in _scan(client, f"{PREFIX}feeds:{team}:*")]
    removed = 0
    for channel_id in feed_channels:
        for feed in services.feeds.of_channel(team_id, channel_id):
            remove_feed(services, team_id, channel_id, feed.target)
            removed += 1
    with redis_errors():
        for key in _scan(client, f"{PREFIX}owned:{team}:*"):
            client.delete(key)
        for key in _scan(client, f"{PREFIX}feeds:{team}:*"):
            client.delete(key)
        for key in _scan(client, f"{PREFIX}delivered:{team}:*"):
            client.delete(key)
    services.feeds.forget_reader(team_id)

    inboxes = services.inbox.of_team(team_id)
    for inbox in inboxes:
        services.inbox.remove(inbox.account_id)
    with redis_errors():
        client.delete(f"{PREFIX}inboxes:{team_id}")
        for pattern in ("inbox-thread", "lock:inbox-thread", "inbox-pace"):
            for key in _scan(client, f"{PREFIX}{pattern}:{team}:*"):
                client.delete(key)
        for key in _scan(client, comment_key("*")):
            if client.hget(key, "team_id") == team_id:
                client.delete(key)

    ig_accounts: set[str] = set()
    users = {k.rsplit(":", 1)[-1] for k in _scan(client, link_key(team, "*"))}
    users |= {k.rsplit(":", 1)[-1] for k in _scan(client, user_states_key(team, "*"))}
    for user_id in sorted(users):
        link = services.links.get(team_id, user_id)
        if link is not None and link.ig_user_id:
            ig_accounts.add(link.ig_user_id)
        services.states.forget_user(team_id, user_id)
        services.reminders.cancel(team_id, user_id)
        services.links.delete(team_id, user_id)
    with redis_errors():
        for account in sorted(ig_accounts):
            client.delete(hashtags_key(account))
        stale = [str(m) for m, _ in client.zscan_iter(REMINDERS, match=f"{team}:*")]
        if stale:
            client.zrem(REMINDERS, *stale)
        for pattern in (f"{PREFIX}reminded:{team}:*", event_key(team, "*"), f"{PREFIX}slack-rotate:{team}"):
            for key in _scan(client, pattern):
                client.delete(key)
    log.info(
        "forgot a workspace that removed igbot: %d people, %d feeds, %d inboxes",
        len(users),
        removed,
        len(inboxes),
    )
