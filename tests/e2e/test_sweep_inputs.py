"""Issue 11 items 1 and 12 on the wire: texts that crashed the ack path, and an intent nobody serves."""

from __future__ import annotations

import pytest
import redis

from bot.slack import replies
from bot.slack.commands import dispatch
from bot.slack.intents import Help, Usage
from bot.slack.invocation import Invocation
from tests.stack import Stack

CRASHED = [
    "[/",
    "a]/",
    "<[/|x>",
    "＠/",  # noqa: RUF001 (the full-width at sign is the point)
    "℀/",
    "﹖/",
    "instagram.com℀/x",
    "https://instagram.com[/x",
    "<@U1|[/>",
]


@pytest.mark.parametrize("name", CRASHED)
def test_hostile_usernames_get_the_usage_line_in_the_ack(stack: Stack, name: str) -> None:
    for command in ("follow", "unfollow", "user"):
        result = stack.command(f"{command} {name}")
        assert result.status == 200 and result.error is None, (command, name, result.raw_text)
        assert "doesn't look like an Instagram username" in result.raw_text
    assert stack.pending_jobs() == 0  # answered in the ack: nothing was queued


def test_an_intent_without_a_handler_is_answered_not_dropped(redis_client: redis.Redis) -> None:
    said: list[dict[str, object]] = []
    who = Invocation("T1", "U1", "u", "C1", "http://x/r", "help")
    for intent in (Help(), Usage("x")):  # what a clipped resume can parse to after linking
        dispatch.run(intent, who, services=None, reply=said.append)  # type: ignore[arg-type]
    assert [m["text"] for m in said] == [replies.CANNOT_FINISH, replies.CANNOT_FINISH]
