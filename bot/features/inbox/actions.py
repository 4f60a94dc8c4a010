"""The inbox's buttons and its Reply modal.

Every click is acknowledged at once. Hide, Unhide and Delete are queued for a worker
(`bot.features.inbox.jobs`), which checks who clicked before anything happens on Instagram. Reply opens
its modal from the web tier, right after the ack has left (a Bolt lazy listener: `bot.web.after_ack`):
the click's ``trigger_id`` lives 3 seconds, so it must not wait behind the workers' backlog. Deciding
needs Redis only (is the comment known and still shown, is the clicker connected to its account); the
reply itself is made by a worker once the modal is submitted. Whatever cannot be done is said privately
through the click's response URL, also after the ack.
"""

from __future__ import annotations

import http.client
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core import replies
from bot.core.queue import refusal
from bot.core.services import Services
from bot.features.inbox import blocks as inbox_blocks
from bot.features.inbox.jobs import GONE, INBOX_ACTION, acting_link, no_access
from bot.slack.blocks import Message
from bot.slack.errors import code_of
from bot.slack.invocation import Invocation
from bot.slack.responder import answer_in_request, unsent_only_retries
from bot.slack.workspaces import NOT_INSTALLED_CONTEXT
from bot.storage import StorageUnavailable
from bot.storage.inbox import PostedComment

log = logging.getLogger(__name__)

EMPTY_REPLY = "Write something to reply with."
NOT_OPENED = "Slack didn't open the reply box in time. Click *Reply* again."
_REFUSED = "igbot_inbox_refused"  # in Bolt's context: the ack's refusal, told after the ack has left


def _ids(context: BoltContext) -> tuple[str, str]:
    """The team and the user of a click or a submission, as Bolt read them from the request."""
    return context.team_id or "", context.user_id or ""


def _clicked(body: dict[str, Any]) -> tuple[str, str]:
    """The verb (``reply``, ``hide``...) and the comment id of a click ("" when it carries none)."""
    action = (body.get("actions") or [{}])[0]
    verb = str(action.get("action_id", "")).removeprefix("ig_inbox_")
    return verb, inbox_blocks.comment_of(str(action.get("value", "")))


def why_not_reply(services: Services, team_id: str, user_id: str, posted: PostedComment | None) -> str | None:
    """Why ``user_id`` may not reply to ``posted`` (None: they may). Reads Redis only.

    Raises:
        StorageUnavailable: Redis did not answer.
    """
    if posted is None:
        return GONE
    if acting_link(services, team_id, user_id, posted) is None:
        return no_access(services, posted)
    if posted.state != "shown":
        return f"That comment is {posted.state}, so it can't be answered."
    return None


def _tell(body: dict[str, Any], context: BoltContext, answer: Message) -> None:
    """Answer a click privately through its response URL (short timeout; a failure is only logged)."""
    if body.get("response_url"):
        answer_in_request(Invocation.from_action(body, context, ""), answer)


def _views_open(client: WebClient, trigger_id: str, view: dict[str, object]) -> bool:
    """Open ``view`` with the click's trigger; False (logged with Slack's error code only) when not."""
    try:  # a trigger is single use: never send again a views.open Slack may have received
        unsent_only_retries(client).views_open(trigger_id=trigger_id, view=view)
        return True
    except SlackApiError as exc:  # e.g. expired_trigger_id
        log.info("views.open refused the Reply modal (%s)", code_of(exc.response))
    except (SlackClientError, OSError, http.client.HTTPException) as exc:  # no answer in time
        log.info("views.open did not answer for the Reply modal (%s)", type(exc).__name__)
    return False


def open_reply(services: Services, client: WebClient, body: dict[str, Any], context: BoltContext) -> None:
    """Reply clicked: open the modal with the click's trigger, or say privately why not."""
    team, user = _ids(context)
    _, comment_id = _clicked(body)
    try:
        posted = services.inbox.comment(comment_id)
        why = why_not_reply(services, team, user, posted)
    except StorageUnavailable:
        posted, why = None, replies.STORAGE_DOWN
    if posted is not None and why is None:
        view = inbox_blocks.reply_modal(
            posted.comment_id, posted.username, posted.text, channel_id=posted.channel_id
        )
        if _views_open(client, str(body.get("trigger_id", "")), view):
            return
        why = NOT_OPENED
    _tell(body, context, replies.plain(why or GONE))


def register(app: App, services: Services) -> None:
    """Attach the inbox's buttons and the Reply modal's submission."""

    def clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        verb, comment_id = _clicked(body)
        team, user = _ids(context)
        if verb == "reply" or not comment_id or not user:
            return  # Reply: `after_ack` opens the modal
        answer = refusal(services.jobs.offer(INBOX_ACTION, team, user, comment_id, verb))
        if answer is not None:  # a click's ack carries no message: told after the ack (after_ack)
            context[_REFUSED] = answer

    def after_ack(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Runs once the ack has left (`bot.web.after_ack`): the Slack calls a click needs."""
        refused = context.get(_REFUSED)
        verb, comment_id = _clicked(body)
        if refused is not None:
            _tell(body, context, refused)
        elif context.get(NOT_INSTALLED_CONTEXT):
            if verb == "reply":
                _tell(body, context, replies.plain(replies.NOT_INSTALLED))
        elif verb == "reply" and comment_id and _ids(context)[1]:
            open_reply(services, client, body, context)

    def submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        values = ((view.get("state") or {}).get("values") or {}).get(inbox_blocks.REPLY_BLOCK) or {}
        text = str((values.get(inbox_blocks.REPLY_INPUT) or {}).get("value") or "").strip()
        if not text:
            ack(response_action="errors", errors={inbox_blocks.REPLY_BLOCK: EMPTY_REPLY})
            return
        if len(text) > inbox_blocks.MAX_REPLY:
            too_long = f"Instagram takes at most {inbox_blocks.MAX_REPLY} characters."
            ack(response_action="errors", errors={inbox_blocks.REPLY_BLOCK: too_long})
            return
        comment_id = inbox_blocks.comment_of(str(view.get("private_metadata", "")))
        team, user = _ids(context)
        if not comment_id:
            ack()
            return
        admission = services.jobs.offer(INBOX_ACTION, team, user, comment_id, "reply", text)
        answer = refusal(admission)
        if answer is not None:  # keep the modal open, with the reason, so the text is not lost
            ack(response_action="errors", errors={inbox_blocks.REPLY_BLOCK: answer["text"][:150]})
            return
        ack()

    for action_id in inbox_blocks.ACTIONS:
        app.action(action_id)(ack=clicked, lazy=[after_ack])
    app.view(inbox_blocks.REPLY_CALLBACK)(submitted)
