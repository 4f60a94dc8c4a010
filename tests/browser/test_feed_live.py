"""A channel feed in the browser console: `/ig subscribe #sunset`, a post added in the sandbox Instagram
(as the README walks through it), and the post appears in the open channel without a reload."""

from __future__ import annotations

import requests
from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console, Dev


def test_a_new_post_appears_in_the_open_channel_without_a_reload(dev: Dev, context: BrowserContext) -> None:
    assert dev.stack.instagram is not None and dev.stack.igbot is not None
    token = dev.stack.instagram.issue_token("alice", scope="basic relationships public_content")
    alice = dev.stack.instagram.world.user_by_username("alice")
    assert alice is not None
    dev.stack.igbot.services.links.save(
        "T0SANDBOX", "U0ALICE", token=token, ig_user_id=alice.id, ig_username="alice", scope="basic"
    )
    console = Console.open(context, dev.console)
    console.act_as("U0ALICE")
    console.open_channel("C0RANDOM")
    console.send("/ig subscribe #sunset")
    expect(console.message("subscribed this channel to new Instagram posts of #sunset")).to_be_visible()
    reloads: list[str] = []
    console.page.on("framenavigated", lambda frame: reloads.append(frame.url))
    added = requests.post(  # the README's sandbox control, as a newcomer would call it
        f"{dev.urls['instagram']}/__sandbox__/media",
        json={"username": "bob", "caption": "Live in the console #sunset", "tags": ["sunset"]},
        timeout=5,
    )
    assert added.status_code == 200, added.text
    post = console.message("Live in the console")
    expect(post).to_be_visible(timeout=20_000)
    console.wait_images(post, 1)
    assert reloads == []
