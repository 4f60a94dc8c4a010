"""The web tier's Bolt app, authorization and OAuth flow (built by `bot.app.build`).

Kept apart from `bot.app` so that worker processes, which never serve HTTP, import neither Flask nor Bolt
(about 70 ms of every worker's start).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from flask import Flask
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.core import replies
from bot.core.commands import Commands
from bot.core.services import Services
from bot.settings import Settings
from bot.slack.workspaces import NOT_INSTALLED_CONTEXT, Workspaces
from bot.storage import StorageUnavailable
from bot.storage.installations import RedisOAuthStateStore
from bot.web.after_ack import AfterAck
from bot.web.install import oauth_flow
from bot.web.listeners import register_listeners
from bot.web.routes import create_web_app


class _TokenUnusedNotice(logging.Filter):
    """Drops Bolt's start-up warning that `token` will be unused. Bolt reads ``SLACK_BOT_TOKEN`` from the
    environment by itself and warns whenever a ``client`` is given too; igbot gives the client on purpose
    (it carries ``SLACK_API_URL``) and authorizes every request itself, so the warning only alarmed
    operators on every web process's start."""

    message = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


logging.getLogger("slack_bolt.App").addFilter(_TokenUnusedNotice())


class StoreAuthorize(Authorize):
    """Bolt's authorization from igbot's installations, without Bolt's ``auth.test`` per request: the
    stored bot is all the web tier needs (it only acks and enqueues). When Redis does not answer, the
    request goes on unauthorized and the listener answers "igbot can't reach its storage"."""

    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: object,
    ) -> AuthorizeResult | None:
        """The team's bot; when igbot is not installed there, a result without a token and the context
        marked (``NOT_INSTALLED_CONTEXT``), so that a command is answered in its ack (Bolt's own answer would
        post to the response URL from the ack path)."""
        try:
            bot = self._workspaces.bot(team_id or "", refresh=False)  # the web tier never calls Slack
        except StorageUnavailable:
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        if bot is None:
            context[NOT_INSTALLED_CONTEXT] = True
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            bot_token=bot.token,
            bot_id=bot.bot_id or None,
            bot_user_id=bot.bot_user_id or None,
            bot_scopes=list(bot.scopes),
        )


def build_web(
    settings: Settings, services: Services, commands: Commands, replay_store: redis.Redis
) -> tuple[Flask, App]:
    """The web tier: the request guard and Bolt behind Flask, enqueueing work for the workers.

    Bolt is authorized without ``auth.test``: statically with ``SLACK_BOT_TOKEN``, or from the installations
    (`StoreAuthorize`) when igbot is installed by OAuth.
    """
    token = settings.slack_bot_token
    api = WebClient(base_url=settings.slack_api_url, timeout=2)  # the token comes from authorize
    install = None

    def static(enterprise_id: str | None, team_id: str | None, **_: object) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    authorize: Callable[..., AuthorizeResult] | Authorize = static
    if services.installations is not None and settings.slack_client_id and settings.slack_client_secret:
        authorize = StoreAuthorize(services.slack)
        install = oauth_flow(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            public_url=settings.public_url,
            slack_web_url=settings.slack_web_url,
            api_client=WebClient(base_url=settings.slack_api_url, timeout=5),
            installation_store=services.installations,
            state_store=RedisOAuthStateStore(replay_store),
        )

    bolt = App(
        signing_secret=settings.slack_signing_secret,
        client=api,
        authorize=authorize,  # type: ignore[arg-type]  # Bolt takes an Authorize too (app.py)
        # igbot's flow, so that Bolt does not build its own file-based one from SLACK_CLIENT_ID (and say so)
        oauth_flow=install,
        process_before_response=True,
        listener_executor=AfterAck(),  # lazy listeners (Slack calls) start after the ack has left
        request_verification_enabled=False,  # the guard in front of Bolt verified it already
        user_facing_authorize_error_message=replies.NOT_INSTALLED,
    )
    register_listeners(bolt, services, commands)
    web = create_web_app(
        bolt,
        services,
        signing_secret=settings.slack_signing_secret,
        replay_store=replay_store,
        instagram_secret=settings.instagram_client_secret,
        install=install,
    )
    return web, bolt
