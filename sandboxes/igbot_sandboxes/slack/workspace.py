"""The seeded Slack workspace: teams, users, channels and the bot's identity in each team.

Everything is keyed by team first, because two teams may hold the same user id (Slack ids are only
unique inside a team or an Enterprise Grid): `T0SANDBOX/U0ALICE` and `T0OTHER/U0ALICE` are two people.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

SANDBOX_TEAM_ID = "T0SANDBOX"
OTHER_TEAM_ID = "T0OTHER"
BOT_USER_ID = "U0IGBOT"
BOT_ID = "B0IGBOT"
APP_ID = "A0IGBOT"
GRID_ENTERPRISE_ID = "E0GRID"
GRID_TEAM_ID = "T0GRIDA"


def bot_user_of(team_id: str) -> tuple[str, str]:
    """The bot user id and bot id igbot gets in ``team_id`` (Slack gives each team its own bot user).

    `T0SANDBOX` keeps the historical ``U0IGBOT``/``B0IGBOT``; any other team gets ids derived from the
    team id (``T0OTHER`` -> ``U0OTHERBOT``/``B0OTHERBOT``), so a reinstall finds the same bot user.
    """
    if team_id == SANDBOX_TEAM_ID:
        return BOT_USER_ID, BOT_ID
    return f"U{team_id[1:]}BOT", f"B{team_id[1:]}BOT"


@dataclass(frozen=True)
class Team:
    """A Slack team (workspace)."""

    id: str
    domain: str
    name: str
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Enterprise:
    """An Enterprise Grid organization and the ids of its teams."""

    id: str
    name: str
    team_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    """A member of one team."""

    id: str
    team_id: str
    name: str
    real_name: str
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The user object as `users.info` returns it."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "is_bot": self.is_bot,
            "tz": "Europe/London",
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "team": self.team_id,
                "image_72": f"https://avatars.sandbox.invalid/{self.team_id}/{self.id}.png",
            },
        }


@dataclass
class Channel:
    """A conversation: public or private channel, or a DM (`is_im`) between one user and the bot."""

    id: str
    team_id: str
    name: str
    members: set[str] = field(default_factory=set)
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False

    def to_api(self, viewer_id: str) -> dict[str, Any]:
        """The conversation object as `conversations.info` returns it to ``viewer_id``."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_member": viewer_id in self.members,
            "context_team_id": self.team_id,
            "num_members": len(self.members),
        }


@dataclass(frozen=True)
class BotIdentity:
    """The bot user installed in one team, and the token that acts as it.

    ``enterprise_id`` is set for a team of an Enterprise Grid; ``is_enterprise_install`` for an
    org-wide install (then ``team_id`` is the org's first team, the one API calls look into).
    ``user_token`` marks a user token (``xoxp-``): ``user_id`` is then the person it acts as.
    """

    team_id: str
    user_id: str
    bot_id: str
    token: str
    enterprise_id: str | None = None
    is_enterprise_install: bool = False
    user_token: bool = False


class Workspace:
    """Teams, users and channels, safe to read and extend from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.teams: dict[str, Team] = {}
        self._users: dict[tuple[str, str], User] = {}
        self._channels: dict[tuple[str, str], Channel] = {}
        self._bots_by_token: dict[str, BotIdentity] = {}
        self.enterprises: dict[str, Enterprise] = {}

    def add_enterprise(self, enterprise: Enterprise) -> Enterprise:
        """Add or replace an Enterprise Grid organization."""
        with self._lock:
            self.enterprises[enterprise.id] = enterprise
        return enterprise

    def add_team(self, team: Team) -> Team:
        """Add or replace a team."""
        with self._lock:
            self.teams[team.id] = team
        return team

    def add_user(self, user: User) -> User:
        """Add or replace a user of ``user.team_id``."""
        with self._lock:
            self._users[(user.team_id, user.id)] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        """Add or replace a channel of ``channel.team_id``."""
        with self._lock:
            self._channels[(channel.team_id, channel.id)] = channel
        return channel

    def install_bot(self, bot: BotIdentity) -> BotIdentity:
        """Make ``bot.token`` a valid token acting as the bot user of ``bot.team_id``."""
        with self._lock:
            self._bots_by_token[bot.token] = bot
        return bot

    def remove_token(self, token: str) -> BotIdentity | None:
        """Forget a token (revoked, uninstalled, replaced); the identity it had, or None."""
        with self._lock:
            return self._bots_by_token.pop(token, None)

    def bot_for_token(self, token: str) -> BotIdentity | None:
        """The bot a token belongs to, or None for an unknown token."""
        with self._lock:
            return self._bots_by_token.get(token)

    def bot_in(self, team_id: str) -> BotIdentity | None:
        """The bot installed in a team, or None."""
        with self._lock:
            return next(
                (b for b in self._bots_by_token.values() if b.team_id == team_id and not b.user_token), None
            )

    def user(self, team_id: str, user_id: str) -> User | None:
        """A user of one team, or None."""
        with self._lock:
            return self._users.get((team_id, user_id))

    def users(self, team_id: str) -> list[User]:
        """All users of one team."""
        with self._lock:
            return [u for (t, _), u in self._users.items() if t == team_id]

    def channel(self, team_id: str, ref: str) -> Channel | None:
        """A channel by id or by `#name`, or None."""
        with self._lock:
            if ref.startswith("#"):
                return next(
                    (c for (t, _), c in self._channels.items() if t == team_id and c.name == ref[1:]), None
                )
            return self._channels.get((team_id, ref))

    def channels(self, team_id: str) -> list[Channel]:
        """All channels of one team."""
        with self._lock:
            return [c for (t, _), c in self._channels.items() if t == team_id]

    def update_channel(
        self,
        team_id: str,
        channel_id: str,
        *,
        member: tuple[str, bool] | None = None,
        archived: bool | None = None,
    ) -> Channel | None:
        """Add or remove one member (``(user_id, True|False)``) and/or (un)archive a channel; None when
        the team has no such channel."""
        with self._lock:
            channel = self._channels.get((team_id, channel_id))
            if channel is None:
                return None
            if member is not None:
                user_id, present = member
                if present:
                    channel.members.add(user_id)
                else:
                    channel.members.discard(user_id)
            if archived is not None:
                channel.is_archived = archived
            return channel

    def dm_with(self, team_id: str, user_id: str, bot_user_id: str) -> Channel:
        """The bot's DM with a user, opened on first use (Slack lets `chat.postMessage` target a user id)."""
        existing = next((c for c in self.channels(team_id) if c.is_im and user_id in c.members), None)
        if existing is not None:
            return existing
        return self.add_channel(
            Channel(
                id=f"D{user_id[1:]}",
                team_id=team_id,
                name=user_id,
                members={user_id, bot_user_id},
                is_im=True,
            )
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data (for consoles and outside harnesses)."""
        with self._lock:
            return {
                "teams": [
                    {
                        "id": t.id,
                        "domain": t.domain,
                        "name": t.name,
                        "enterprise_id": t.enterprise_id,
                        "users": [u.to_api() for (tid, _), u in self._users.items() if tid == t.id],
                        "channels": [
                            {**c.to_api(""), "members": sorted(c.members)}
                            for (tid, _), c in self._channels.items()
                            if tid == t.id
                        ],
                    }
                    for t in self.teams.values()
                ]
            }


def seeded_workspace(bot_token: str) -> Workspace:
    """The fixed sandbox workspace, with ``bot_token`` acting as the bot in `T0SANDBOX`.

    `T0SANDBOX` ("sandbox"): alice, bob, carol, dan and the bot; #general and #random (everyone),
    G0PRIVATE (alice and bob only, the bot is not invited), D0ALICE (alice's DM with the bot).
    `T0OTHER` ("other"): another person whose id is also `U0ALICE`, and #general `C0OTHERGENERAL`.
    `T0GRIDA` ("Grid Team A", of the Enterprise Grid org `E0GRID` "Grid Org"): erin (`W0ERIN`) and
    frank (`W0FRANK`), #general `C0GRIDGENERAL`.  An empty ``bot_token`` installs no bot anywhere.
    """
    ws = Workspace()
    ws.add_team(Team(id=SANDBOX_TEAM_ID, domain="sandbox", name="Sandbox"))
    ws.add_team(Team(id=OTHER_TEAM_ID, domain="other", name="Other Team"))
    people = [("U0ALICE", "alice", "Alice Archer"), ("U0BOB", "bob", "Bob Baker")]
    people += [("U0CAROL", "carol", "Carol Carter"), ("U0DAN", "dan", "Dan Dyer")]
    for user_id, name, real_name in people:
        ws.add_user(User(id=user_id, team_id=SANDBOX_TEAM_ID, name=name, real_name=real_name))
    ws.add_user(User(id=BOT_USER_ID, team_id=SANDBOX_TEAM_ID, name="igbot", real_name="igbot", is_bot=True))
    everyone = {p[0] for p in people} | {BOT_USER_ID}
    ws.add_channel(Channel(id="C0GENERAL", team_id=SANDBOX_TEAM_ID, name="general", members=set(everyone)))
    ws.add_channel(Channel(id="C0RANDOM", team_id=SANDBOX_TEAM_ID, name="random", members=set(everyone)))
    ws.add_channel(
        Channel(
            id="G0PRIVATE",
            team_id=SANDBOX_TEAM_ID,
            name="private",
            members={"U0ALICE", "U0BOB"},
            is_private=True,
        )
    )
    ws.add_channel(
        Channel(
            id="D0ALICE",
            team_id=SANDBOX_TEAM_ID,
            name="U0ALICE",
            members={"U0ALICE", BOT_USER_ID},
            is_im=True,
        )
    )
    ws.add_user(User(id="U0ALICE", team_id=OTHER_TEAM_ID, name="alice.other", real_name="Alice Otherteam"))
    ws.add_channel(Channel(id="C0OTHERGENERAL", team_id=OTHER_TEAM_ID, name="general", members={"U0ALICE"}))
    ws.add_enterprise(Enterprise(id=GRID_ENTERPRISE_ID, name="Grid Org", team_ids=(GRID_TEAM_ID,)))
    ws.add_team(Team(id=GRID_TEAM_ID, domain="grid-a", name="Grid Team A", enterprise_id=GRID_ENTERPRISE_ID))
    for user_id, name, real_name in (("W0ERIN", "erin", "Erin Grid"), ("W0FRANK", "frank", "Frank Grid")):
        ws.add_user(User(id=user_id, team_id=GRID_TEAM_ID, name=name, real_name=real_name))
    ws.add_channel(
        Channel(id="C0GRIDGENERAL", team_id=GRID_TEAM_ID, name="general", members={"W0ERIN", "W0FRANK"})
    )
    if bot_token:
        ws.install_bot(
            BotIdentity(team_id=SANDBOX_TEAM_ID, user_id=BOT_USER_ID, bot_id=BOT_ID, token=bot_token)
        )
    return ws
