"""Answering a command through its ``response_url``, falling back when Slack refuses the answer.

- Slack refuses the blocks (``invalid_blocks``, e.g. an image it cannot download): the same answer
  is sent once more as plain text.
- The URL cannot take more posts (`bot.slack.errors.ResponseUrlSpent`: ``used_url``, ``expired_url``):
  the plain text goes through the Web API instead, privately to the user (or into the channel for an
  answer meant for everyone).
- Slack did not take the answer (the connection failed before the request was written, 5xx, 429):
  `SlackUnreachable` is raised so that the job is retried later; the answers already delivered are not
  sent again (`bot.core.once`).
- The request was written but Slack's answer never came (a read timeout, a connection reset or closed
  while waiting): Slack may show the answer, so `OutcomeUnknown` is raised and nothing here sends it
  again (`bot.core.once` decides what follows; slack_sdk's own retry is limited to connections that
  failed before the request was written).
- A flow started outside a command (the App Home tab's Connect button) has no response URL: its
  answers go through the Web API at once (a direct message when it has no channel either).
"""

from __future__ import annotations

import copy
import http.client
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.slack.blocks import Message, message
from bot.slack.errors import ResponseUrlSpent, SlackError, code_of, family
from bot.slack.invocation import Invocation, Reply

log = logging.getLogger(__name__)

# Slack usually answers a response_url post within a second but sometimes takes several (2.5 s has been
# seen), and a timeout after the request was written leaves the outcome unknown: wait well beyond
# Slack's slow answers, yet not the 30 s slack_sdk waits by default (a hung peer must free the thread).
# urllib applies it to connecting and to each read.
RESPONSE_URL_TIMEOUT_SECONDS = 10
# A post made while Slack waits for the request's acknowledgement (3 s): short, and never repeated.
IN_REQUEST_TIMEOUT_SECONDS = 2


class SlackUnreachable(Exception):
    """Slack did not take the answer, for a reason that may pass (no connection, 5xx, rate limit):
    sending it again is safe."""


class OutcomeUnknown(Exception):
    """The request was written but Slack's answer never came: the post may be shown. Never send it again
    blindly (`bot.core.once`)."""


def written_before_failing(exc: BaseException) -> bool:
    """True when the network error ``exc`` came after the whole request was written, so Slack may have
    acted on it (a read timeout, a reset or a closed connection while waiting for the answer).

    urllib wraps in `URLError` exactly what fails while connecting or writing the request (DNS, refused,
    connect timeout, TLS, a reset mid-write): Slack cannot act on a request it never fully received.
    """
    if isinstance(exc, URLError | SlackRequestError):
        return False
    return isinstance(exc, OSError | http.client.HTTPException)


def unsent_only_retries(client: WebClient) -> WebClient:
    """A copy of ``client`` whose connection retries only repeat requests that were never written
    (slack_sdk's default also repeats one after a reset while waiting for Slack's answer)."""
    safe = copy.copy(client)
    safe.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=handler.max_retry_count, error_types=[URLError])
        if isinstance(handler, ConnectionErrorRetryHandler)
        else handler
        for handler in client.retry_handlers
    ]
    return safe


class WebFallback(Protocol):
    """Posts a plain-text answer through the Web API (bot token) when the response URL is spent."""

    def __call__(
        self, invocation: Invocation, text: str, *, in_channel: bool, blocks: list[Any] | None = None
    ) -> bool:
        """True when Slack accepted it, False when it refused (``blocks`` only for answers that never had
        a response URL); raises `SlackUnreachable` when it was not sent, `OutcomeUnknown` when it may
        have been."""
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
    """Slack's error string in a refused response-URL answer (JSON, or a short plain-text body)."""
    try:
        body = json.loads(response.body or "{}")
    except ValueError:
        return str(response.body or "").strip()[:40]
    return code_of(body) if isinstance(body, dict) else ""


def _refusal(response: WebhookResponse) -> tuple[str, type[SlackError]]:
    """Slack's error string in a refused answer, and its family (`bot.slack.errors`)."""
    error = _error_of(response)
    return error, family(error)


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
        timeout: seconds to wait for Slack (to connect, and for each read of its answer).
        post: sends one body (tests); by default slack_sdk's WebhookClient.
    """
    if not invocation.response_url and post is None:  # started outside a command (the App Home tab)
        return _web_only(invocation, fallback)
    retry_unsent: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=1, error_types=[URLError])
    ]
    send = (
        post or WebhookClient(invocation.response_url, timeout=timeout, retry_handlers=retry_unsent).send_dict
    )

    def deliver(answer: Message) -> WebhookResponse:
        try:
            response = send(dict(answer))
        except Exception as exc:  # the exception text may hold the URL: keep the type only
            if written_before_failing(exc):
                raise OutcomeUnknown(type(exc).__name__) from None
            raise SlackUnreachable(type(exc).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise SlackUnreachable(f"HTTP {response.status_code}")
        return response

    def reply(answer: Message) -> None:
        response = deliver(answer)
        if response.status_code < 300:
            return
        error, refused = _refusal(response)
        if not issubclass(refused, ResponseUrlSpent) and "blocks" in answer:
            log.info("Slack refused an answer (%s); sending it as plain text", error or response.status_code)
            response = deliver(plain_version(answer))
            if response.status_code < 300:
                return
            error, refused = _refusal(response)
        if issubclass(refused, ResponseUrlSpent) and fallback is not None:
            in_channel = answer.get("response_type") == "in_channel"
            if fallback(invocation, plain_version(answer)["text"], in_channel=in_channel):
                return
        log.warning("Slack refused an answer (%s); it was not delivered", error or response.status_code)

    return reply


def answer_in_request(invocation: Invocation, answer: Message) -> None:
    """Post ``answer`` to ``invocation``'s response URL from inside a Slack request (the web tier, whose
    acknowledgement Slack waits 3 s for): a short timeout, never repeated blindly, a failure only logged
    (there is no job to retry it)."""
    try:
        responder(invocation, timeout=IN_REQUEST_TIMEOUT_SECONDS)(answer)
    except SlackUnreachable as exc:
        log.warning("Slack could not take an answer from the web tier (%s); it was not delivered", exc)
    except OutcomeUnknown as exc:
        log.warning("Slack did not confirm an answer from the web tier (%s): outcome unknown", exc)
