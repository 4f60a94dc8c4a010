"""What the console suggests under the message box: the sandbox accounts and commands worth trying.

They depend on which API the bot plays against the sandbox Instagram (`igbot dev --api`), which the
Slack stand-in cannot know by itself: `set_console_hints` records it on the stand-in's Flask app and
`GET /console/info` hands the matching hints to the page. Without it the page keeps the API v1 hints
of its static HTML (also what a stand-in started alone shows).
"""

from __future__ import annotations

from typing import TypedDict

from flask import Flask

CONFIG_KEY = "IGBOT_CONSOLE_API"


class Hint(TypedDict):
    """One suggested command and what it shows."""

    command: str
    note: str


class Hints(TypedDict):
    """The hints of one mode, as `/console/info` returns them under ``hints``."""

    api: str
    label: str
    accounts: str
    commands: list[Hint]


HINTS: dict[str, Hints] = {
    "legacy": {
        "api": "legacy",
        "label": "API v1",
        "accounts": "Sandbox Instagram accounts: alice, bob, dan_the_man, carol.private.",
        "commands": [
            {"command": "/ig popular 3", "note": ""},
            {"command": "/ig follow carol.private", "note": ""},
            {"command": "/ig me", "note": ""},
            {"command": "/ig map Canal Saint-Martin", "note": "photos on a map"},
            {"command": "/ig inbox", "note": "comments on your posts come here (README)"},
            {"command": "/ig logout", "note": ""},
        ],
    },
    "graph": {
        "api": "graph",
        "label": "Graph API",
        "accounts": (
            "Sandbox Graph API: log in as Facebook user alice (two professional accounts, alice.shop and "
            "alice.studio: pick one in Slack), bob (bobs_bakery) or carol.private (none)."
        ),
        "commands": [
            {"command": "/ig recent 3", "note": "connect as alice, pick an account"},
            {"command": "/ig me", "note": "the linked account"},
            {"command": "/ig user bobs_bakery", "note": "a business"},
            {"command": "/ig user dan_the_man", "note": "a personal account: not found"},
            {"command": "/ig popular #sunset 3", "note": "30 hashtags a week"},
            {"command": "/ig follow bobs_bakery", "note": "no API for it: a link"},
            {"command": "/ig inbox", "note": "as bob: comments on bobs_bakery come here (README)"},
        ],
    },
    "instagram-login": {
        "api": "instagram-login",
        "label": "Instagram Login",
        "accounts": (
            "Sandbox Instagram Login: log in as a professional account (alice.shop, alice.studio, "
            "bobs_bakery); a personal account (dan_the_man) is told to switch."
        ),
        "commands": [
            {"command": "/ig recent 2", "note": "connect with Instagram, no Facebook Page"},
            {"command": "/ig me", "note": "the linked account"},
            {"command": "/ig follow bobs_bakery", "note": "not in this mode: says so"},
            {"command": "/ig logout", "note": ""},
        ],
    },
}


def set_console_hints(app: Flask, api: str) -> None:
    """Make the console of the stand-in serving ``app`` (its Flask app) suggest ``api``'s commands.

    Raises:
        ValueError: ``api`` has no hints here.
    """
    if api not in HINTS:
        raise ValueError(f"api must be one of {sorted(HINTS)}, not {api!r}")
    app.config[CONFIG_KEY] = api


def hints_of(app: Flask) -> Hints:
    """The hints for the API recorded on ``app`` (legacy when none was)."""
    return HINTS[str(app.config.get(CONFIG_KEY) or "legacy")]
