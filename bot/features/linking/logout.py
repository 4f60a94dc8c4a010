"""`/ig logout`: forget the user's link and token."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, no_arguments
from bot.core.links import log_out
from bot.core.services import Services
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply


@dataclass(frozen=True)
class Logout:
    """Forget the link and its token."""


def run_logout(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Delete everything igbot stores about this user (the link, pending login links, expiry
    reminders), pause their feeds and confirm."""
    done = log_out(services, invocation.team_id, invocation.user_id)
    answer = replies.logged_out(done.ig_username)
    if done.paused:
        which = ", ".join(f"{blocks.escape(f.label)} in <#{f.channel_id}>" for f in done.paused[:10])
        more = f" and {len(done.paused) - 10} more" if len(done.paused) > 10 else ""
        answer = replies.plain(
            f"{answer['text']} Your feeds pause until you connect again (`/ig login`): {which}{more}."
        )
    reply(answer)


LOGOUT = Subcommand(
    "logout",
    no_arguments("logout", Logout()),
    run_logout,
    help=(HelpLine("`/ig logout`", "forget your Instagram connection"),),
    aliases=("disconnect", "unlink"),
)
