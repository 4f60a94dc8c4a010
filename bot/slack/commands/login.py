"""`/ig login`, and the login button every command offers when it needs a link first."""

from __future__ import annotations

import time

from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.intents import Intent
from bot.slack.invocation import Invocation, Reply
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
    reply(blocks.account_picker(services.instagram.accounts(link.creds), resume))


def require_link(invocation: Invocation, services: Services, reply: Reply, command: str) -> Link | None:
    """The user's usable link. Without one, offer the login button (or the account menu) so that this
    command finishes after linking, and return None. Warns when the token expires within a week."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None:
        offer_login(
            invocation, services, reply, replies.NEEDS_LINK.format(command=command), resume=invocation.text
        )
        return None
    if not link.ig_user_id:
        offer_pick(link, services, reply, invocation.text)
        return None
    left = link.expires_at - time.time()
    if link.expires_at and left < EXPIRY_WARNING_SECONDS:
        offer_login(invocation, services, reply, replies.expiring(int(left // 86400)), resume=None)
    return link


def run_login(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Offer the login button; when already linked, say as whom and offer to link another account."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None or not link.ig_username:
        reason = "Connect your Instagram account to use igbot's `/ig` commands."
    else:
        reason = (
            f"You're connected to Instagram as *@{blocks.escape(link.ig_username)}*. "
            "To use a different account, connect again:"
        )
    offer_login(invocation, services, reply, reason, resume=None)
