"""The console shows whatever a message holds as text: no markup, script or unsafe link gets through."""

from __future__ import annotations

import re
from typing import Any

import requests
from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console, Dev

TRAPS = "window.__pwned"
HEADER = '<img src=x onerror="window.__pwned=1">'
PLAIN = '"><svg onload="window.__pwned=2"></svg>'
BUTTON = "<i>click</i>"
TOP_TEXT = "<script>window.__pwned=3</script> &lt;b&gt;not bold&lt;/b&gt;"


def _bot_token(dev: Dev) -> str:
    """The token igbot dev's own install into the Sandbox workspace got."""
    assert dev.stack.slack is not None
    bot = dev.stack.slack.bot_of("T0SANDBOX")
    assert bot is not None, "igbot dev did not install igbot into the Sandbox workspace"
    return bot.token


def _post(dev: Dev, ok: bool = True, **message: Any) -> dict[str, Any]:
    """Post as the bot through the stand-in's Web API, like any Slack app could."""
    assert dev.stack.slack is not None
    answer = requests.post(
        f"{dev.urls['slack']}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {_bot_token(dev)}"},
        json={"channel": "C0GENERAL", **message},
        timeout=5,
    ).json()
    assert answer["ok"] is ok, answer
    return dict(answer)


def _no_injected_nodes(console: Console) -> None:
    page = console.page
    injected = (
        "#messages script, #messages svg, #messages b, #messages i, #messages img[src='x'], #messages iframe"
    )
    assert page.locator(injected).count() == 0
    assert page.evaluate(f"typeof {TRAPS}") == "undefined"
    hrefs = page.locator("#messages a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs


def test_blocks_and_text_with_html_are_shown_as_text(dev: Dev, context: BrowserContext) -> None:
    console = Console.open(context, dev.console)
    console.act_as("U0ALICE")
    console.open_channel("C0GENERAL")
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": HEADER}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*bold* &lt;script&gt;window.__pwned=4&lt;/script&gt; <javascript:window.__pwned=5|"
                "js link> <http://example.invalid/?a=1&amp;b=2|a &lt;b&gt; link> <b>raw</b>",
            },
            "fields": [{"type": "mrkdwn", "text": "<img src=x onerror=alert(1)>"}],
        },
        {"type": "context", "elements": [{"type": "plain_text", "text": PLAIN}]},
        {"type": "image", "image_url": "https://example.invalid/a.png", "alt_text": '"><script>x</script>'},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": BUTTON},
                    "action_id": "x",
                    "url": "https://example.invalid/",
                }
            ],
        },
    ]
    _post(dev, text="fallback", blocks=blocks)
    _post(dev, text=TOP_TEXT)

    message = console.message("window.__pwned=4")
    expect(message.locator(".block-header")).to_have_text(HEADER)
    expect(message.locator(".block-context")).to_have_text(PLAIN)
    expect(message.locator("button[data-action-id=x]")).to_have_text(BUTTON)
    section = message.locator(".block-section")
    expect(section).to_contain_text("<script>window.__pwned=4</script>")
    expect(section.locator("strong")).to_have_text("bold")
    expect(section.locator("a")).to_have_count(1)
    expect(section.locator("a")).to_have_text("a <b> link")
    expect(section.locator("a")).to_have_attribute("href", "http://example.invalid/?a=1&b=2")
    expect(section).to_contain_text("js link")
    expect(section.locator(".field")).to_have_text("img src=x onerror=alert(1)")  # Slack's <...> sequence
    expect(message.locator(".block-image img")).to_have_attribute("alt", '"><script>x</script>')

    text_only = console.message("window.__pwned=3")
    # As in Slack, a raw <...> is a control sequence (shown as its text); escaped markup shows as typed.
    expect(text_only.locator(".content")).to_have_text("scriptwindow.__pwned=3/script <b>not bold</b>")
    _no_injected_nodes(console)


def test_a_typed_command_with_html_is_echoed_as_text(dev: Dev, context: BrowserContext) -> None:
    console = Console.open(context, dev.console)
    console.act_as("U0CAROL")
    console.open_channel("C0GENERAL")
    typed = '/ig <img src=x onerror="window.__pwned=6"> & <b>'
    console.send(typed)
    echo = console.page.locator(".message.command-echo").last
    expect(echo.locator("code.command")).to_have_text(typed)
    expect(echo.locator(".sender")).to_have_text("Carol Carter")
    reply = console.page.locator(".message.from-bot").last
    expect(reply).to_contain_text("<img")  # the bot's usage answer quotes it, escaped for mrkdwn
    _no_injected_nodes(console)


def test_a_rejected_or_odd_message_is_marked_and_the_view_goes_on(dev: Dev, context: BrowserContext) -> None:
    console = Console.open(context, dev.console)
    console.act_as("U0BOB")
    console.open_channel("C0GENERAL")
    odd = [{"type": "context", "elements": "<b>not a list</b>"}, {"type": "section", "fields": "x"}]
    answer = _post(dev, ok=False, text="odd <b>one</b>", blocks=odd)
    assert answer["error"] == "invalid_blocks"
    _post(dev, text="after the odd one")

    rejected = console.message("Slack rejected this message")
    expect(rejected).to_have_class(re.compile(r"\binvalid\b"))
    expect(rejected.locator(".invalid-note li").first).to_contain_text("invalid_blocks")
    console.message("after the odd one")  # still live
    _no_injected_nodes(console)
