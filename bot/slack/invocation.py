"""Who ran a command, where, and where to answer: the part of a Slack payload the handlers need."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks import Message

Reply = Callable[[Message], object]


@dataclass(frozen=True)
class Invocation:
    """One `/ig` command, from Slack or resumed after linking."""

    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    response_url: str
    text: str

    @classmethod
    def from_command(cls, command: Mapping[str, Any]) -> Invocation:
        """Read the slash command payload Bolt passes to listeners."""
        return cls(
            team_id=str(command.get("team_id", "")),
            user_id=str(command.get("user_id", "")),
            user_name=str(command.get("user_name", "")),
            channel_id=str(command.get("channel_id", "")),
            response_url=str(command.get("response_url", "")),
            text=str(command.get("text", "")),
        )
