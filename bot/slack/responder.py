"""Answering through a command's ``response_url`` without ever raising or hanging a worker."""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from bot.slack.blocks import Message
from bot.slack.invocation import Reply

log = logging.getLogger(__name__)

# Slack answers a response_url post at once; a stuck one must not hold a lazy-listener thread for
# the 30 s that slack_sdk would wait by default.
RESPONSE_URL_TIMEOUT_SECONDS = 2


def responder(response_url: str, *, timeout: int = RESPONSE_URL_TIMEOUT_SECONDS) -> Reply:
    """A reply function for ``response_url`` that logs, instead of raising, when Slack can't be reached."""
    client = WebhookClient(response_url, timeout=timeout)

    def reply(message: Message) -> None:
        try:
            response = client.send_dict(dict(message))
        except Exception as exc:
            log.warning("could not deliver a reply to Slack (%s)", type(exc).__name__)
            return
        if response.status_code >= 300:
            log.warning("Slack refused a reply (HTTP %s)", response.status_code)

    return reply
