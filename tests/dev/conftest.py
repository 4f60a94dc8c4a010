"""Fixtures: a Slack stand-in on a free port, and a recording fake bot behind it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.threaded_server import RunningServer, start_server
from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeBot


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    """A started stand-in with no bot yet."""
    sandbox = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN)
    sandbox.start(host="127.0.0.1", port=0)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def fake_bot(slack: SlackSandbox) -> Iterator[FakeBot]:
    """A bot that answers every request with an empty 200 and records it."""
    bot = FakeBot()
    server: RunningServer = start_server(bot, host="127.0.0.1", port=0, name="fake-bot")
    slack.bot_url = f"{server.url}/slack/events"
    yield bot
    server.stop()
