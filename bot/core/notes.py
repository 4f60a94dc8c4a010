"""Posting a note: a plain line igbot posts in a channel (or a person's direct messages) that answers no
command, e.g. "the feed of #x is paused". A refused note is logged and otherwise ignored."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.errors import code_of

log = logging.getLogger(__name__)


def tell(slack: WebClient, channel_id: str, text: str, *, about: str) -> bool:
    """Post ``text`` to ``channel_id`` (a user id: their direct messages); a refusal is logged as
    "could not tell {about}" and nothing else happens. True when Slack took it."""
    try:
        slack.chat_postMessage(channel=channel_id, text=text)
    except SlackApiError as exc:
        log.info("could not tell %s (%s)", about, code_of(exc.response))
        return False
    return True
