"""Answering a command through its ``response_url``, falling back when Slack refuses the answer.

- Slack refuses the blocks (``invalid_blocks``, e.g. an image it cannot download): the same answer
  is sent once more as plain text.
- The URL cannot take more posts (``used_url``, ``expired_url``): the plain text goes through the Web
  API instead, privately to the user (or into the channel for an answer meant for everyone).
- Slack cannot be reached or fails (timeout, 5xx, 429): `SlackUnreachable` is raised so that the job
  is retried later; the answers already delivered are not sent again (`bot.jobs.once`).
- A flow started outside a command (the App Home tab's Connect button) has no response URL: its
  answers go through the Web API at once (a direct message when it has no channel either).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.slack.blocks import Message, message
from bot.slack.invocation import Invocation, Reply

log = logging.getLogger(__name__)

# Slack answers a response_url post at once; a stuck one must not hold a worker thread for the 30 s
# that slack_sdk would wait by default.
RESPONSE_URL_TIMEOUT_SECONDS = 2
_URL_SPENT = {"used_url", "expired_url", "no_service"}


class SlackUnreachable(Exception):
    """Slack did not take the answer for a reason that may pass (timeout, 5xx, rate limit)."""


class WebFallback(Protocol):
    """Posts a plain-text answer through the Web API (bot token) when the response URL is spent."""

    def __call__(
        self, invocation: Invocation, text: str, *, in_channel: bool, blocks: list[Any] | None = None
    ) -> bool:
        """True when Slack accepted it (``blocks`` only for answers that never had a response URL)."""
        ...


def plain_version(answer: Message) -> Message:
    """The same answer without blocks: its ``text`` (the notification text every message carries)."""
    text = str(answer.get("text") or "igbot has an answer that Slack could not show.")
    plain = message(text, in_channel=answer.get("response_type") == "in_channel")
    for key in ("replace_original", "delete_original"):
        if key in answer:
            plain[key] = answer[key]
    return plain


def _error_of(response: WebhookResponse) -> str:
    try:
        body = json.loads(response.body or "{}")
    except ValueError:
        return str(response.body or "").strip()[:40]
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _web_only(invocation: Invocation, fallback: WebFallback | None) -> Reply:
    """Answers for an invocation without a response URL: straight through the Web API."""

    def reply(answer: Message) -> None:
        in_channel = answer.get("response_type") == "in_channel"
        text, blocks = plain_version(answer)["text"], answer.get("blocks")
        if fallback is None or not fallback(invocation, text, in_channel=in_channel, blocks=blocks):
            log.warning("an answer without a response URL was not delivered")

    return reply


def responder(
    invocation: Invocation,
    *,
    fallback: WebFallback | None = None,
    timeout: int = RESPONSE_URL_TIMEOUT_SECONDS,
    post: Callable[[Message], WebhookResponse] | None = None,
) -> Reply:
    """A reply function for ``invocation``'s response URL (see the module docstring for failures).

    Args:
        invocation: whose response URL to use, and who to answer privately if it is spent.
        fallback: the Web API route for a spent URL; without it such an answer is logged and dropped.
        timeout: seconds to wait for Slack.
        post: sends one body (tests); by default slack_sdk's WebhookClient.
    """
    if not invocation.response_url and post is None:  # started outside a command (the App Home tab)
        return _web_only(invocation, fallback)
    send = post or WebhookClient(invocation.response_url, timeout=timeout).send_dict

    def deliver(answer: Message) -> WebhookResponse:
        try:
            response = send(dict(answer))
        except Exception as exc:  # the exception text may hold the URL: keep the type only
            raise SlackUnreachable(type(exc).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise SlackUnreachable(f"HTTP {response.status_code}")
        return response

    def reply(answer: Message) -> None:
        response = deliver(answer)
        if response.status_code < 300:
            return
        error = _error_of(response)
        if error not in _URL_SPENT and "blocks" in answer:
            log.info("Slack refused an answer (%s); sending it as plain text", error or response.status_code)
            response = deliver(plain_version(answer))
            if response.status_code < 300:
                return
            error = _error_of(response)
        if error in _URL_SPENT and fallback is not None:
            in_channel = answer.get("response_type") == "in_channel"
            if fallback(invocation, plain_version(answer)["text"], in_channel=in_channel):
                return
        log.warning("Slack refused an answer (%s); it was not delivered", error or response.status_code)

    return reply
