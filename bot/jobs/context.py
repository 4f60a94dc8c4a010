"""What a job body works with in a worker process (built once per process by `bot.jobs.worker`)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.middleware import CurrentMessage
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.broker import MAX_RETRIES
from bot.jobs.once import OnceReply, maybe_posted_note
from bot.services import Services
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


@dataclass
class JobContext:
    """The services and Redis of one worker process."""

    services: Services
    redis: redis.Redis

    def slack_for(self, team_id: str, *, paced: bool = False) -> WebClient:
        """The Web API as igbot's bot in ``team_id``; ``paced`` answers 429 at once (for posts that pace
        themselves: the inbox) instead of waiting it out."""
        return self.services.slack.client(team_id, paced=paced)

    def tell(self, team_id: str, channel_id: str, text: str, *, about: str) -> bool:
        """Post a plain line (a note, not an answer) to ``channel_id`` (a user id: their direct messages);
        a refusal is logged as "could not tell {about}" and nothing else happens. True when Slack took it."""
        try:
            self.slack_for(team_id).chat_postMessage(channel=channel_id, text=text)
        except SlackApiError as exc:
            log.info("could not tell %s (%s)", about, code_of(exc.response))
            return False
        return True

    def post_fallback(
        self, invocation: Invocation, text: str, *, in_channel: bool, blocks: list[Any] | None = None
    ) -> bool:
        """An answer through the Web API (privately unless ``in_channel``): for a spent response URL (plain
        text), or for a flow started without one (the App Home tab, a link preview's Connect: with its
        ``blocks``, e.g. the account menu; plain text again if Slack refuses them).

        True when Slack took it, False when it refused; raises `SlackUnreachable` when the request was
        never written (the job is retried) and `OutcomeUnknown` when it was and Slack's answer never
        came (`bot.jobs.once`: never posted again blindly)."""
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
        unknown outcome a channel answer becomes a private note (`bot.jobs.once`)."""
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


def retry_later(reason: str) -> dramatiq.Retry:
    """What makes Dramatiq run the current job again after a backoff (not logged as an error)."""
    return dramatiq.Retry(reason)
