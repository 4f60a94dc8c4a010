"""Fixtures: one headless Debian Chromium per run, and `igbot dev`'s stack per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser import harness

expect.set_options(timeout=10_000)  # generous for loaded CI machines; passing checks return at once


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing Chromium fails the tests (never skips them)."""
    try:
        harness.chromium_path()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    with harness.browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Dev]:
    """The whole stack as `igbot dev` starts it, on free ports, with its own data dir."""
    with harness.dev_stack(tmp_path_factory.mktemp("igbot-data")) as running:
        yield running


@pytest.fixture(scope="module")
def graph_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Dev]:
    """The stack as `igbot dev --api graph` starts it (the bot on the sandbox's Graph API)."""
    with harness.dev_stack(tmp_path_factory.mktemp("igbot-graph-data"), api="graph") as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, localStorage) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()
