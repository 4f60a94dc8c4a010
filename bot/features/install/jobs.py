"""Forgetting a Slack team that uninstalled igbot (or revoked its bot token): everything igbot holds with
that team's id goes (docs/interfaces.md: "uninstalling the app deletes everything of that team").

What goes: the installation (OAuth mode), every person's Instagram link (tokens) and pending login
states, expiry reminders, channel feeds (the Instagram subscriptions they alone needed are cancelled),
inboxes with their threads, posted comments and pacing, the hashtag counts of the accounts the team
linked, and the events log. It is idempotent (Slack sends ``tokens_revoked`` and ``app_uninstalled``,
in either order, and retries them), scans only keys that carry the team's id, and goes on when
Instagram can't be reached to cancel a subscription. A job that runs after the workspace installed
igbot again keeps the new installation and what was made since.
"""

from __future__ import annotations

import logging
import time

from bot.core.feeds import remove_feed
from bot.core.jobs import JobContext
from bot.core.queue import Job
from bot.instagram.errors import InstagramError
from bot.storage.errors import redis_errors
from bot.storage.events import EventLog

log = logging.getLogger(__name__)


def _reinstalled_since(context: JobContext, team_id: str, since: float) -> bool:
    """True when igbot was installed again in the team after the uninstall event (at ``since``)."""
    store = context.services.installations
    if store is None:
        return False
    with redis_errors():
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
    # Slack's event_time is whole seconds: an install in the same second as the uninstall is not "after".
    return bot is not None and float(bot.installed_at or 0) > since + 1


def forget_team(context: JobContext, team_id: str, since: float | None = None) -> None:
    """Delete everything igbot holds for ``team_id`` (see the module docstring). ``since`` is when the
    workspace removed igbot: if it installed igbot again after that (this job ran late), the new
    installation and what people made since are kept, and only what is older goes."""
    if not team_id:
        return
    services = context.services
    until = time.time() if since is None else since
    again = _reinstalled_since(context, team_id, until)
    if services.installations is not None and not again:
        with redis_errors():
            services.installations.delete_all(enterprise_id=None, team_id=team_id)

    # People first: their Instagram tokens are what matters most, and nothing below needs them.
    ig_accounts: set[str] = set()
    users = services.links.users_of_team(team_id) | services.states.users_of_team(team_id)
    forgotten = 0
    for user_id in sorted(users):
        link = services.links.get(team_id, user_id)
        if again and link is not None and link.linked_at > until + 1:
            continue  # connected after the reinstall
        if link is not None and link.ig_user_id:
            ig_accounts.add(link.ig_user_id)
        services.states.forget_user(team_id, user_id)
        services.reminders.cancel(team_id, user_id)
        services.links.delete(team_id, user_id)
        forgotten += 1
    for account in sorted(ig_accounts):
        services.hashtags.forget_account(account)

    removed, unreachable = 0, 0
    for channel_id in services.feeds.channels(team_id):
        for feed in services.feeds.of_channel(team_id, channel_id):
            if again and feed.created_at > until + 1:
                continue
            try:
                remove_feed(services, team_id, channel_id, feed.target)
            except InstagramError as exc:  # the feed is gone here; Instagram keeps a subscription no one gets
                log.warning(
                    "could not cancel an Instagram subscription of a removed workspace (%s)",
                    type(exc).__name__,
                )
                unreachable += 1
            removed += 1
    inboxes = [i for i in services.inbox.of_team(team_id) if not (again and i.since > until + 1)]
    for inbox in inboxes:
        services.inbox.remove(inbox.account_id)
    if not again:  # what is left of feeds and inboxes without their index, and the rest of the team's keys
        services.reminders.forget_team(team_id)
        services.feeds.forget_team(team_id)
        services.inbox.forget_team(team_id)
        (services.events or EventLog(context.redis)).forget_team(team_id)
        services.slack.forget_team(team_id)
    log.info(
        "forgot a workspace that removed igbot: %d people, %d feeds (%d Instagram subscriptions not "
        "cancelled), %d inboxes%s",
        forgotten,
        removed,
        unreachable,
        len(inboxes),
        "; it installed igbot again since, so what was made after that is kept" if again else "",
    )


FORGET_TEAM = Job("forget_team", forget_team, "uninstall")
