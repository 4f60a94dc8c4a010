"""The composition root: settings in, the web tier (Bolt behind Flask) or the worker tier out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.commands import Commands
from bot.core.jobs import JobContext
from bot.core.services import Services
from bot.features.catalog import JOBS, SUBCOMMANDS
from bot.instagram.backend import InstagramBackend
from bot.instagram.config import ClientConfig
from bot.instagram.registry import entry_for
from bot.logs import quiet_libraries
from bot.settings import Settings
from bot.slack.workspaces import InstalledWorkspaces, StaticWorkspaces, Workspaces
from bot.storage.connection import connect, connect_fast
from bot.storage.crypto import TokenCipher
from bot.storage.events import EventLog
from bot.storage.feeds import FeedStore
from bot.storage.hashtags import HashtagBudget
from bot.storage.inbox import InboxStore
from bot.storage.installations import RedisInstallationStore
from bot.storage.links import LinkStore
from bot.storage.maps import MapStore
from bot.storage.reminders import ReminderSchedule
from bot.storage.states import StateStore
from bot.worker.actors import ContextHolder, declare_actors
from bot.worker.broker import broker_client, make_broker, quiet_dramatiq
from bot.worker.queue import DEFAULT_MAX_WAIT_SECONDS, DEFAULT_QUEUE_LIMIT, JobQueue
from bot.worker.tier import Tier

if TYPE_CHECKING:  # the web tier's types: worker processes never import Flask or Bolt
    from flask import Flask
    from slack_bolt import App

# Seconds an ack-path Redis call may take before the command is answered "can't reach storage".
ACK_PATH_REDIS_TIMEOUT = 0.25


@dataclass
class Igbot:
    """The web tier: the WSGI app to serve, on a `Tier`."""

    tier: Tier
    wsgi: Flask
    bolt: App

    @property
    def settings(self) -> Settings:
        """The settings it was built with."""
        return self.tier.settings

    @property
    def services(self) -> Services:
        """Its services."""
        return self.tier.services

    def close(self) -> None:
        """Release connections and the threads that run Slack calls after acks."""
        self.bolt.listener_runner.listener_executor.shutdown(wait=False)
        self.tier.close()


def instagram_backend(settings: Settings, *, timeout: tuple[float, float] = (3.05, 10.0)) -> InstagramBackend:
    """The backend ``INSTAGRAM_API`` names (`bot.instagram.registry`), with the URLs set in ``settings``
    (its defaults for the others) and (connect, read) ``timeout`` seconds per call.

    Raises:
        SettingsError: ``INSTAGRAM_API`` names no backend.
    """
    entry = entry_for(settings)
    urls = entry.urls_for(settings)
    config = ClientConfig(
        client_id=settings.instagram_client_id,
        client_secret=settings.instagram_client_secret,
        api_url=urls.api,
        authorize_url=urls.authorize,
        token_url=urls.token,
        redirect_uri=settings.redirect_uri,
        timeout=timeout,
    )
    return entry.build(config)


def _require_redis_url(settings: Settings) -> str:
    if settings.redis_url is None:  # `igbot serve` and `igbot dev` start one and pass its URL on
        raise ValueError("REDIS_URL is not set")
    return settings.redis_url


def build_tier(
    settings: Settings,
    *,
    instagram: InstagramBackend | None = None,
    role: str = "web",
    queue_limit: int = DEFAULT_QUEUE_LIMIT,
    max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
    depth_max_age: float = 0.1,
) -> Tier:
    """Services, Redis clients and the broker for a web (``role="web"``) or worker process.

    The web tier's Redis calls fail fast (``ACK_PATH_REDIS_TIMEOUT``, no retries) so that every ack
    leaves in time; workers use the patient client, which retries a dropped connection.
    """
    quiet_libraries()
    quiet_dramatiq()
    if settings.instagram_urls_are_loopback:
        # oauthlib refuses plain http process-wide unless told; only our loopback sandboxes need it.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    url = _require_redis_url(settings)
    web = role == "web"
    client = connect_fast(url, timeout=ACK_PATH_REDIS_TIMEOUT) if web else connect(url)
    broker = make_broker(broker_client(url, timeout=ACK_PATH_REDIS_TIMEOUT if web else 5.0))
    holder = ContextHolder()
    actors = declare_actors(broker, holder, JOBS)
    cipher = TokenCipher(settings.token_encryption_keys)
    links = LinkStore(client, cipher)
    installations: RedisInstallationStore | None = None
    workspaces: Workspaces
    if settings.slack_client_id and settings.slack_client_secret:
        installations = RedisInstallationStore(client, cipher, client_id=settings.slack_client_id)
        workspaces = InstalledWorkspaces(
            installations,
            settings.slack_api_url,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            lock_client=client,
            fallback_token=settings.slack_bot_token or None,
        )
    else:
        workspaces = StaticWorkspaces(settings.slack_api_url, settings.slack_bot_token)
    services = Services(
        links=links,
        states=StateStore(client),
        hashtags=HashtagBudget(client),
        reminders=ReminderSchedule(client),
        instagram=instagram or instagram_backend(settings),
        jobs=JobQueue(actors, client, limit=queue_limit, max_wait=max_wait, depth_max_age=depth_max_age),
        slack_web_url=settings.slack_web_url,
        storage_ok=links.ping,
        feeds=FeedStore(client),
        inbox=InboxStore(client),
        maps=MapStore(client),
        map_tile_url=settings.map_tile_url,
        public_url=settings.public_url,
        slack=workspaces,
        webhook_url=settings.webhook_url,
        webhook_verify_token=settings.webhook_verify_token,
        events=EventLog(client),
        installations=installations,
    )
    return Tier(settings, services, Commands(SUBCOMMANDS), client, broker, actors, holder)


def build(
    settings: Settings, *, instagram: InstagramBackend | None = None, **tier_options: int | float
) -> Igbot:
    """The web tier: the request guard and Bolt behind Flask, enqueueing work for the workers
    (`bot.web.bolt_app`)."""
    from bot.web.bolt_app import build_web  # web-only: worker processes never import Flask or Bolt

    tier = build_tier(settings, instagram=instagram, role="web", **tier_options)  # type: ignore[arg-type]
    wsgi, bolt = build_web(settings, tier.services, tier.commands, tier.redis)
    return Igbot(tier, wsgi, bolt)


def build_worker(settings: Settings, *, instagram: InstagramBackend | None = None) -> Tier:
    """The worker tier of one process: the actors' bodies get their context here."""
    tier = build_tier(settings, instagram=instagram, role="worker")
    tier.holder.context = JobContext(services=tier.services, redis=tier.redis, commands=tier.commands)
    return tier
