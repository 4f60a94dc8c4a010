"""`/ig login`, and the login button every command offers when it needs a link first."""

from __future__ import annotations

from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.intents import Intent
from bot.slack.invocation import Invocation, Reply
from bot.storage.links import Link


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


def require_link(invocation: Invocation, services: Services, reply: Reply, command: str) -> Link | None:
    """The user's link; without one, offer the login button (resuming this command) and return None."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None:
        offer_login(
            invocation, services, reply, replies.NEEDS_LINK.format(command=command), resume=invocation.text
        )
    return link


def run_login(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Offer the login button; when already linked, say as whom and offer to link another account."""
    link = services.links.get(invocation.team_id, invocation.user_id)
    if link is None:
        reason = "Connect your Instagram account to use `/ig follow`, `/ig user` and more."
    else:
        reason = (
            f"You're connected to Instagram as *@{blocks.escape(link.ig_username)}*. "
            "To use a different account, connect again:"
        )
    offer_login(invocation, services, reply, reason, resume=None)
