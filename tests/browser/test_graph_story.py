"""Today's Instagram in a real browser (`igbot dev --api graph`): console -> `/ig recent 2` unlinked ->
Connect -> the sandbox's Facebook dialog -> log in as alice -> pick one of her two professional accounts
in Slack's menu -> her latest two posts, whose pictures load."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console, Dev

EPHEMERAL = re.compile(r"\bephemeral\b")
IN_CHANNEL = re.compile(r"\bin-channel\b")


def test_recent_links_through_facebook_and_the_account_menu_and_the_pictures_load(
    graph_dev: Dev, context: BrowserContext
) -> None:
    console = Console.open(context, graph_dev.console)
    console.act_as("U0ALICE")
    console.open_channel("C0GENERAL")
    hint = console.page.locator("#composer-hint")
    expect(hint).to_have_attribute("data-api", "graph")  # the console suggests what works on graph
    expect(hint).to_contain_text("alice.studio")
    expect(hint.locator("code", has_text="/ig popular #sunset 3")).to_be_visible()
    expect(console.page.locator("#instagram-api")).to_have_text("Instagram: Graph API")

    console.send("/ig recent 2")
    prompt = console.message("Connect Instagram")
    expect(prompt).to_have_class(EPHEMERAL)
    with context.expect_page() as opened:
        prompt.locator("button[data-action-id=ig_connect]").click()
    dialog = opened.value
    expect(dialog.locator("h1")).to_have_text("Log in with Facebook")  # the sandbox's Facebook dialog
    expect(dialog).to_have_url(re.compile(r"/facebook/v25\.0/dialog/oauth\?"))
    dialog.select_option("#username", "alice")
    dialog.click("#authorize")
    expect(dialog.locator("h1")).to_have_text("Almost done: pick an account in Slack")
    expect(dialog.locator("main")).to_contain_text("Slack user @alice")
    dialog.close()

    menu = console.message("Which one should igbot use?")
    expect(menu).to_have_class(EPHEMERAL)
    picker = menu.locator("select.menu[data-action-id=ig_pick_account]")
    options = picker.locator("option:not([disabled])")
    expect(options).to_have_text(["@alice.shop", "@alice.studio"])
    with console.page.expect_response("**/__sandbox__/select") as chosen:
        picker.select_option(label="@alice.studio")
    assert chosen.value.ok and chosen.value.json()["error"] is None  # the bot acked the block_actions

    expect(console.message("Connected as @alice.studio")).to_have_class(EPHEMERAL)
    gallery = console.message("latest 2 posts of @alice.studio")  # the command finished by itself
    expect(gallery).to_have_class(IN_CHANNEL)
    console.wait_images(gallery, 2)
    assert graph_dev.stack.igbot is not None
    link = graph_dev.stack.igbot.services.links.get("T0SANDBOX", "U0ALICE")
    assert link is not None and link.ig_username == "alice.studio"


def test_the_legacy_console_keeps_its_api_v1_hints(dev: Dev, context: BrowserContext) -> None:
    console = Console.open(context, dev.console)
    hint = console.page.locator("#composer-hint")
    expect(hint).to_have_attribute("data-api", "legacy")
    expect(hint.locator("code")).to_have_text(
        [
            "/ig popular 3",
            "/ig follow carol.private",
            "/ig me",
            "/ig map Canal Saint-Martin",
            "/ig inbox",
            "/ig logout",
        ]
    )
    expect(hint).to_contain_text("Sandbox Instagram accounts: alice, bob, dan_the_man, carol.private.")
    expect(console.page.locator("#instagram-api")).to_have_text("Instagram: API v1")
    hint.locator("code", has_text="/ig follow carol.private").click()  # a hint fills the message box
    expect(console.page.locator("#message-input")).to_have_value("/ig follow carol.private")
