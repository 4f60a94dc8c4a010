"""Jobs as the features see them: the context a job body works with in a worker process (`JobContext`)
and the one signal that runs a job again later (`RunLater`)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any

import dramatiq
import redis
from dramatiq.middleware import CurrentMessage
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import notes
from bot.core.commands import Commands
from bot.core.once import OnceReply, maybe_posted_note
from bot.core.services import Services
from bot.slack.errors import BlocksRefused, code_of
from bot.slack.invocation import Invocation, Reply
from bot.slack.responder import (
    OutcomeUnknown,
    SlackUnreachable,
    responder,
    unsent_only_retries,
    written_before_failing,
)

log = logging.getLogger(__name__)

MAX_RETRIES = 2  # a failed job is tried 3 times in all, within about 2 s
MAX_BUSY_RETRIES = 20  # a job whose resource another run holds waits longer (nothing failed)


class Later(Enum):
    """Why a job runs again later."""

    FAILED = "failed"  # something that may pass by itself (Instagram or Slack unreachable): MAX_RETRIES
    BUSY = "busy"  # another run holds what it needs: up to MAX_BUSY_RETRIES, after its delay
    PACED = "paced"  # Slack paces the channel: a fresh job at the next slot, never counted as a retry


class RunLater(dramatiq.Retry):
    """The one signal a job body raises to be run again later, instead of answering a failure.
    ``why`` says how (`Later`); ``delay_ms`` when (None: Dramatiq's backoff)."""

    def __init__(self, reason: str, *, why: Later = Later.FAILED, delay_ms: int | None = None) -> None:
        super().__init__(reason, delay=delay_ms)
        self.why = why
        self.delay_ms = delay_ms


def retry_later(reason: str) -> RunLater:
    """Run the current job again after a backoff (a transient failure; not logged as an error)."""
    return RunLater(reason)


def busy(reason: str, *, delay_ms: int) -> RunLater:
    """Run the current job again in ``delay_ms``: another run holds what it needs."""
    return RunLater(reason, why=Later.BUSY, delay_ms=delay_ms)


def paced(delay_ms: int) -> RunLater:
    """Post again in ``delay_ms`` as a fresh job: Slack paces the channel (not a failure)."""
    return RunLater(f"posting again in {delay_ms} ms", why=Later.PACED, delay_ms=delay_ms)


@dataclass
class JobContext:
    """The services, Redis and `/ig` subcommands of one worker process."""

    services: Services
    redis: redis.Redis
    commands: Commands

    def slack_for(self, team_id: str, *, paced: bool = False) -> WebClient:
        """The Web API as igbot's bot in ``team_id``; ``paced`` answers 429 at once (for posts that pace
        themselves: the inbox) instead of waiting it out."""
        return self.services.slack.client(team_id, paced=paced)

    def tell(self, team_id: str, channel_id: str, text: str, *, about: str) -> bool:
        """Post a plain line (a note, not an answer) to ``channel_id`` (a user id: their direct messages);
        a refusal is logged as "could not tell {about}" and nothing else happens. True when Slack took it."""
        return notes.tell(self.slack_for(team_id), channel_id, text, about=about)

    def post_fallback(
        self, invocation: Invocation, text: str, *, in_channel: bool, blocks: list[Any] | None = None
    ) -> bool:
        """An answer through the Web API (privately unless ``in_channel``): for a spent response URL (plain
        text), or for a flow started without one (the App Home tab, a link preview's Connect: with its
        ``blocks``, e.g. the account menu; plain text again if Slack refuses them).

        True when Slack took it, False when it refused; raises `SlackUnreachable` when the request was
        never written (the job is retried) and `OutcomeUnknown` when it was and Slack's answer never
        came (`bot.core.once`: never posted again blindly)."""
        slack = unsent_only_retries(self.slack_for(invocation.team_id))

        def post(with_blocks: list[Any] | None) -> None:
            if not invocation.channel_id:  # started from the App Home tab: a direct message
                slack.chat_postMessage(channel=invocation.user_id, text=text, blocks=with_blocks)
            elif in_channel:
                slack.chat_postMessage(channel=invocation.channel_id, text=text, blocks=with_blocks)
            else:
                slack.chat_postEphemeral(
                    channel=invocation.channel_id, user=invocation.user_id, text=text, blocks=with_blocks
                )

        try:
            try:
                post(blocks)
            except BlocksRefused:
                if not blocks:
                    raise
                post(None)
        except SlackApiError as exc:
            log.warning("the Web API refused a fallback answer (%s)", code_of(exc.response))
            return False
        except Exception as exc:  # the exception text may hold the token or URL: keep the type only
            if written_before_failing(exc):
                raise OutcomeUnknown(type(exc).__name__) from None
            log.warning("the Web API could not be reached for a fallback answer (%s)", type(exc).__name__)
            raise SlackUnreachable(type(exc).__name__) from None
        return True

    def reply_once(self, invocation: Invocation) -> Reply:
        """The current job's answers to ``invocation``, each delivered once across re-runs; after an
        unknown outcome a channel answer becomes a private note (`bot.core.once`)."""
        answers = responder(invocation, fallback=self.post_fallback)
        return OnceReply(self.redis, current_job_id(), answers, note=maybe_posted_note(invocation.text))


def current_job_id() -> str:
    """The id of the job this thread runs (stable across its retries and re-deliveries)."""
    message = CurrentMessage.get_current_message()
    return message.message_id if message is not None else str(uuid.uuid4())


def final_attempt() -> bool:
    """True when the current job will not be retried after a transient failure."""
    message = CurrentMessage.get_current_message()
    return message is None or int(message.options.get("retries", 0)) >= MAX_RETRIES
