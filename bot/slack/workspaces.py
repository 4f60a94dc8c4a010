"""Which bot token speaks for igbot in each Slack workspace.

Two modes (README, "Install igbot"):
- one workspace: ``SLACK_BOT_TOKEN`` speaks everywhere (`StaticWorkspaces`);
- installed by OAuth ("Add to Slack", ``SLACK_CLIENT_ID``): each team's bot token comes from the
  installation store, refreshed before it expires when Slack rotates tokens (`InstalledWorkspaces`).

Callers ask for ``client(team_id)`` and use it as a slack_sdk `WebClient`. A team without an
installation (never installed, or uninstalled meanwhile) gets a client whose every call fails with
`WorkspaceGone` (``not_installed``), like a refused call, so callers' existing error handling applies and
nothing is sent with a wrong token.

Every client built here is a `SlackClient`: Slack's refusals come out as igbot's typed errors
(`bot.slack.errors`), so callers catch ``ChannelGone``, ``RateLimited``... rather than compare strings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import Bot, InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.slack.errors import NOT_INSTALLED as NOT_INSTALLED  # re-exported: the refusal's code
from bot.slack.errors import classify, code_of, not_installed
from bot.storage.errors import redis_errors
from bot.storage.keys import token_rotation_lock_key

log = logging.getLogger(__name__)

# Set in Bolt's context by the web tier's authorize when igbot is not installed in the request's team.
NOT_INSTALLED_CONTEXT = "igbot_not_installed"
# Slack's tokens live 12 hours when rotation is on; Bolt refreshes 120 minutes before the end. So does igbot.
REFRESH_MINUTES_BEFORE_EXPIRY = 120
ROTATION_LOCK_SECONDS = 30


@dataclass(frozen=True)
class BotCredentials:
    """igbot's bot in one team: its token and identity (never logged)."""

    team_id: str
    token: str
    bot_user_id: str = ""
    bot_id: str = ""
    scopes: tuple[str, ...] = ()


class Workspaces(Protocol):
    """Where each team's bot token comes from."""

    def bot(self, team_id: str, *, refresh: bool = True) -> BotCredentials | None:
        """igbot's bot in ``team_id``, or None when igbot is not installed there; ``refresh=False``
        never refreshes a rotating token (the ack path makes no call to Slack)."""
        ...

    def client(self, team_id: str, *, paced: bool = False) -> WebClient:
        """The Web API as igbot's bot in ``team_id``; ``paced`` clients answer rate limits at once (for
        callers that pace themselves) instead of waiting them out."""
        ...

    def forget_team(self, team_id: str) -> None:
        """Forget what this keeps for ``team_id`` (it removed igbot)."""
        ...


class SlackClient(WebClient):
    """slack_sdk's `WebClient` whose refusals are igbot's typed errors: every ``chat_postMessage``,
    ``views_publish``... raises the family of Slack's error (`bot.slack.errors`, all `SlackApiError`s
    with slack_sdk's ``response``) after slack_sdk's retry handlers have had their turn."""

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``api_method`` as `WebClient` does; a refusal is raised as its `SlackError` family."""
        try:
            return super().api_call(api_method, *args, **kwargs)
        except SlackApiError as exc:
            raise classify(exc) from None


def web_client(api_url: str, token: str | None, *, wait_when_limited: bool = True) -> WebClient:
    """A Web API client (a `SlackClient`) retrying connection errors and 5xx and, unless
    ``wait_when_limited`` is off, waiting out rate limits."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)]
    if wait_when_limited:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return SlackClient(token=token, base_url=api_url, timeout=5, retry_handlers=handlers)


class _NotInstalled(SlackClient):
    """A client for a team igbot is not installed in: every call is refused before it leaves."""

    def __init__(self, team_id: str) -> None:
        super().__init__(token=None)
        self._team_id = team_id

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        """Refuse (`WorkspaceGone`), as Slack would refuse a call without a valid token."""
        raise not_installed(self._team_id)


class StaticWorkspaces:
    """One bot token (``SLACK_BOT_TOKEN``) for every team Slack sends (the single-workspace mode)."""

    def __init__(self, api_url: str, token: str) -> None:
        self._token = token
        self._clients = {
            False: web_client(api_url, token),
            True: web_client(api_url, token, wait_when_limited=False),
        }

    def bot(self, team_id: str, *, refresh: bool = True) -> BotCredentials | None:
        """The one token, whatever the team."""
        return BotCredentials(team_id=team_id, token=self._token)

    def client(self, team_id: str, *, paced: bool = False) -> WebClient:
        """The one client (one of two: waiting out rate limits or not)."""
        return self._clients[paced]

    def forget_team(self, team_id: str) -> None:
        """Nothing is kept per team."""


class InstalledWorkspaces:
    """Each team's bot from the installation store; tokens that Slack rotates are refreshed
    ``REFRESH_MINUTES_BEFORE_EXPIRY`` minutes before they expire, by one process at a time (a Redis lock;
    the others go on with the current token, which is still valid).

    Args:
        store: the installation store (`bot.storage.installations.RedisInstallationStore`).
        api_url: the Web API base URL.
        client_id, client_secret: the Slack app's credentials (for refreshing tokens).
        lock_client: Redis for the refresh lock.
        fallback_token: ``SLACK_BOT_TOKEN`` when it is set too: the token of any team without an
            installation (the workspace igbot served before it was installed by OAuth).
        clock: seconds since the epoch.
    """

    def __init__(
        self,
        store: InstallationStore,
        api_url: str,
        *,
        client_id: str,
        client_secret: str,
        lock_client: redis.Redis,
        fallback_token: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._fallback = fallback_token
        self._api_url = api_url
        self._redis = lock_client
        self._clock = clock
        self._rotator = TokenRotator(
            client_id=client_id, client_secret=client_secret, client=WebClient(base_url=api_url, timeout=5)
        )

    def forget_team(self, team_id: str) -> None:
        """Drop the team's token-refresh lock (its installations are the installation store's)."""
        with redis_errors():
            self._redis.delete(token_rotation_lock_key(team_id))

    def _find(self, team_id: str) -> Bot | None:
        with redis_errors():
            return self._store.find_bot(enterprise_id=None, team_id=team_id)

    def _refreshed(self, bot: Bot) -> Bot:
        expires_at = bot.bot_token_expires_at
        if not bot.bot_refresh_token or not expires_at:
            return bot
        if expires_at - self._clock() > REFRESH_MINUTES_BEFORE_EXPIRY * 60:
            return bot
        lock = token_rotation_lock_key(str(bot.team_id))
        with redis_errors():
            won = self._redis.set(lock, "1", nx=True, ex=ROTATION_LOCK_SECONDS)
        if not won:
            return bot  # another process is refreshing it; this token is still valid meanwhile
        try:
            current = self._find(str(bot.team_id)) or bot  # another process may have refreshed it just now
            if current.bot_token != bot.bot_token:
                return current
            try:
                fresh = self._rotator.perform_bot_token_rotation(
                    bot=current, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
                )
            except SlackTokenRotationError as exc:
                log.warning("Slack refused to refresh a bot token (%s)", code_of(exc.api_error.response))
                return current
            except Exception as exc:  # Slack unreachable: the token is still valid for up to 2 hours
                log.warning("could not reach Slack to refresh a bot token (%s)", type(exc).__name__)
                return current
            if fresh is None:
                return current
            with redis_errors():
                self._store.save_bot(fresh)  # under the lock: nobody refreshes from the old token meanwhile
            log.info("refreshed the bot token of a workspace before it expired")
            return fresh
        finally:
            with redis_errors():
                self._redis.delete(lock)

    def bot(self, team_id: str, *, refresh: bool = True) -> BotCredentials | None:
        """igbot's bot in ``team_id`` (refreshed when due, unless ``refresh`` is off), or None when it
        is not installed there.

        Raises:
            StorageUnavailable: Redis did not answer.
        """
        found = self._find(team_id) if team_id else None
        if found is None or not found.bot_token:
            # SLACK_BOT_TOKEN as well: the workspace it belongs to worked before OAuth and still does.
            return BotCredentials(team_id=team_id, token=self._fallback) if self._fallback else None
        bot = self._refreshed(found) if refresh else found
        return BotCredentials(
            team_id=team_id,
            token=str(bot.bot_token),
            bot_user_id=str(bot.bot_user_id or ""),
            bot_id=str(bot.bot_id or ""),
            scopes=tuple(bot.bot_scopes or ()),
        )

    def client(self, team_id: str, *, paced: bool = False) -> WebClient:
        """The Web API as igbot's bot in ``team_id``; a refusing client when it is not installed.

        Raises:
            StorageUnavailable: Redis did not answer.
        """
        bot = self.bot(team_id)
        if bot is None:
            return _NotInstalled(team_id)
        return web_client(self._api_url, bot.token, wait_when_limited=not paced)
