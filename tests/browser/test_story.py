"""The newcomer's story in a real browser: console -> /ig follow -> approve on Instagram -> back -> result."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console, Dev

ACTIVE = re.compile(r"\bactive\b")
EPHEMERAL = re.compile(r"\bephemeral\b")
IN_CHANNEL = re.compile(r"\bin-channel\b")


def test_follow_a_private_account_through_the_approval_page_and_back(
    dev: Dev, context: BrowserContext
) -> None:
    console = Console.open(context, dev.console)
    console.act_as("U0ALICE")
    console.open_channel("C0GENERAL")

    console.send("/ig follow carol.private")
    prompt = console.message("Connect Instagram")
    expect(prompt).to_have_class(EPHEMERAL)
    expect(prompt.locator(".ephemeral-note")).to_have_text("Only visible to you")
    expect(prompt.locator(".sender")).to_have_text("igbot")

    button = prompt.locator("button[data-action-id=ig_connect]")
    with context.expect_page() as opened, console.page.expect_response("**/__sandbox__/click") as clicked:
        button.click()
    assert clicked.value.ok and clicked.value.json()["error"] is None  # the bot acked block_actions
    approval = opened.value
    expect(approval.locator("#username")).to_be_visible()  # the sandbox Instagram's approval page
    approval.select_option("#username", "alice")
    approval.click("#authorize")
    expect(approval.locator("h1")).to_have_text("Instagram connected")
    expect(approval.locator("main")).to_contain_text("Slack user @alice")

    approval.click("#back-to-slack")  # -> the stand-in's /app_redirect -> the console on that channel
    expect(approval).to_have_url(re.compile(r"/\?team=T0SANDBOX&channel=C0GENERAL"))
    back = Console(approval)
    expect(approval.locator("[data-channel=C0GENERAL]")).to_have_class(ACTIVE)
    expect(approval.locator("#user-picker")).to_have_value("U0ALICE")
    expect(back.message("Connected as @alice")).to_have_class(EPHEMERAL)
    expect(back.message("follow request was sent")).to_contain_text("carol.private")

    # The first tab saw the same answers arrive live, without a reload.
    console.message("Connected as @alice")
    console.message("follow request was sent")
    assert "carol.private" in dev.stack.instagram.follows_of("alice")["requested"]

    # Someone else in the channel does not see alice's private answers.
    console.act_as("U0BOB")
    expect(console.page.locator(".message", has_text="Connected as")).to_have_count(0)
    expect(console.page.locator(".message.ephemeral")).to_have_count(0)
    console.act_as("U0ALICE")
    console.message("follow request was sent")


def test_popular_shows_pictures_that_load_and_logout_brings_the_login_button_back(
    dev: Dev, context: BrowserContext
) -> None:
    watcher = Console.open(context, dev.console)  # carol, reading #general in another tab
    watcher.act_as("U0CAROL")
    watcher.open_channel("C0GENERAL")
    console = Console.open(context, dev.console)
    console.act_as("U0DAN")
    console.open_channel("C0RANDOM")

    console.send("/ig popular 3")
    gallery = console.message("popular Instagram posts")
    expect(gallery).to_have_class(IN_CHANNEL)
    expect(gallery.locator(".ephemeral-note")).to_have_count(0)
    expect(gallery.locator(".mention")).to_have_text("@dan")
    images = gallery.locator(".block-image img")
    expect(images).to_have_count(3)
    seq = gallery.get_attribute("data-seq")
    console.page.wait_for_function(
        """seq => {
            const imgs = [...document.querySelectorAll(`.message[data-seq="${seq}"] .block-image img`)];
            return imgs.length === 3 && imgs.every(img => img.complete && img.naturalWidth > 0);
        }""",
        arg=seq,
    )

    # in_channel: everyone in the channel sees the gallery; carol's other tab counts it as unread.
    expect(watcher.page.locator("[data-channel=C0RANDOM] .unread-count")).to_have_text("1")
    watcher.open_channel("C0RANDOM")
    expect(watcher.page.locator(f'.message[data-seq="{seq}"]')).to_be_visible()
    expect(watcher.page.locator("[data-channel=C0RANDOM] .unread-count")).to_have_count(0)

    # dan links, logs out, and is asked to connect again.
    console.send("/ig login")
    login = console.message("Connect Instagram")
    with context.expect_page() as opened:
        login.locator("button[data-action-id=ig_connect]").click()
    approval = opened.value
    approval.select_option("#username", "dan_the_man")
    approval.click("#authorize")
    expect(approval.locator("h1")).to_have_text("Instagram connected")
    approval.close()
    console.message("Connected as @dan_the_man")

    console.send("/ig logout")
    console.message("forgot your Instagram connection")
    console.send("/ig follow x")
    last = console.page.locator(".message").last
    expect(last).to_have_class(EPHEMERAL)
    expect(last.locator("button[data-action-id=ig_connect]")).to_be_visible()
    expect(last).to_contain_text("connect your Instagram account")
