"""The small interfaces the Slack listeners and web routes are given (built once in `bot.app`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from bot.instagram.backend import InstagramBackend
from bot.storage.hashtags import HashtagBudget
from bot.storage.links import LinkStore
from bot.storage.states import StateStore


@dataclass(frozen=True)
class Services:
    """What command handlers and the OAuth callback work with.

    Args:
        links: the Slack user -> Instagram link store.
        states: pending OAuth flows.
        hashtags: distinct hashtags searched per Instagram account (for backends with a hashtag limit).
        instagram: the configured Instagram API generation.
        background: runs work after an HTTP answer was sent (Bolt's listener executor).
        slack_web_url: where a browser goes back to Slack after linking.
        storage_ok: health probe of the storage.
    """

    links: LinkStore
    states: StateStore
    hashtags: HashtagBudget
    instagram: InstagramBackend
    background: Executor
    slack_web_url: str
    storage_ok: Callable[[], bool]
