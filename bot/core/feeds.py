"""Shared operations on channel feeds: removing one (`/ig unsubscribe`, the Home tab, uninstall) and
pausing one whose owner's Instagram link is gone (logout, a rejected token)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.core.notes import tell
from bot.core.services import Services
from bot.slack.blocks import escape
from bot.storage.feeds import Feed, FeedStore


def remove_feed(services: Services, team_id: str, channel_id: str, target: str) -> Feed | None:
    """Delete one channel's feed of ``target``; the target's last feed also cancels what Instagram
    pushes for it. Returns the feed (None when there was none)."""
    state = services.feeds.target(target)
    feed, last = services.feeds.remove(team_id, channel_id, target)
    # API v1's user subscription is one for the whole app (every linked account's posts): it stays.
    if last and state is not None and state.remote_id and not target.startswith("user:"):
        services.instagram.stop_push(state.remote_id)
        if target.startswith("geography:"):
            services.feeds.forget_route("geography", state.name)
    return feed


def pause_and_tell(store: FeedStore, slack: WebClient, feed: Feed) -> bool:
    """Pause ``feed`` for its owner's missing link; the channel is told once. True if it was running."""
    if not store.pause(feed, "link"):
        return False
    text = (
        f":pause_button: The feed of {escape(feed.label)} is paused: <@{feed.owner_id}>'s Instagram "
        f"connection is gone. <@{feed.owner_id}>, run `/ig login` to resume it."
    )
    tell(slack, feed.channel_id, text, about="a channel about a paused feed")
    return True
