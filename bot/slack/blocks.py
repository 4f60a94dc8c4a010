"""Block Kit building blocks (escaping, sections, buttons, images) and the few messages several features
share (an account card, the Connect button, the account menu): pure functions returning Slack payloads
(``text`` + ``blocks``). A feature's own messages live in its ``blocks.py``."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from bot.instagram.models import Account
from bot.instagram.wording import AccountFacts

Message = dict[str, Any]
Block = dict[str, Any]

MAX_ALT_TEXT = 2000
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_URL = 3000  # image_url and button url
MAX_OPTIONS = 100  # options of one select menu


def slack_date(when: int, style: str = "date_short") -> str:
    """``<!date^…>``: Slack shows it in the reader's time zone, in ``style`` (``date_short``,
    ``date_short_pretty``, …); the fallback text is the UTC date. Total for any number."""
    try:
        day = time.strftime("%Y-%m-%d", time.gmtime(when))
    except (OverflowError, OSError, ValueError):
        return "at an unknown date"
    return f"<!date^{when}^{{{style}}}|{day}>"


def escape(text: str) -> str:
    """Escape user-controlled text for mrkdwn (Slack's three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str) -> str | None:
    """``url`` if it can go inside mrkdwn's ``<url|label>`` unchanged: http(s) with a host, no ``|``,
    ``<``, ``>`` or white space (an answer from the API could otherwise smuggle a mention into a channel)."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("https", "http") or rest[:1] in ("", "/") or any(c in url for c in "|<> \t\n\r"):
        return None
    return url


def web_url(url: str) -> str | None:
    """``url`` if Slack can take it as an image or button URL (a `safe_url` of at most 3000 characters
    without control characters), else None: one bad URL from the API would make Slack refuse the whole
    message."""
    if safe_url(url) is None or len(url) > MAX_URL or not url.isprintable():
        return None
    return url


def section(text: str, accessory: Block | None = None) -> Block:
    """A mrkdwn section block."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*parts: str) -> Block:
    """A context block of mrkdwn parts (at most 10)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(p, 2000)} for p in parts[:10]]}


def link_button(text: str, url: str, action_id: str, *, primary: bool = False) -> Block:
    """A button that opens ``url`` in the browser."""
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, MAX_BUTTON_TEXT)},
        "url": url,
        "action_id": action_id,
    }
    if primary:
        button["style"] = "primary"
    return button


def message(text: str, blocks: Iterable[Block] | None = None, *, in_channel: bool = False) -> Message:
    """A message payload: ``text`` is the notification fallback and the whole message when no blocks."""
    payload: Message = {
        "text": clip(text, 3000),
        "response_type": "in_channel" if in_channel else "ephemeral",
    }
    if blocks is not None:
        payload["blocks"] = list(blocks)
    return payload


def image_block(url: str, alt: str) -> Block | None:
    """An image block, or None when Slack could not show ``url`` (alt text must not be blank)."""
    usable = web_url(url)
    if usable is None:
        return None
    return {
        "type": "image",
        "image_url": usable,
        "alt_text": clip(alt.strip() or "Instagram picture", MAX_ALT_TEXT),
    }


def _handle(account: Account) -> str:
    name = f" ({escape(account.full_name)})" if account.full_name else ""
    handle = f"@{escape(account.username)}"
    url = safe_url(account.profile_url)
    return f"*<{url}|{handle}>*{name}" if url else f"*{handle}*{name}"


def login_prompt(url: str, reason: str) -> Message:
    """The private "Connect Instagram" button; ``reason`` says why it is needed (mrkdwn)."""
    return message(
        f"{reason} Connect Instagram: {url}",
        [
            section(reason),
            {
                "type": "actions",
                "elements": [link_button("Connect Instagram", url, "ig_connect", primary=True)],
            },
            context("The button works once, for 10 minutes. Instagram will ask you to approve igbot."),
        ],
    )


def account_card(account: Account, headline: str) -> Message:
    """A private profile card under ``headline`` (mrkdwn)."""
    facts = []
    if account.media_count is not None:
        facts.append(f"{account.media_count:,} posts")
    if account.followers is not None:
        facts.append(f"{account.followers:,} followers")
    if account.follows is not None:
        facts.append(f"{account.follows:,} following")
    if account.is_private:
        facts.append("private account")
    text = headline + f"\n{_handle(account)}"
    if account.bio:
        text += "\n" + escape(clip(account.bio, 500))
    blocks = [section(text, image_block(account.picture_url, f"Profile picture of @{account.username}"))]
    if facts:
        blocks.append(context(" · ".join(facts)))
    profile_url = web_url(account.profile_url)
    if profile_url is not None:
        button = link_button("Open profile", profile_url, "ig_open_profile")
        blocks.append({"type": "actions", "elements": [button]})
    return message(f"{headline} @{escape(account.username)}", blocks)


def account_picker(accounts: list[Account], resume: str | None, facts: AccountFacts) -> Message:
    """A private menu to pick one of several Instagram accounts; the command to finish rides along.

    With no account there is nothing to pick (and Slack refuses a menu without options): the message
    says why and what to do instead. The words are the backend's (``facts``: its Facebook Pages, if any).
    """
    if not accounts:
        return message(facts.nothing_to_pick)
    options = [
        {
            "text": {
                "type": "plain_text",
                "text": clip(f"@{a.username}" + (f" ({a.full_name})" if a.full_name else ""), 75),
            },
            "value": a.id,
        }
        for a in accounts[:MAX_OPTIONS]
    ]
    text = facts.pick_prompt
    return message(
        text,
        [
            section(text),
            {
                "type": "actions",
                "block_id": clip("pick:" + (resume or ""), 255),
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "ig_pick_account",
                        "placeholder": {"type": "plain_text", "text": "Choose an account"},
                        "options": options,
                    }
                ],
            },
        ],
    )
