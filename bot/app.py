"""The composition root: settings in, a ready WSGI app (Bolt behind Flask) and its services out."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import redis
from flask import Flask
from slack_bolt import App
from slack_sdk import WebClient

from bot.instagram.backend import InstagramBackend
from bot.instagram.client import ClientConfig
from bot.instagram.graph import GraphInstagram
from bot.instagram.legacy import LegacyInstagram
from bot.logs import quiet_libraries
from bot.services import Services
from bot.settings import Settings
from bot.slack import register_listeners
from bot.storage.connection import connect
from bot.storage.crypto import TokenCipher
from bot.storage.embedded import EmbeddedRedis
from bot.storage.hashtags import HashtagBudget
from bot.storage.links import LinkStore
from bot.storage.states import StateStore
from bot.web.routes import create_web_app


@dataclass
class Igbot:
    """A built igbot: the WSGI app to serve and what it holds open."""

    settings: Settings
    wsgi: Flask
    bolt: App
    services: Services
    redis: redis.Redis
    executor: ThreadPoolExecutor
    embedded_redis: EmbeddedRedis | None = None

    def close(self) -> None:
        """Finish background work and release connections (and the embedded Redis, if we started it)."""
        self.executor.shutdown(wait=True)
        self.redis.close()
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


def instagram_backend(settings: Settings, *, timeout: tuple[float, float] = (3.05, 10.0)) -> InstagramBackend:
    """The backend for ``INSTAGRAM_API``, with (connect, read) ``timeout`` seconds per call."""
    config = ClientConfig(
        client_id=settings.instagram_client_id,
        client_secret=settings.instagram_client_secret,
        api_url=settings.instagram_api_url,
        authorize_url=settings.instagram_authorize_url,
        token_url=settings.instagram_token_url,
        redirect_uri=settings.redirect_uri,
        timeout=timeout,
    )
    if settings.instagram_api == "graph":
        return GraphInstagram(config)
    return LegacyInstagram(config)


def build(settings: Settings, *, instagram: InstagramBackend | None = None, workers: int = 16) -> Igbot:
    """Wire igbot together. Starts an embedded Redis when ``settings.redis_url`` is None.

    Args:
        settings: validated settings.
        instagram: a backend to use instead of the one ``settings`` name (tests).
        workers: threads for work after the ack (lazy listeners, post-link work).
    """
    quiet_libraries()
    if settings.instagram_urls_are_loopback:
        # oauthlib refuses plain http process-wide unless told; only our loopback sandboxes need it.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    embedded = None
    redis_url = settings.redis_url
    if redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        redis_url = embedded.start()
    client = connect(redis_url)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="igbot-after-ack")

    links = LinkStore(client, TokenCipher(settings.token_encryption_keys))
    services = Services(
        links=links,
        states=StateStore(client),
        hashtags=HashtagBudget(client),
        instagram=instagram or instagram_backend(settings),
        background=executor,
        slack_web_url=settings.slack_web_url,
        storage_ok=links.ping,
    )
    bolt = App(
        signing_secret=settings.slack_signing_secret,
        client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=executor,
    )
    register_listeners(bolt, services)
    web = create_web_app(bolt, services, signing_secret=settings.slack_signing_secret, replay_store=client)
    return Igbot(settings, web, bolt, services, client, executor, embedded)
