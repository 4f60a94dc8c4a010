"""The inbox's buttons and its Reply modal: acknowledged at once, the work queued for a worker
(`bot.jobs.inbox`), which checks who clicked before anything happens on Instagram."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, App

from bot.jobs.queue import Admission
from bot.services import Services
from bot.slack import inbox_blocks
from bot.slack.commands.listener import refusal
from bot.slack.invocation import Invocation
from bot.slack.responder import SlackUnreachable, responder

EMPTY_REPLY = "Write something to reply with."


def _ids(body: dict[str, Any]) -> tuple[str, str, str]:
    user = body.get("user") or {}
    team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    channel = str(
        (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    )
    return team, str(user.get("id", "")), channel


def _tell(body: dict[str, Any], admission: Admission) -> None:
    """A click cannot be answered in its ack: say busy / storage down through its response URL."""
    answer = refusal(admission)
    if answer is not None and body.get("response_url"):
        with contextlib.suppress(SlackUnreachable):
            responder(Invocation.from_action(body, ""))(answer)


def register(app: App, services: Services) -> None:
    """Attach the inbox's buttons and the Reply modal's submission."""

    def clicked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        comment_id = inbox_blocks.comment_of(str(action.get("value", "")))
        verb = str(action.get("action_id", "")).removeprefix("ig_inbox_")
        team, user, channel = _ids(body)
        if not comment_id or not user:
            return
        if verb == "reply":
            admission = services.jobs.open_reply(
                team, user, channel, comment_id, str(body.get("trigger_id", ""))
            )
        else:
            admission = services.jobs.inbox_action(team, user, comment_id, verb)
        _tell(body, admission)

    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
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
        team, user, _ = _ids(body)
        if not comment_id:
            ack()
            return
        admission = services.jobs.inbox_action(team, user, comment_id, "reply", text)
        answer = refusal(admission)
        if answer is not None:  # keep the modal open, with the reason, so the text is not lost
            ack(response_action="errors", errors={inbox_blocks.REPLY_BLOCK: answer["text"][:150]})
            return
        ack()

    for action_id in inbox_blocks.ACTIONS:
        app.action(action_id)(clicked)
    app.view(inbox_blocks.REPLY_CALLBACK)(submitted)
