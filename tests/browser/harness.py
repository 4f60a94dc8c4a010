"""Playwright driving Debian's Chromium (never a downloaded build) against `igbot dev`'s stack, in-process.

Shared by the browser tests and by `python -m tests.browser.screenshot`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect, sync_playwright

from bot.dev import DevStack, start_dev

CHROMIUM = os.environ.get("IGBOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
MISSING_CHROMIUM = (
    "Debian's Chromium is not installed at {path}: the browser tests need it (run `make browser`, which "
    "apt-installs `chromium`, or set IGBOT_CHROMIUM). Playwright's own browser downloads are not used."
)


def chromium_path() -> str:
    """The Chromium executable to drive; raises with a clear message when it is missing."""
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM) or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FileNotFoundError(MISSING_CHROMIUM.format(path=path))
    return path


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def browser() -> Iterator[Browser]:
    """A launched browser, closed afterwards."""
    with sync_playwright() as playwright:
        launched = launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Dev:
    """The in-process `igbot dev` stack and where its parts are."""

    stack: DevStack
    urls: dict[str, str]

    @property
    def console(self) -> str:
        return self.urls["console"]


@contextlib.contextmanager
def dev_stack(data_dir: Path, *, readme_ports: bool = False, api: str = "legacy") -> Iterator[Dev]:
    """`igbot dev --api api`'s stack, stopped afterwards: on free loopback ports, never the fixed
    3000/8700/8800 (tests run in parallel and next to a developer's `make dev`), unless ``readme_ports``
    asks to prefer those when they are free (for screenshots)."""
    ports = {"port": 0, "instagram_port": 0, "slack_port": 0}
    if readme_ports:
        ports = {"port": 3000, "instagram_port": 8700, "slack_port": 8800}
    try:
        stack, urls = start_dev(host="127.0.0.1", data_dir=data_dir, api=api, **ports)
    except OSError:  # the bot's port 3000 is taken
        stack, urls = start_dev(host="127.0.0.1", data_dir=data_dir, api=api, **{**ports, "port": 0})
    try:
        yield Dev(stack, urls)
    finally:
        stack.stop()


class Console:
    """The console page, driven the way a person would use it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def open(cls, context: BrowserContext, url: str) -> Console:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        return cls(page)

    def act_as(self, user_id: str) -> None:
        self.page.select_option("#user-picker", user_id)
        expect(self.page.locator("#user-picker")).to_have_value(user_id)

    def open_channel(self, channel_id: str) -> None:
        self.page.click(f"[data-channel={channel_id}]")
        expect(self.page.locator(f"[data-channel={channel_id}]")).to_have_class(re.compile(r"\bactive\b"))

    def send(self, line: str) -> None:
        """Type ``line`` into the message box and press Enter; waits until it shows as sent."""
        before = self.page.locator(".message.command-echo").count()
        self.page.fill("#message-input", line)
        self.page.press("#message-input", "Enter")
        self.page.wait_for_function(  # re-checked every animation frame, unlike expect()'s back-off
            "n => document.querySelectorAll('.message.command-echo').length > n", arg=before
        )

    def message(self, containing: str) -> Locator:
        """The last message (from anyone) whose text contains ``containing``, once it is shown."""
        found = self.page.locator(".message", has_text=containing).last
        found.wait_for(state="visible")
        return found

    def wait_images(self, message: Locator, count: int) -> None:
        """Wait until ``message`` shows ``count`` image blocks and every one has loaded (naturalWidth > 0)."""
        expect(message.locator(".block-image img")).to_have_count(count)
        self.page.wait_for_function(
            """([seq, count]) => {
                const imgs = [...document.querySelectorAll(`.message[data-seq="${seq}"] .block-image img`)];
                return imgs.length === count && imgs.every(img => img.complete && img.naturalWidth > 0);
            }""",
            arg=[message.get_attribute("data-seq"), count],
        )
