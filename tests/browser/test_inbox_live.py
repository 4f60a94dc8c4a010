"""The inbox in the browser console (`igbot dev --api graph`): `/ig inbox`, a comment made in the sandbox
Instagram (as the README walks through it) appears in the open channel, Reply opens the modal, and the
thread shows the reply, which Instagram now has."""

from __future__ import annotations

import requests
from playwright.sync_api import BrowserContext, expect

from bot.instagram.graph.backend import SCOPES
from tests.browser.harness import Console, Dev


def test_a_comment_arrives_and_is_answered_through_the_modal(graph_dev: Dev, context: BrowserContext) -> None:
    sandbox, igbot = graph_dev.stack.instagram, graph_dev.stack.igbot
    assert sandbox is not None and igbot is not None
    token = sandbox.issue_graph_token("bob", scope=",".join(SCOPES))
    bakery = next(a for a in sandbox.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    igbot.services.links.save(
        "T0SANDBOX", "U0BOB", token=token, ig_user_id=str(bakery["id"]), ig_username="bobs_bakery",
        scope=",".join(SCOPES),
    )  # fmt: skip
    media_id = sandbox.graph_world.media_of(str(bakery["id"]))[0].id
    console = Console.open(context, graph_dev.console)
    console.act_as("U0BOB")
    console.open_channel("C0GENERAL")
    console.send("/ig inbox")
    expect(console.message("brought comments on")).to_be_visible()

    added = requests.post(  # the README's sandbox control, as a newcomer would call it
        f"{graph_dev.urls['instagram']}/__sandbox__/comments",
        json={"media_id": media_id, "username": "chloemurphy", "text": "Love the croissants <!channel>"},
        timeout=5,
    )
    assert added.status_code == 200, added.text
    comment = console.message("Love the croissants")
    expect(comment).to_be_visible(timeout=20_000)
    expect(comment).to_contain_text("<!channel>")  # shown as text, not a ping

    comment.get_by_role("button", name="Reply").click()
    modal = console.page.locator("#modal")
    expect(modal).to_be_visible()
    expect(console.page.locator("#modal-title")).to_have_text("Reply on Instagram")
    modal.locator("textarea.modal-input").fill("Thank you! Fresh every morning.")
    console.page.click("#modal-submit")
    expect(modal).to_be_hidden()

    thread_link = comment.locator("button.thread-link")
    expect(thread_link).to_be_visible(timeout=20_000)
    thread_link.click()
    thread = console.page.locator("aside#thread")
    expect(thread).to_be_visible()
    expect(thread.locator(".thread-reply", has_text="replied")).to_contain_text(
        "Thank you! Fresh every morning."
    )
    replies = {c["id"]: c for c in sandbox.comments_of(media_id)}[added.json()["id"]]["replies"]
    assert [r["text"] for r in replies] == ["Thank you! Fresh every morning."]
