"""`/ig recent [count]`: the linked account's latest posts, posted into the channel."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, Usage
from bot.core.grammar import DEFAULT_COUNT, MAX_COUNT, parse_count
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.gallery import blocks as gallery_blocks
from bot.instagram.models import Capability
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply

USAGE = f"Type `/ig recent` or `/ig recent <count>` with a count from 1 to {MAX_COUNT}."


@dataclass(frozen=True)
class Recent:
    """Post the linked account's ``count`` latest posts into the channel."""

    count: int = DEFAULT_COUNT


def parse_recent(args: list[str]) -> Recent | Usage:
    """``recent [count]``."""
    count = parse_count(args[0]) if len(args) == 1 else (DEFAULT_COUNT if not args else None)
    return Recent(count) if count is not None else Usage(USAGE)


def run_recent(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Post the ``count`` latest posts of the linked account."""
    assert isinstance(intent, Recent)
    if Capability.RECENT not in services.instagram.capabilities:
        reply(replies.plain(replies.UNSUPPORTED))
        return
    link = require_link(invocation, services, reply, "recent")
    if link is None:
        return
    media = services.instagram.recent(link.creds, intent.count)
    if not media:
        reply(replies.plain(f"@{link.ig_username} has no posts to show yet."))
        return
    who = blocks.escape(link.ig_username)
    reply(
        gallery_blocks.gallery(
            media, f"<@{invocation.user_id}> shared the latest {gallery_blocks.posts(len(media))} of @{who}"
        )
    )


RECENT = Subcommand(
    "recent",
    parse_recent,
    run_recent,
    help=(
        HelpLine(
            "`/ig recent [count]`", "post your account's latest posts into this channel", Capability.RECENT
        ),
    ),
)
