"""The App Home tab: drawn (``views.publish``) each time a person opens it and after each of its buttons.

It shows their Instagram connection (with Connect or Disconnect), the feeds and inboxes they made (each
with its button) and a short help. The buttons do what `/ig logout`, `/ig unsubscribe` and `/ig inbox off`
do; each then draws the tab again so it is current.
"""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError

from bot.core import replies
from bot.core.feeds import remove_feed
from bot.core.inbox import inbox_off
from bot.core.jobs import JobContext, retry_later
from bot.core.links import EXPIRY_WARNING_SECONDS, live_link, log_out
from bot.core.queue import Job, Lane
from bot.core.services import Services
from bot.features.home import blocks as home_blocks
from bot.slack.errors import Transient, code_of
from bot.slack.invocation import Invocation
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)


def _person(team_id: str, user_id: str) -> Invocation:
    """The person at their Home tab: no channel and no response URL (answers are direct messages)."""
    return Invocation(team_id=team_id, user_id=user_id, user_name="", channel_id="", response_url="", text="")


def home_state(
    services: Services, team_id: str, user_id: str, now: float | None = None
) -> home_blocks.HomeState:
    """What the person's tab shows now (a fresh login link when they need one).

    Raises:
        StorageUnavailable: Redis did not answer.
    """
    now = time.time() if now is None else now
    person = _person(team_id, user_id)
    link, _ = live_link(person, services)
    if link is not None and not link.ig_user_id:
        link = None  # still choosing one of several accounts: not connected yet
    connect_url = None
    if link is None or (link.expires_at and link.expires_at - now < EXPIRY_WARNING_SECONDS):
        state = services.states.issue(
            team_id=team_id, user_id=user_id, user_name="", channel_id="", response_url="", resume=None
        )
        connect_url = services.instagram.authorization_url(state)
    shown = None
    if link is not None:
        shown = home_blocks.HomeLink(
            username=link.ig_username,
            linked_at=link.linked_at,
            expires_at=link.expires_at or None,
        )
    feeds = tuple(services.feeds.owned_by(team_id, user_id))
    inboxes = tuple(i for i in services.inbox.of_team(team_id) if i.owner_id == user_id)
    return home_blocks.HomeState(
        now=int(now), link=shown, connect_url=connect_url, feeds=feeds, inboxes=inboxes
    )


def publish(context: JobContext, team_id: str, user_id: str, channel_id: str = "") -> None:
    """Draw the person's Home tab (``channel_id``, their direct messages with igbot, is not needed)."""
    del channel_id
    try:
        view = home_blocks.home_view(home_state(context.services, team_id, user_id))
    except StorageUnavailable:
        view = home_blocks.home_error_view(f":warning: {replies.STORAGE_DOWN}")
    try:
        context.slack_for(team_id).views_publish(user_id=user_id, view=view)
    except Transient as exc:
        raise retry_later(f"views.publish refused for now ({exc.code})") from None
    except SlackApiError as exc:
        log.warning("views.publish refused the Home tab (%s)", code_of(exc.response))


def act(context: JobContext, team_id: str, user_id: str, action: str, value: str) -> None:
    """One button of the Home tab, then the tab drawn again. Every change is the clicker's own: their
    link, feeds they made, inboxes they turned on."""
    services = context.services
    if action == home_blocks.HOME_DISCONNECT:
        log_out(services, team_id, user_id)  # the tab shows it
    elif action == home_blocks.HOME_UNSUBSCRIBE:
        parsed = home_blocks.parse_unsubscribe_value(value)
        if parsed is not None:
            channel_id, target = parsed
            feed = services.feeds.feed(team_id, channel_id, target)
            if feed is not None and feed.owner_id == user_id:
                remove_feed(services, team_id, channel_id, target)
    elif action == home_blocks.HOME_INBOX_OFF:
        parsed = home_blocks.parse_inbox_off_value(value)
        if parsed is not None:
            account_id, channel_id = parsed
            inbox_off(services, team_id, user_id, account_id, owned_in=channel_id)
    publish(context, team_id, user_id)


PUBLISH_HOME = Job("publish_home", publish, "app home", Lane.INTERACTIVE)
HOME_ACTION = Job("home_action", act, "app home button", Lane.INTERACTIVE)
