"""Fixtures: a started Slack stand-in, a recording fake bot, an injectable clock, an image server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.threaded_server import RunningServer
from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeBot, FakeClock, ImageServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[SlackSandbox]:
    """A started stand-in (no bot yet), stopped after the test."""
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, clock=clock)
    sb.start(host="127.0.0.1", port=0)
    yield sb
    sb.stop()


@pytest.fixture
def fake_bot(sandbox: SlackSandbox, serve: Callable[[Any], RunningServer]) -> FakeBot:
    """A recording bot the sandbox calls; answers an empty 200 unless ``fake_bot.reply`` is changed."""
    bot = FakeBot()
    sandbox.bot_url = f"{serve(bot).url}/slack/events"
    return bot


@pytest.fixture
def pictures(serve: Callable[[Any], RunningServer]) -> ImageServer:
    """A loopback server of pictures, 404s and HTML pages for the image download check."""
    server = ImageServer()
    server.base_url = serve(server).url
    return server
