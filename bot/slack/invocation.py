"""Who ran a command, where, and where to answer: the part of a Slack payload the handlers need."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.slack.blocks import Message

Reply = Callable[[Message], object]


@dataclass(frozen=True)
class Invocation:
    """One `/ig` command, from Slack, from a button, or resumed after linking (``text`` is the command)."""

    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    response_url: str
    text: str

    @classmethod
    def from_command(cls, command: Mapping[str, Any], context: Mapping[str, Any]) -> Invocation:
        """A slash command: team, user and channel from Bolt's ``context`` (read from the request once,
        by Bolt, and what it authorized the request with), the rest from the ``command`` payload Bolt
        passes to listeners."""
        return cls(
            team_id=_id(context, "team_id"),
            user_id=_id(context, "user_id"),
            user_name=str(command.get("user_name", "")),
            channel_id=_id(context, "channel_id"),
            response_url=str(command.get("response_url", "")),
            text=str(command.get("text", "")),
        )

    @classmethod
    def from_action(cls, body: Mapping[str, Any], context: Mapping[str, Any], text: str) -> Invocation:
        """Who clicked a button or menu (ids from Bolt's ``context``), where, and the command it
        continues; the user's name and the response URL (none for a click in a view) from ``body``."""
        user = body.get("user") or {}
        return cls(
            team_id=_id(context, "team_id"),
            user_id=_id(context, "user_id"),
            user_name=str(user.get("username") or user.get("name") or ""),
            channel_id=_id(context, "channel_id"),
            response_url=str(body.get("response_url", "")),
            text=text,
        )

    def payload(self) -> dict[str, str]:
        """As a job argument (JSON): no token or secret is part of an invocation."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Invocation:
        """The inverse of `payload`; unknown keys are ignored, missing ones are empty."""
        return cls(**{f.name: str(payload.get(f.name, "")) for f in fields(cls)})


def _id(context: Mapping[str, Any], name: str) -> str:
    """An id Bolt's context carries (``team_id``, ``user_id``, ``channel_id``...), "" when it has none."""
    return str(context.get(name) or "")
