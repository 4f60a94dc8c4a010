"""Issue 11 items 1 and 12 on the wire: texts that crashed the ack path, and an intent nobody serves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import redis

from bot.slack.invocation import Invocation
from tests.commands import COMMANDS
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


def test_a_resumed_command_that_needs_no_work_is_answered_not_dropped(redis_client: redis.Redis) -> None:
    said: list[dict[str, object]] = []
    services = SimpleNamespace(instagram=SimpleNamespace(capabilities=frozenset()))
    for text in ("help", "follow", "frobnicate"):  # what a clipped resume can parse to after linking
        who = Invocation("T1", "U1", "u", "C1", "http://x/r", text)
        COMMANDS.run(who, services, reply=said.append)  # type: ignore[arg-type]
    assert len(said) == 3
    assert said[0]["text"].startswith(":wave: Here's what `/ig` can do:")  # type: ignore[union-attr]
    assert "Which Instagram account?" in str(said[1]["text"])
    assert str(said[2]["text"]).startswith("I don't know `/ig frobnicate`.")
