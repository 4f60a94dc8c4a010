"""The app's installations: OAuth v2 codes, bot and user tokens, token rotation, revocation, uninstall.

What Slack does, and so the stand-in (docs.slack.dev: oauth.v2.access, "Installing with OAuth",
"Using token rotation"; the slack_sdk/bolt sources and issue threads for the details):

- ``/oauth/v2/authorize`` hands the browser back to ``redirect_uri?code=...&state=...``; the code is
  single use and lives 10 minutes (``invalid_code`` after that, or when used twice).
- ``oauth.v2.access`` takes the client credentials as HTTP Basic auth (what slack_sdk sends) or as
  ``client_id``/``client_secret`` fields; ``redirect_uri`` must equal the authorize one when one was
  given there (``bad_redirect_uri``).
- Reinstalling over a live install keeps the bot token in most cases (Slack staff in
  bolt-python#969: "In most cases, the token string remains the same"); the new scopes are attached to
  it. ``new_token_on_reinstall=True`` makes every install issue a fresh token and kill the old one
  (``invalid_auth``), the "not always guaranteed" case. With token rotation every install issues new
  tokens. Installing after an uninstall always gives a new token (bolt-js#1702).
- With token rotation access tokens are ``xoxe.xoxb-...``/``xoxe.xoxp-...``, expire after
  ``token_lifetime`` seconds (Slack: 12 h) and answer ``token_expired`` afterwards;
  ``grant_type=refresh_token`` gives a new access token and a new refresh token. The old access token
  keeps working until its own expiry. [U] A refresh token is single use here (a second use answers
  ``invalid_refresh_token``).
- ``auth.revoke`` kills the calling token (``token_revoked`` afterwards). Uninstalling kills every
  token of the install: the bot's answer ``account_inactive`` (Slack's "Authentication token is for a
  deleted user or workspace when using a bot token", seen in bolt-python#1029), user tokens
  ``token_revoked``.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from igbot_sandboxes.slack.workspace import (
    APP_ID,
    BotIdentity,
    Channel,
    User,
    Workspace,
    bot_user_of,
)

DEFAULT_CLIENT_ID = "sandbox-slack-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-slack-client-secret"  # noqa: S105  # a public, sandbox-only value
DEFAULT_APP_TOKEN = "xapp-1-sandbox-app-token"  # noqa: S105  # a public, sandbox-only value
CODE_LIFETIME_SECONDS = 600.0
DEFAULT_TOKEN_LIFETIME = 43200
TokenKind = Literal["bot", "user", "app"]


class OAuthError(Exception):
    """A Slack OAuth error code (``invalid_code``, ``bad_client_secret``, ...)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class TokenRecord:
    """One token Slack issued.

    Attributes:
        identity: who it acts as (None for the app-level token).
        scopes: its scopes; None means "whatever the sandbox's ``bot_scopes`` are now" (the
            pre-installed bot).
        expires_at: clock time it stops working (token rotation), None for never.
        dead: the error it answers once it no longer works (``token_revoked``, ``account_inactive``,
            ``invalid_auth``), None while alive.
        install_key: the installation it belongs to (team id, or enterprise id for an org install).
    """

    token: str
    kind: TokenKind
    identity: BotIdentity | None
    scopes: tuple[str, ...] | None
    expires_at: float | None = None
    dead: str | None = None
    install_key: str = ""


@dataclass
class Installation:
    """igbot installed in one team, or org-wide in an Enterprise Grid (``is_enterprise_install``)."""

    key: str
    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    bot: BotIdentity
    scopes: tuple[str, ...]
    installer_user_id: str
    user_scopes: tuple[str, ...] = ()
    user_token: str | None = None
    refresh_token: str | None = None
    user_refresh_token: str | None = None
    installed_at: float = 0.0
    active: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass
class OAuthCode:
    """A code handed to the browser at the end of the authorize page."""

    code: str
    key: str
    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    user_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    redirect_uri: str | None
    issued_at: float
    used: bool = False


@dataclass
class _Refresh:
    install_key: str
    kind: TokenKind
    used: bool = False


def split_scopes(raw: Any) -> tuple[str, ...]:
    """Scopes from Slack's comma-separated form (spaces tolerated), in order, without duplicates."""
    parts = [p.strip() for p in str(raw or "").replace(" ", ",").split(",")]
    return tuple(dict.fromkeys(p for p in parts if p))


@dataclass
class Installs:
    """Every installation and token, thread-safe, with time from ``clock``."""

    workspace: Workspace
    clock: Callable[[], float]
    default_scopes: Callable[[], tuple[str, ...]]
    token_rotation: bool = False
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    new_token_on_reinstall: bool = False
    app_token: str = DEFAULT_APP_TOKEN
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _tokens: dict[str, TokenRecord] = field(default_factory=dict)
    _installs: dict[str, Installation] = field(default_factory=dict)
    _codes: dict[str, OAuthCode] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._tokens[self.app_token] = TokenRecord(self.app_token, "app", None, ("connections:write",))

    # ---------- set-up ----------

    def preinstall(self, bot: BotIdentity, installer_user_id: str = "U0ALICE") -> Installation:
        """Record the bot the workspace was seeded with (scopes follow ``default_scopes``)."""
        with self._lock:
            self._tokens[bot.token] = TokenRecord(bot.token, "bot", bot, None, install_key=bot.team_id)
            install = Installation(
                key=bot.team_id,
                team_id=bot.team_id,
                enterprise_id=bot.enterprise_id,
                is_enterprise_install=False,
                bot=bot,
                scopes=(),
                installer_user_id=installer_user_id,
                installed_at=self.clock(),
            )
            self._installs[bot.team_id] = install
            return install

    # ---------- authorize and exchange ----------

    def issue_code(
        self,
        *,
        team_id: str | None,
        enterprise_id: str | None,
        user_id: str,
        scopes: tuple[str, ...],
        user_scopes: tuple[str, ...],
        redirect_uri: str | None,
    ) -> str:
        """A one-time code for installing into ``team_id`` (or org-wide into ``enterprise_id`` when
        ``team_id`` is None) as ``user_id`` approved it."""
        code = f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**13)}.{secrets.token_hex(32)}"
        is_org = team_id is None
        key = enterprise_id if is_org else team_id
        assert key is not None
        with self._lock:
            self._codes[code] = OAuthCode(
                code=code,
                key=key,
                team_id=team_id,
                enterprise_id=enterprise_id,
                is_enterprise_install=is_org,
                user_id=user_id,
                scopes=scopes,
                user_scopes=user_scopes,
                redirect_uri=redirect_uri,
                issued_at=self.clock(),
            )
        return code

    def codes(self) -> list[OAuthCode]:
        """Every code issued, oldest first."""
        with self._lock:
            return list(self._codes.values())

    def exchange(self, code: str, redirect_uri: str | None) -> dict[str, Any]:
        """``oauth.v2.access`` with ``code`` (credentials already checked): Slack's answer body.

        Raises:
            OAuthError: ``invalid_code`` (unknown, used, older than 10 minutes), ``bad_redirect_uri``.
        """
        with self._lock:
            grant = self._codes.get(code)
            if grant is None or grant.used or self.clock() - grant.issued_at > CODE_LIFETIME_SECONDS:
                raise OAuthError("invalid_code")
            if grant.redirect_uri and redirect_uri != grant.redirect_uri:
                raise OAuthError("bad_redirect_uri")
            grant.used = True
            install = self._install(grant)
            return self._access_answer(install, include_user=True)

    def _team_of(self, grant: OAuthCode) -> str:
        if grant.team_id is not None:
            return grant.team_id
        enterprise = self.workspace.enterprises[grant.key]
        return enterprise.team_ids[0]

    def _install(self, grant: OAuthCode) -> Installation:
        """Create or replace the installation a code grants (lock held)."""
        team_id = self._team_of(grant)
        team = self.workspace.teams[team_id]
        enterprise_id = grant.enterprise_id or team.enterprise_id
        old = self._installs.get(grant.key)
        user_id, bot_id = bot_user_of(team_id)
        keep = (
            old is not None
            and old.active
            and not self.token_rotation
            and not self.new_token_on_reinstall
            and self._tokens.get(old.bot.token, TokenRecord("", "bot", None, None)).dead is None
        )
        if old is not None and keep:
            token = old.bot.token
        else:
            if old is not None:
                self._kill_install(old, "invalid_auth")
            token = self._new_token("xoxb", team_id)
        bot = BotIdentity(
            team_id=team_id,
            user_id=user_id,
            bot_id=bot_id,
            token=token,
            enterprise_id=enterprise_id,
            is_enterprise_install=grant.is_enterprise_install,
        )
        self.workspace.install_bot(bot)
        self._tokens[token] = TokenRecord(
            token, "bot", bot, grant.scopes, expires_at=self._expiry(), install_key=grant.key
        )
        self._bot_user_joins(bot, team_id)
        install = Installation(
            key=grant.key,
            team_id=None if grant.is_enterprise_install else team_id,
            enterprise_id=enterprise_id,
            is_enterprise_install=grant.is_enterprise_install,
            bot=bot,
            scopes=grant.scopes,
            installer_user_id=grant.user_id,
            user_scopes=grant.user_scopes,
            installed_at=self.clock(),
        )
        if self.token_rotation:
            install.refresh_token = self._new_refresh(grant.key, "bot")
        if grant.user_scopes:
            install.user_token = self._issue_user_token(install, team_id)
        self._installs[grant.key] = install
        return install

    def _issue_user_token(self, install: Installation, team_id: str) -> str:
        token = self._new_token("xoxp", team_id)
        person = BotIdentity(
            team_id=team_id,
            user_id=install.installer_user_id,
            bot_id="",
            token=token,
            enterprise_id=install.enterprise_id,
            is_enterprise_install=install.is_enterprise_install,
            user_token=True,
        )
        self.workspace.install_bot(person)
        self._tokens[token] = TokenRecord(
            token, "user", person, install.user_scopes, expires_at=self._expiry(), install_key=install.key
        )
        if self.token_rotation:
            install.user_refresh_token = self._new_refresh(install.key, "user")
        return token

    def _bot_user_joins(self, bot: BotIdentity, team_id: str) -> None:
        """The team's bot user exists and is a member of its #general, as after a real install."""
        if self.workspace.user(team_id, bot.user_id) is None:
            self.workspace.add_user(
                User(id=bot.user_id, team_id=team_id, name="igbot", real_name="igbot", is_bot=True)
            )
        general = self.workspace.channel(team_id, "#general")
        if general is not None:
            self.workspace.update_channel(team_id, general.id, member=(bot.user_id, True))
        elif not any(not c.is_im for c in self.workspace.channels(team_id)):
            self.workspace.add_channel(
                Channel(id=f"C{team_id[1:]}GENERAL", team_id=team_id, name="general", members={bot.user_id})
            )

    def _access_answer(self, install: Installation, *, include_user: bool) -> dict[str, Any]:
        team = self.workspace.teams[install.bot.team_id]
        enterprise = self.workspace.enterprises.get(install.enterprise_id or "")
        answer: dict[str, Any] = {
            "app_id": APP_ID,
            "authed_user": {"id": install.installer_user_id},
            "scope": ",".join(install.scopes),
            "token_type": "bot",
            "access_token": install.bot.token,
            "bot_user_id": install.bot.user_id,
            "team": None if install.is_enterprise_install else {"id": team.id, "name": team.name},
            "enterprise": {"id": enterprise.id, "name": enterprise.name} if enterprise else None,
            "is_enterprise_install": install.is_enterprise_install,
        }
        if self.token_rotation:
            answer.update(refresh_token=install.refresh_token, expires_in=self.token_lifetime)
        if include_user and install.user_token:
            user: dict[str, Any] = {
                "id": install.installer_user_id,
                "scope": ",".join(install.user_scopes),
                "access_token": install.user_token,
                "token_type": "user",
            }
            if self.token_rotation:
                user.update(refresh_token=install.user_refresh_token, expires_in=self.token_lifetime)
            answer["authed_user"] = user
        return answer

    # ---------- token rotation ----------

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """``oauth.v2.access`` with ``grant_type=refresh_token``: a new access and refresh token.

        Raises:
            OAuthError: ``invalid_refresh_token`` (unknown, already used, or its install is gone).
        """
        with self._lock:
            grant = self._refresh.get(refresh_token)
            install = self._installs.get(grant.install_key) if grant else None
            if grant is None or grant.used or install is None or not install.active:
                raise OAuthError("invalid_refresh_token")
            grant.used = True
            team_id = install.bot.team_id
            if grant.kind == "user":
                old_user = self._tokens[install.user_token] if install.user_token else None
                token = self._new_token("xoxp", team_id)
                assert old_user is not None and old_user.identity is not None
                person = dataclasses.replace(old_user.identity, token=token)
                self.workspace.install_bot(person)
                self._tokens[token] = TokenRecord(
                    token, "user", person, install.user_scopes, self._expiry(), install_key=install.key
                )
                install.user_token = token
                install.user_refresh_token = self._new_refresh(install.key, "user")
                return {
                    "app_id": APP_ID,
                    "access_token": token,
                    "token_type": "user",
                    "scope": ",".join(install.user_scopes),
                    "refresh_token": install.user_refresh_token,
                    "expires_in": self.token_lifetime,
                    "user_id": install.installer_user_id,
                    "team": {"id": team_id, "name": self.workspace.teams[team_id].name},
                    "enterprise": self._enterprise_of(install),
                    "is_enterprise_install": install.is_enterprise_install,
                }
            token = self._new_token("xoxb", team_id)
            bot = dataclasses.replace(install.bot, token=token)
            self.workspace.install_bot(bot)
            self._tokens[token] = TokenRecord(
                token, "bot", bot, install.scopes, self._expiry(), install_key=install.key
            )
            install.bot = bot
            install.refresh_token = self._new_refresh(install.key, "bot")
            answer = self._access_answer(install, include_user=False)
            answer.pop("authed_user", None)
            return answer

    def _enterprise_of(self, install: Installation) -> dict[str, str] | None:
        enterprise = self.workspace.enterprises.get(install.enterprise_id or "")
        return {"id": enterprise.id, "name": enterprise.name} if enterprise else None

    def expire_tokens(self, install_key: str | None = None) -> int:
        """Make every expiring access token (of one install, or all) expired now; how many."""
        now = self.clock()
        count = 0
        with self._lock:
            for record in self._tokens.values():
                if record.expires_at is not None and (install_key in (None, record.install_key)):
                    record.expires_at = min(record.expires_at, now - 1)
                    count += 1
        return count

    # ---------- authentication, revocation, uninstall ----------

    def authenticate(self, token: str) -> tuple[TokenRecord | None, str | None]:
        """The record of a token and None, or None and Slack's error for it (``invalid_auth``,
        ``token_expired``, ``token_revoked``, ``account_inactive``)."""
        with self._lock:
            record = self._tokens.get(token)
            if record is None:
                return None, "invalid_auth"
            if record.dead is not None:
                return None, record.dead
            if record.expires_at is not None and self.clock() >= record.expires_at:
                return None, "token_expired"
            return record, None

    def scopes_of(self, record: TokenRecord) -> tuple[str, ...]:
        """A token's scopes now."""
        return record.scopes if record.scopes is not None else self.default_scopes()

    def revoke(self, token: str) -> bool:
        """Kill one token (``auth.revoke``): it answers ``token_revoked`` afterwards."""
        with self._lock:
            record = self._tokens.get(token)
            if record is None or record.dead is not None:
                return False
            record.dead = "token_revoked"
            self.workspace.remove_token(token)
            return True

    def uninstall(self, install_key: str) -> Installation:
        """Remove the installation ``install_key`` (a team id or enterprise id) and kill its tokens.

        Raises:
            KeyError: nothing is installed under that key.
        """
        with self._lock:
            install = self._installs.get(install_key)
            if install is None or not install.active:
                raise KeyError(install_key)
            self._kill_install(install, "account_inactive")
            return install

    def _kill_install(self, install: Installation, bot_error: str) -> None:
        install.active = False
        for record in self._tokens.values():
            if record.install_key == install.key and record.kind != "app" and record.dead is None:
                record.dead = bot_error if record.kind == "bot" else "token_revoked"
                self.workspace.remove_token(record.token)
        for grant in self._refresh.values():
            if grant.install_key == install.key:
                grant.used = True

    # ---------- lookups ----------

    def installation(self, install_key: str) -> Installation | None:
        """The active installation under a team id or enterprise id, or None."""
        with self._lock:
            install = self._installs.get(install_key)
            return install if install is not None and install.active else None

    def for_team(self, team_id: str) -> Installation | None:
        """The active installation covering ``team_id``: its own, or its org's org-wide one."""
        with self._lock:
            own = self.installation(team_id)
            if own is not None:
                return own
            team = self.workspace.teams.get(team_id)
            return self.installation(team.enterprise_id) if team and team.enterprise_id else None

    def all(self) -> list[Installation]:
        """Every installation ever made (active or not), oldest first."""
        with self._lock:
            return list(self._installs.values())

    def tokens(self) -> list[TokenRecord]:
        """Every token issued."""
        with self._lock:
            return list(self._tokens.values())

    # ---------- helpers ----------

    def _expiry(self) -> float | None:
        return self.clock() + self.token_lifetime if self.token_rotation else None

    def _new_token(self, prefix: str, team_id: str) -> str:
        body = f"{prefix}-{secrets.randbelow(10**12)}-{secrets.randbelow(10**13)}-{secrets.token_hex(12)}"
        del team_id
        return f"xoxe.{prefix}-1-{body[len(prefix) + 1 :]}" if self.token_rotation else body

    def _new_refresh(self, install_key: str, kind: TokenKind) -> str:
        token = f"xoxe-1-{secrets.token_hex(40)}"
        self._refresh[token] = _Refresh(install_key, kind)
        return token
