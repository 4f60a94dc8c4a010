"""What an Instagram account (or a forged API answer) can make igbot post (docs/security.md, section 3).

Captions, names, bios and usernames are written by strangers and end up in Slack messages, some of them
in channels: Slack's control characters must be escaped so nobody can ping @channel, mention people or
disguise links through igbot.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.reliability.figures import FIGURES
from tests.reliability.helpers import RawFault, RawFaults, answer
from tests.stack import CLIENT_ID, Stack

HOSTILE = "<!channel> <!here|here> <@U0BOB> <#C0GENERAL> <https://evil.example|instagram.com> & *bold*"
INJECTIONS = ("<!channel", "<!here", "<@U0BOB>", "<#C0GENERAL>", "<https://evil.example")
JSON = {"Content-Type": "application/json"}


def _mrkdwn(payload: dict[str, Any]) -> str:
    """Every mrkdwn text of a message (plain_text fields such as alt_text are never parsed by Slack)."""
    found: list[str] = [payload.get("text", "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return "\n".join(found)


def _popular_item(stack: Stack) -> dict[str, Any]:
    url = f"{stack.servers[0].url}/v1/media/popular"
    item: dict[str, Any] = requests.get(url, params={"client_id": CLIENT_ID, "count": 1}, timeout=5).json()[
        "data"
    ][0]
    return item


def test_captions_names_and_bios_are_escaped_in_channel_galleries_and_cards(stack: Stack) -> None:
    raw = RawFaults(stack)
    item = _popular_item(stack)
    item["caption"]["text"] = HOSTILE
    item["user"]["username"] = "<!here>"
    raw.add(RawFault(200, json.dumps({"meta": {"code": 200}, "data": [item]}).encode(), JSON))
    stack.command("popular 1", channel_id="C0GALLERY")
    gallery = answer(stack, "C0GALLERY")
    assert gallery.response_type == "in_channel" and gallery.valid
    shown = _mrkdwn(gallery.payload)
    for injection in INJECTIONS:
        assert FIGURES.defended(f"caption {injection}", injection not in shown), shown

    stack.link("alice")
    bob = {"id": "2082346", "username": "bob", "full_name": HOSTILE, "profile_picture": "", "bio": HOSTILE}
    raw.add(RawFault(200, json.dumps({"meta": {"code": 200}, "data": [bob]}).encode(), JSON))
    full = {**bob, "counts": {"media": 1, "follows": 2, "followed_by": 3}}
    raw.add(RawFault(200, json.dumps({"meta": {"code": 200}, "data": full}).encode(), JSON))
    stack.command("user bob", channel_id="C0CARD")
    card = _mrkdwn(answer(stack, "C0CARD").payload)
    assert "@bob" in card
    for injection in INJECTIONS:
        assert FIGURES.defended(f"profile {injection}", injection not in card), card


def test_a_forged_media_link_cannot_inject_a_mention_into_a_channel(stack: Stack) -> None:
    raw = RawFaults(stack)
    item = _popular_item(stack)
    item["link"] = "https://www.instagram.com/p/x/|Open> <!channel"
    raw.add(RawFault(200, json.dumps({"meta": {"code": 200}, "data": [item]}).encode(), JSON))
    stack.command("popular 1", channel_id="C0LINK")
    shown = _mrkdwn(answer(stack, "C0LINK").payload)
    assert "<!channel" not in shown, shown
