"""`/ig logout`: forget the user's link and token."""

from __future__ import annotations

from bot.jobs.feeds import pause_and_tell
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.intents import Intent
from bot.slack.invocation import Invocation, Reply


def run_logout(intent: Intent, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Delete everything igbot stores about this user (the link, pending login links, expiry
    reminders) and confirm."""
    services.states.forget_user(invocation.team_id, invocation.user_id)
    services.reminders.cancel(invocation.team_id, invocation.user_id)
    answer = replies.logged_out(services.links.delete(invocation.team_id, invocation.user_id))
    paused = [f for f in services.feeds.owned_by(invocation.team_id, invocation.user_id) if not f.paused]
    for feed in paused:
        pause_and_tell(services.feeds, services.slack.client(invocation.team_id), feed)
    if paused:
        which = ", ".join(f"{blocks.escape(f.label)} in <#{f.channel_id}>" for f in paused[:10])
        more = f" and {len(paused) - 10} more" if len(paused) > 10 else ""
        answer = replies.plain(
            f"{answer['text']} Your feeds pause until you connect again (`/ig login`): {which}{more}."
        )
    reply(answer)
