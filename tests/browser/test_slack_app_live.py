"""igbot as an OAuth-installed Slack app, in Chromium: "Add igbot" in the console, igbot's "Add to Slack",
the stand-in's approval page (Sandbox, Allow), igbot's "igbot is in Sandbox"; then alice's igbot Home tab
(Connect, then `@alice` and Disconnect once linked) and a pasted Instagram post link that unfurls under
the message without a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console
from tests.stack import Stack, start_stack

SANDBOX = "T0SANDBOX"


@pytest.fixture
def app_stack(redis_url: str) -> Iterator[Stack]:
    """The stack with igbot installable by OAuth; no workspace has it yet."""
    running = start_stack(redis_url, oauth=True)
    try:
        yield running
    finally:
        running.close()


def test_added_by_oauth_then_home_tab_and_unfurl_work(app_stack: Stack, context: BrowserContext) -> None:
    running = app_stack
    assert running.slack.installed_teams() == []
    console = Console.open(context, running.slack.base_url)
    console.page.select_option("#team-picker", SANDBOX)
    expect(console.page.locator("#team-picker")).to_have_value(SANDBOX)
    expect(console.page.locator("#install-box")).to_contain_text("igbot is not installed in this workspace")

    # 1. Install: the console's "Add igbot" opens igbot's page in a new tab.
    with context.expect_page() as opened:
        console.page.click("#install")
    install = opened.value
    install.wait_for_load_state()
    assert install.url.startswith(f"{running.bot.url}/slack/install"), install.url
    state_cookies = [c for c in context.cookies(running.bot.url) if c["name"] == "slack-app-oauth-state"]
    assert state_cookies, f"Chromium kept no Bolt state cookie on {running.bot.url}: {context.cookies()}"
    assert state_cookies[0]["secure"], state_cookies  # Secure, yet kept: Chromium trusts http://127.0.0.1
    install.click("#add-to-slack")
    expect(install.locator("#oauth-form")).to_be_visible()
    install.get_by_role("radio", name=re.compile(r"^\s*Sandbox\b")).check()
    install.get_by_role("button", name="Allow").click()
    expect(install.locator("body")).to_contain_text("igbot is in Sandbox")
    assert install.url.startswith(f"{running.bot.url}/slack/oauth_redirect"), install.url
    assert SANDBOX in running.slack.installed_teams()
    install.close()

    # 2. App Home as alice: Connect first; once linked, @alice and Disconnect.
    console.page.reload()
    expect(console.page.locator("body")).to_have_attribute("data-ready", "true")
    expect(console.page.locator("#team-picker")).to_have_value(SANDBOX)
    expect(console.page.locator("#install-box")).to_contain_text("igbot is installed here")
    console.act_as("U0ALICE")
    home = console.page.locator("#home-view")
    console.page.click("#open-home")
    expect(home).to_be_visible()
    expect(home.get_by_role("button", name="Connect Instagram")).to_be_visible()
    expect(home.get_by_role("button", name=re.compile("Disconnect"))).to_have_count(0)
    running.link("alice")
    console.page.click("#open-home")  # reopened: Slack sends app_home_opened again
    expect(home).to_contain_text("@alice")
    expect(home.get_by_role("button", name=re.compile("Disconnect"))).to_be_visible()
    expect(home.get_by_role("button", name="Connect Instagram")).to_have_count(0)

    # 3. Unfurl: a post link of alice's, posted from the composer, gets its card without a reload.
    console.open_channel("C0GENERAL")
    alice = running.instagram.world.user_by_username("alice")
    post = running.instagram.world.media_of(str(alice.id))[0]
    url = f"https://www.instagram.com/p/{post.shortcode}/"
    reloads: list[str] = []
    console.page.on("framenavigated", lambda frame: reloads.append(frame.url))
    console.page.fill("#message-input", f"look at this {url}")
    console.page.press("#message-input", "Enter")
    message = console.page.locator(".message.from-user", has_text="look at this").last
    expect(message).to_be_visible()
    card = message.locator(f'.unfurl[data-url="{url}"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("@alice")
    assert reloads == []
    assert running.worker_errors() == []
