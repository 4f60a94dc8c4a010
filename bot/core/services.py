"""The small interfaces the Slack listeners, web routes and jobs are given (built once in `bot.app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.oauth.installation_store import InstallationStore

from bot.core.queue import Jobs
from bot.instagram.backend import InstagramBackend
from bot.slack.workspaces import Workspaces
from bot.storage.events import EventLog
from bot.storage.feeds import FeedStore
from bot.storage.hashtags import HashtagBudget
from bot.storage.inbox import InboxStore
from bot.storage.links import LinkStore
from bot.storage.maps import MapStore
from bot.storage.reminders import ReminderSchedule
from bot.storage.states import StateStore


@dataclass(frozen=True)
class Services:
    """What command handlers, the OAuth callback and jobs work with.

    Args:
        links: the Slack user -> Instagram link store.
        states: pending OAuth flows.
        hashtags: distinct hashtags searched per Instagram account (for backends with a hashtag limit).
        reminders: when to remind people that their connection expires.
        instagram: the configured Instagram API generation.
        jobs: the job queue (the web tier enqueues; workers run).
        slack_web_url: where a browser goes back to Slack after linking.
        storage_ok: health probe of the storage.
        feeds: channel feeds.
        slack: each Slack team's Web API client (igbot's bot token there).
        inbox: comment and mention inboxes (`/ig inbox`).
        maps: rendered `/ig map` pictures, served at ``public_url`` + ``/maps/<id>.png``.
        map_tile_url: the ``{z}/{x}/{y}`` tile URL template maps are drawn from.
        webhook_url: where Instagram pushes (`PUBLIC_URL/instagram/webhook`).
        webhook_verify_token: the handshake's verify token; None when feeds that Instagram pushes are off.
        events: Slack events already taken (a retried event is handled once).
        installations: the Slack installations (OAuth mode); None with a single ``SLACK_BOT_TOKEN``.
    """

    links: LinkStore
    states: StateStore
    hashtags: HashtagBudget
    reminders: ReminderSchedule
    instagram: InstagramBackend
    jobs: Jobs
    slack_web_url: str
    storage_ok: Callable[[], bool]
    feeds: FeedStore
    slack: Workspaces
    inbox: InboxStore
    maps: MapStore
    map_tile_url: str = ""
    public_url: str = ""
    webhook_url: str = ""
    webhook_verify_token: str | None = None
    events: EventLog | None = None
    installations: InstallationStore | None = None
