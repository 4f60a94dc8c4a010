"""A person's Instagram link as every feature needs it: a usable link (or the login button instead),
forgetting a link Instagram rejected, and logging out.

These are the shared operations over the link, state and reminder stores; features call them rather than
the stores, so that "connect first", "expired" and "logged out" mean the same everywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.core import replies
from bot.core.feeds import pause_and_tell
from bot.core.services import Services
from bot.instagram.errors import LinkRejected, TokenInvalid
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.invocation import Invocation, Reply
from bot.storage.feeds import Feed
from bot.storage.links import Link

EXPIRY_WARNING_SECONDS = 7 * 86400


def offer_login(
    invocation: Invocation, services: Services, reply: Reply, reason: str, *, resume: str | None
) -> None:
    """Send the private "Connect Instagram" button; after approval the callback runs ``resume``."""
    state = services.states.issue(
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        user_name=invocation.user_name,
        channel_id=invocation.channel_id,
        response_url=invocation.response_url,
        resume=resume,
    )
    reply(blocks.login_prompt(services.instagram.authorization_url(state), reason))


def offer_pick(link: Link, services: Services, reply: Reply, resume: str | None) -> None:
    """Ask which of the token's Instagram accounts to use."""
    instagram = services.instagram
    reply(blocks.account_picker(instagram.accounts(link.creds), resume, instagram.account_facts))


def live_link(invocation: Invocation, services: Services) -> tuple[Link | None, bool]:
    """The user's link and whether one was there but had expired. An expired token is no link: it is
    forgot (unless the user linked again meanwhile) and never sent to Instagram."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None or not link.expired(time.time()):
        return link, False
    services.links.delete_if_token(invocation.team_id, invocation.user_id, link.creds.fingerprint)
    return None, True


def days_left(link: Link, now: float | None = None) -> int | None:
    """Whole days until the link's token expires (0 on its last day); None when it has no known expiry
    (API v1), has expired, or has more than a week left."""
    if not link.expires_at:
        return None
    left = link.expires_at - (time.time() if now is None else now)
    if left <= 0 or left >= EXPIRY_WARNING_SECONDS:
        return None
    return int(left // 86400)


def expiry_warning(link: Link, now: float | None = None) -> Message | None:
    """The reminder for a link whose token expires within a week (for a scheduled direct message, which
    carries no button: it says to run `/ig login`); None when there is nothing to remind."""
    days = days_left(link, now)
    return None if days is None else replies.expiry_reminder(link.ig_username, days)


def require_link(invocation: Invocation, services: Services, reply: Reply, command: str) -> Link | None:
    """The user's usable link. Without one (or with an expired one), offer the login button (or the
    account menu) so that this command finishes after linking, and return None. When the token expires
    within a week, also offers to connect again."""
    link, expired = live_link(invocation, services)
    if link is None:
        reason = replies.EXPIRED if expired else replies.NEEDS_LINK.format(command=command)
        offer_login(invocation, services, reply, reason, resume=invocation.text)
        return None
    if not link.ig_user_id:
        offer_pick(link, services, reply, invocation.text)
        return None
    return link  # a token close to expiry gets a direct message of its own (bot.features.linking.reminders)


def relink_after_rejection(
    failure: LinkRejected, invocation: Invocation, services: Services, reply: Reply
) -> None:
    """Instagram refused the user's token (expired, revoked, or missing a permission): forget that link
    and offer the login button, finishing the command after relinking. If the user has linked again
    since the failing call read its link, the new link is kept and they are asked to run it again.

    Raises:
        StorageUnavailable: Redis did not answer.
    """
    reason = replies.EXPIRED if isinstance(failure, TokenInvalid) else replies.NEEDS_PERMISSION
    fingerprint = failure.token_fingerprint
    kept = fingerprint is not None and not services.links.delete_if_token(
        invocation.team_id, invocation.user_id, fingerprint
    )
    if kept and services.links.get(invocation.team_id, invocation.user_id) is not None:
        reply(replies.plain(replies.RELINKED_MEANWHILE))  # linked again since: the new link stays
        return
    offer_login(invocation, services, reply, reason, resume=invocation.text or None)


@dataclass(frozen=True)
class LoggedOut:
    """What `log_out` did: the Instagram username that was linked (None: no link) and the feeds it paused."""

    ig_username: str | None
    paused: list[Feed]


def log_out(services: Services, team_id: str, user_id: str) -> LoggedOut:
    """Forget everything igbot holds for one person's connection (the link and its token, pending login
    links, expiry reminders) and pause their running feeds, telling each channel once."""
    services.states.forget_user(team_id, user_id)
    services.reminders.cancel(team_id, user_id)
    ig_username = services.links.delete(team_id, user_id)
    paused = [f for f in services.feeds.owned_by(team_id, user_id) if not f.paused]
    for feed in paused:
        pause_and_tell(services.feeds, services.slack.client(team_id), feed)
    return LoggedOut(ig_username, paused)
