"""The expiry reminder: a direct message a week before a Graph API token expires, and on the last day."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError

from bot.core.jobs import JobContext, retry_later
from bot.core.queue import Job
from bot.slack import blocks
from bot.slack.errors import Transient, code_of
from bot.storage.reminders import DAY

log = logging.getLogger(__name__)


def reminder_text(ig_username: str, seconds_left: float) -> str:
    """What the reminder says: how long the connection has, and the one command that renews it."""
    who = f"@{blocks.escape(ig_username)}" if ig_username else "your Instagram account"
    if seconds_left <= 0:
        when = "has expired"
    elif seconds_left < DAY:
        when = "expires today"
    else:
        days = int(seconds_left // DAY)
        when = f"expires in {days} day{'s' if days != 1 else ''}"
    return (
        f":hourglass: igbot's connection to {who} {when}. Run `/ig login` to renew it; nothing else changes."
    )


def remind(context: JobContext, team_id: str, user_id: str, kind: str, expires_at: int) -> None:
    """Send one reminder if the user still has that token and it was not sent already."""
    del expires_at  # the link decides: a relinked user has a new token and new reminders
    link = context.services.links.get(team_id, user_id)
    if link is None or not link.expires_at:
        return
    left = link.expires_at - time.time()
    if kind == "week" and left > 8 * DAY:
        return  # relinked since this was scheduled; the new reminder is already set
    schedule = context.services.reminders
    if not schedule.claim(team_id, user_id, kind, link.expires_at):
        return
    try:
        context.slack_for(team_id).chat_postMessage(
            channel=user_id, text=reminder_text(link.ig_username, left)
        )
    except Transient as exc:
        log.warning("the reminder DM was refused (%s)", exc.code)
        schedule.unclaim(team_id, user_id, kind, link.expires_at)
        raise retry_later("Slack refused for now") from None
    except SlackApiError as exc:
        log.warning("the reminder DM was refused (%s)", code_of(exc.response))
    except Exception as exc:
        schedule.unclaim(team_id, user_id, kind, link.expires_at)
        raise retry_later(type(exc).__name__) from None


REMIND = Job("remind", remind, "reminder")
