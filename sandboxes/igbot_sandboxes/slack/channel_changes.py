"""Test-made changes to channels: the bot removed from (or added back to) a channel, a channel archived
(or unarchived).  `SlackSandbox.reset` undoes them all.

What the bot then sees (see `api_methods`): ``chat.postMessage`` to a public channel it is not in
answers ``not_in_channel`` (unless its token has ``chat:write.public``), to a private channel or DM it
is not in ``channel_not_found``, to an archived channel ``is_archived``.
"""

from __future__ import annotations

import threading

from igbot_sandboxes.slack.workspace import Channel, Workspace


class ChannelChanges:
    """Changes the controls made to ``workspace``'s channels, remembered so they can be undone."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._lock = threading.Lock()
        self._originals: dict[tuple[str, str], tuple[bool, bool]] = {}  # -> (bot was member, archived)

    def _bot_user(self, team_id: str) -> str:
        bot = self._workspace.bot_in(team_id)
        if bot is None:
            raise ValueError(f"no bot installed in team {team_id}")
        return bot.user_id

    def _remember(self, team_id: str, channel_id: str, bot_user: str) -> None:
        channel = self._workspace.channel(team_id, channel_id)
        if channel is None or channel.id != channel_id:
            raise ValueError(f"no channel {channel_id} in team {team_id}")
        with self._lock:
            self._originals.setdefault(
                (team_id, channel_id), (bot_user in channel.members, channel.is_archived)
            )

    def set_bot_member(self, team_id: str, channel_id: str, member: bool) -> Channel:
        """Put the bot in the channel or take it out.

        Raises:
            ValueError: unknown team bot or channel.
        """
        bot_user = self._bot_user(team_id)
        self._remember(team_id, channel_id, bot_user)
        channel = self._workspace.update_channel(team_id, channel_id, member=(bot_user, member))
        assert channel is not None
        return channel

    def set_archived(self, team_id: str, channel_id: str, archived: bool) -> Channel:
        """Archive or unarchive the channel.

        Raises:
            ValueError: unknown team bot or channel.
        """
        self._remember(team_id, channel_id, self._bot_user(team_id))
        channel = self._workspace.update_channel(team_id, channel_id, archived=archived)
        assert channel is not None
        return channel

    def undo(self) -> None:
        """Every changed channel back to how it was before the first change."""
        with self._lock:
            originals, self._originals = self._originals, {}
        for (team_id, channel_id), (was_member, archived) in originals.items():
            bot = self._workspace.bot_in(team_id)
            member = (bot.user_id, was_member) if bot else None
            self._workspace.update_channel(team_id, channel_id, member=member, archived=archived)
