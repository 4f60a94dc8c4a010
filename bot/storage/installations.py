"""Slack installations and Slack OAuth states in Redis (slack_sdk ships neither for Redis).

`RedisInstallationStore` implements slack_sdk's ``InstallationStore`` (what Bolt's OAuth flow saves and its
authorization reads); `RedisOAuthStateStore` implements ``OAuthStateStore``.

Keys (``{c}`` the Slack app's client id, ``{e}`` the enterprise id, ``{t}`` the team id, ``{u}`` the
installing user's id; ``-`` stands for an absent id, and ``{t}`` is ``-`` for an org-wide install,
``is_enterprise_install``, as slack_sdk's own stores do):

- ``igbot:slack-bot:{c}:{e}:{t}`` string, JSON: the team's bot (``Bot``), the only copy of the bot token.
  Until the bot token is revoked or the app uninstalled (``delete_bot`` / ``delete_all``).
- ``igbot:slack-install:{c}:{e}:{t}:{u}`` string, JSON: the installation made by one user (``Installation``
  without the bot token and bot refresh token, which are read from the bot key, so a revoked or rotated
  bot token is nowhere else). One per user: a user installing again replaces their row, another user's
  row stays. No history is kept. Until that user's tokens are revoked or the app uninstalled.
- ``igbot:slack-installers:{c}:{e}:{t}`` sorted set: user id -> ``installed_at`` of every row of the
  team. Its newest member is the team's latest installation (so deleting that user's row makes the
  previous installer's the latest, like slack_sdk's SQL stores, and no copy can go stale), and it is how
  ``delete_all`` finds every row: reading this set costs the team's size, where SCAN would walk the whole
  keyspace. Rows and set are written in one MULTI and deleted in one script, so neither outlives the other.
- ``igbot:slack-state:{state}`` string: one pending "Add to Slack" flow, ``expiration_seconds`` (600 s).

Every key of a team names its team id, so an uninstall can be checked complete by looking for it. Tokens
(``bot_token``, ``bot_refresh_token``, ``user_token``, ``user_refresh_token``) and ``incoming_webhook_url``
(whoever has it can post) are encrypted with `TokenCipher`; ids, names, scopes and times are not.
``custom_values`` are stored as given (plain JSON): put no secret there.

Redis errors raise `StorageUnavailable`; a failed ``save`` raises `InstallationNotSaved` (a
`StorageUnavailable`), which igbot's OAuth flow (`bot.web.install`) answers with its storage page. It is not
a ``BoltError``: importing Bolt here would cost every worker process its start-up time.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.storage.crypto import TokenCipher, UndecryptableToken
from bot.storage.errors import StorageUnavailable, redis_errors
from bot.storage.keys import PREFIX

NONE = "-"  # an absent enterprise, team or user id in a key (Slack ids never are "-")

# What is stored of a Bot and of an Installation: exactly their constructors' parameters, taken from the
# attributes (not from to_dict(), which turns times into datetimes, losing installed_at's sub-microsecond
# digits, and mixes custom_values in with the standard fields).
BOT_FIELDS = (
    "app_id",
    "enterprise_id",
    "enterprise_name",
    "team_id",
    "team_name",
    "bot_token",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_refresh_token",
    "bot_token_expires_at",
    "is_enterprise_install",
    "installed_at",
    "custom_values",
)
INSTALLATION_FIELDS = (
    "app_id",
    "enterprise_id",
    "enterprise_name",
    "enterprise_url",
    "team_id",
    "team_name",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token_expires_at",
    "user_id",
    "user_token",
    "user_scopes",
    "user_refresh_token",
    "user_token_expires_at",
    "incoming_webhook_url",
    "incoming_webhook_channel",
    "incoming_webhook_channel_id",
    "incoming_webhook_configuration_url",
    "is_enterprise_install",
    "token_type",
    "installed_at",
    "custom_values",
)
# Taken from the bot key when an installation is read (the bot key is the latest bot).
BOT_OVERLAY = (
    "bot_token",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_refresh_token",
    "bot_token_expires_at",
)
BOT_SECRETS = ("bot_token", "bot_refresh_token")
INSTALLATION_SECRETS = ("user_token", "user_refresh_token", "incoming_webhook_url")

# The team's latest installation (the newest member of the index: its user id and row) and the team's
# bot, in one atomic read. KEYS: index, bot. ARGV: the prefix of the team's row keys.
_FIND_LATEST = """
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0)
if #newest == 0 then return {false, false, false} end
return {newest[1], redis.call('GET', ARGV[1] .. newest[1]), redis.call('GET', KEYS[2])}
"""

# Delete every row the index lists, the index, and any further KEYS (the bot). ARGV: the rows' prefix.
_DELETE_TEAM = """
local users = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, user in ipairs(users) do redis.call('DEL', ARGV[1] .. user) end
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
return #users
"""

# Re-encryption after a key rotation: only if the value is still the one read (a save meanwhile wins).
_SET_IF_UNCHANGED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end
return false
"""


class InstallationNotSaved(StorageUnavailable):
    """Redis failed while saving an installation."""


@contextmanager
def _saving() -> Iterator[None]:
    try:
        with redis_errors():
            yield
    except StorageUnavailable as exc:
        raise InstallationNotSaved(str(exc)) from exc


def _id(value: str | None) -> str:
    return value or NONE


class RedisInstallationStore(InstallationStore):
    """slack_sdk's ``InstallationStore`` on Redis (key layout in the module docstring).

    Args:
        client: a redis-py client with ``decode_responses=True``.
        cipher: encrypts tokens and webhook URLs at rest.
        client_id: the Slack app's client id: two apps sharing one Redis never see each other's data.
        logger: slack_sdk's ``logger`` property; this module's logger by default.
    """

    def __init__(
        self,
        client: redis.Redis,
        cipher: TokenCipher,
        *,
        client_id: str,
        logger: logging.Logger | None = None,
    ) -> None:
        if not client_id:
            raise ValueError("client_id is needed")
        self._redis = client
        self._cipher = cipher
        self.client_id = client_id
        self._logger = logger or logging.getLogger(__name__)
        self._find_latest = client.register_script(_FIND_LATEST)
        self._delete_team = client.register_script(_DELETE_TEAM)
        self._set_if_unchanged = client.register_script(_SET_IF_UNCHANGED)

    @property
    def logger(self) -> logging.Logger:
        """The logger slack_sdk and Bolt use for this store."""
        return self._logger

    # Keys ------------------------------------------------------------------------------------------

    def _team(self, enterprise_id: str | None, team_id: str | None, enterprise_install: bool | None) -> str:
        team = NONE if enterprise_install else _id(team_id)
        return f"{self.client_id}:{_id(enterprise_id)}:{team}"

    def bot_key(
        self, enterprise_id: str | None, team_id: str | None, enterprise_install: bool = False
    ) -> str:
        """Key of the team's (or, for an org-wide install, the org's) bot."""
        return f"{PREFIX}slack-bot:{self._team(enterprise_id, team_id, enterprise_install)}"

    def installation_key(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        enterprise_install: bool = False,
    ) -> str:
        """Key of the installation one user made in the team (or org)."""
        return self._rows_prefix(enterprise_id, team_id, enterprise_install) + _id(user_id)

    def installers_key(
        self, enterprise_id: str | None, team_id: str | None, enterprise_install: bool = False
    ) -> str:
        """Key of the sorted set of the team's installers (user id -> installed_at)."""
        return f"{PREFIX}slack-installers:{self._team(enterprise_id, team_id, enterprise_install)}"

    def _rows_prefix(self, enterprise_id: str | None, team_id: str | None, enterprise_install: bool) -> str:
        return f"{PREFIX}slack-install:{self._team(enterprise_id, team_id, enterprise_install)}:"

    # Writing ---------------------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        """Store one user's installation and, when it has a bot token, the team's bot, atomically.

        Raises:
            InstallationNotSaved: Redis failed (nothing was written).
        """
        e, t, org = installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        row = self._encode(installation, INSTALLATION_FIELDS, INSTALLATION_SECRETS)
        bot = installation.to_bot() if installation.bot_token is not None else None
        with _saving():
            pipe = self._redis.pipeline(transaction=True)
            pipe.set(self.installation_key(e, t, installation.user_id, org), row)
            pipe.zadd(self.installers_key(e, t, org), {_id(installation.user_id): installation.installed_at})
            if bot is not None:
                pipe.set(self.bot_key(e, t, org), self._encode(bot, BOT_FIELDS, BOT_SECRETS))
            pipe.execute()

    def save_bot(self, bot: Bot) -> None:
        """Store the team's bot, replacing the one stored (a bot without a token is not stored, as in
        slack_sdk's stores).

        Raises:
            InstallationNotSaved: Redis failed.
        """
        if bot.bot_token is None:
            self._logger.debug("not saving a bot without a bot token")
            return
        key = self.bot_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        value = self._encode(bot, BOT_FIELDS, BOT_SECRETS)
        with _saving():
            self._redis.set(key, value)

    # Reading ---------------------------------------------------------------------------------------

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The team's bot (the org's, for ``is_enterprise_install``), or None.

        Raises:
            StorageUnavailable: Redis failed.
        """
        key = self.bot_key(enterprise_id, team_id, bool(is_enterprise_install))
        with redis_errors():
            raw = self._redis.get(key)
        data = self._decode(key, raw, BOT_SECRETS)
        return None if data is None else Bot(**_pick(data, BOT_FIELDS))

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installation ``user_id`` made, or without ``user_id`` the team's latest one (the newest
        ``installed_at`` still stored), with the team's current bot; None if there is none.

        Raises:
            StorageUnavailable: Redis failed.
        """
        org = bool(is_enterprise_install)
        bot_key = self.bot_key(enterprise_id, team_id, org)
        with redis_errors():
            if user_id is None:
                index = self.installers_key(enterprise_id, team_id, org)
                prefix = self._rows_prefix(enterprise_id, team_id, org)
                user_id, row_raw, bot_raw = self._find_latest(keys=[index, bot_key], args=[prefix])
                if user_id is None:
                    return None
            else:
                row_raw, bot_raw = self._redis.mget(
                    [self.installation_key(enterprise_id, team_id, user_id, org), bot_key]
                )
        row_key = self.installation_key(enterprise_id, team_id, str(user_id), org)
        data = self._decode(row_key, row_raw, INSTALLATION_SECRETS)
        if data is None:
            return None
        fields = _pick(data, INSTALLATION_FIELDS)
        bot = self._decode(bot_key, bot_raw, BOT_SECRETS)
        if bot is not None:
            fields.update({name: bot.get(name) for name in BOT_OVERLAY})
        return Installation(**fields)

    # Deleting --------------------------------------------------------------------------------------

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the team's bot and so its token (the installations' rows stay; they hold no bot token).

        Raises:
            StorageUnavailable: Redis failed.
        """
        with redis_errors():
            self._redis.delete(self.bot_key(enterprise_id, team_id))

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the installation ``user_id`` made, or without ``user_id`` every installation of the
        team (as slack_sdk's file and SQL stores do); the bot stays.

        Raises:
            StorageUnavailable: Redis failed.
        """
        index = self.installers_key(enterprise_id, team_id)
        with redis_errors():
            if user_id is None:
                self._delete_team(keys=[index], args=[self._rows_prefix(enterprise_id, team_id, False)])
                return
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(self.installation_key(enterprise_id, team_id, user_id))
            pipe.zrem(index, user_id)
            pipe.execute()

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything stored of the team (the app was uninstalled), in one atomic step.

        Raises:
            StorageUnavailable: Redis failed.
        """
        keys = [self.installers_key(enterprise_id, team_id), self.bot_key(enterprise_id, team_id)]
        with redis_errors():
            self._delete_team(keys=keys, args=[self._rows_prefix(enterprise_id, team_id, False)])

    # Encoding --------------------------------------------------------------------------------------

    def _encode(self, obj: Bot | Installation, fields: tuple[str, ...], secret: tuple[str, ...]) -> str:
        data: dict[str, Any] = {name: getattr(obj, name, None) for name in fields}
        for name in secret:
            if data.get(name) is not None:
                data[name] = self._cipher.encrypt(str(data[name]))
        return json.dumps(data, separators=(",", ":"))

    def _decode(self, key: str | None, raw: Any, secret: tuple[str, ...]) -> dict[str, Any] | None:
        """The stored JSON with its secrets decrypted, or None when missing or unreadable. Secrets under an
        older key are re-encrypted in place when ``key`` is given."""
        if raw is None:
            return None
        try:
            data = json.loads(str(raw))
        except ValueError:
            self._logger.warning("unreadable Slack installation data in Redis; ignored")
            return None
        if not isinstance(data, dict):
            return None
        rotated = False
        try:
            for name in secret:
                if isinstance(data.get(name), str):
                    plain, again = self._cipher.decrypt(data[name])
                    data[name] = plain
                    rotated = rotated or again is not None
        except UndecryptableToken:
            self._logger.warning("a stored Slack token cannot be decrypted with the configured keys; ignored")
            return None
        if rotated and key is not None:
            fresh = {**data, **{n: self._cipher.encrypt(data[n]) for n in secret if data.get(n) is not None}}
            with redis_errors():
                self._set_if_unchanged(keys=[key], args=[str(raw), json.dumps(fresh, separators=(",", ":"))])
        return data


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The constructor's parameters out of stored data (unknown keys, from a later igbot, left out)."""
    return {name: data.get(name) for name in fields}


def state_key(state: str) -> str:
    """Key of one pending "Add to Slack" flow."""
    return f"{PREFIX}slack-state:{state}"


class RedisOAuthStateStore(OAuthStateStore):
    """slack_sdk's ``OAuthStateStore`` on Redis: random states that work once and expire.

    Args:
        client: a redis-py client with ``decode_responses=True``.
        expiration_seconds: lifetime of a state (keep it equal to Bolt's ``state_expiration_seconds``,
            the lifetime of the browser cookie that carries it).
        logger: slack_sdk's ``logger`` property; this module's logger by default.
    """

    def __init__(
        self, client: redis.Redis, *, expiration_seconds: int = 600, logger: logging.Logger | None = None
    ) -> None:
        if expiration_seconds < 1:
            raise ValueError("expiration_seconds must be at least 1")
        self._redis = client
        self.expiration_seconds = expiration_seconds
        self._logger = logger or logging.getLogger(__name__)

    @property
    def logger(self) -> logging.Logger:
        """The logger slack_sdk and Bolt use for this store."""
        return self._logger

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state (256 random bits, URL-safe), stored for ``expiration_seconds``.

        Raises:
            StorageUnavailable: Redis failed.
        """
        state = secrets.token_urlsafe(32)
        with redis_errors():
            self._redis.set(state_key(state), "1", ex=self.expiration_seconds, nx=True)
        return state

    def consume(self, state: str) -> bool:
        """True once for a state issued less than ``expiration_seconds`` ago, then False (GETDEL: one
        step, so two processes never both accept it).

        Raises:
            StorageUnavailable: Redis failed.
        """
        if not isinstance(state, str) or not state or len(state) > 128:
            return False
        with redis_errors():
            return self._redis.getdel(state_key(state)) is not None
