"""`/ig inbox [off]`: comments on the linked account's posts (and mentions of it) come into this channel,
where people connected to the same account reply, hide and delete them (`bot.features.inbox.jobs`).

One inbox per Instagram account: `/ig inbox` in another channel moves it. On the Graph API it asks
Instagram to push (the account's Page subscribes the app); on API v1 igbot reads the comments of the
account's latest posts every minute. The confirmation is posted in the channel for everyone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.core import replies
from bot.core.commands import HelpLine, Subcommand, Usage
from bot.core.inbox import inbox_off
from bot.core.links import require_link
from bot.core.services import Services
from bot.features.inbox.jobs import POLL_SECONDS
from bot.instagram.errors import AppFeatureMissing, NotAllowed
from bot.instagram.models import Capability
from bot.slack import blocks
from bot.slack.errors import CANNOT_POST
from bot.slack.invocation import Invocation, Reply
from bot.storage.inbox import Inbox as Route

NOT_HERE = "This Instagram API has no comment inbox. Run `/ig help` to see what igbot can do here."
PUSH_OFF = (
    "The inbox needs Instagram's webhooks, and igbot has no `INSTAGRAM_WEBHOOK_VERIFY_TOKEN` set. "
    "Ask whoever runs igbot to set it."
)
NEEDS_META = (
    "Instagram won't send igbot the comments of *@{account}*: the Meta app needs {feature}. Ask whoever "
    "runs igbot to get that from Meta (App Dashboard > App Review), then run `/ig inbox` again."
)
META_NOTE = (
    "Instagram sends them only while igbot's Meta app is Live with Advanced Access to comments: if none "
    "arrive, ask whoever runs igbot to check that in the App Dashboard."
)
INVITE_FIRST = (
    "igbot isn't in this channel, so it can't post comments here. Invite it (`/invite @igbot`), then run "
    "`/ig inbox` again."
)


@dataclass(frozen=True)
class Inbox:
    """``/ig inbox [off]``: comments and mentions of your account into this channel (or not any more)."""

    off: bool = False


def parse_inbox(args: list[str]) -> Inbox | Usage:
    """``inbox [on | off]``."""
    if not args or (len(args) == 1 and args[0].lower() in ("on", "off")):
        return Inbox(off=bool(args) and args[0].lower() == "off")
    return Usage(
        "Type `/ig inbox` to bring your account's comments into this channel, `/ig inbox off` to stop."
    )


def run_inbox(intent: object, invocation: Invocation, services: Services, reply: Reply) -> None:
    """Turn the linked account's inbox on in this channel (moving it), or off."""
    assert isinstance(intent, Inbox)
    instagram = services.instagram
    if Capability.INBOX not in instagram.capabilities:
        reply(replies.plain(NOT_HERE))
        return
    link = require_link(invocation, services, reply, "inbox")
    if link is None:
        return
    account = blocks.escape(link.ig_username)
    if intent.off:
        stopped = inbox_off(services, invocation.team_id, invocation.user_id, link.ig_user_id)
        if stopped is None:
            reply(replies.plain(f"*@{account}* has no inbox here. `/ig inbox` starts one in a channel."))
        else:
            channel = stopped.channel_id
            reply(
                replies.plain(
                    f"Done: comments on *@{account}*'s posts won't come into <#{channel}> any more."
                )
            )
        return
    push = Capability.INBOX_PUSH in instagram.capabilities
    if push:
        if not services.webhook_verify_token:
            reply(replies.plain(PUSH_OFF))
            return
        try:
            instagram.enable_inbox(link.creds)
        except AppFeatureMissing as missing:
            reply(replies.plain(NEEDS_META.format(account=account, feature=blocks.escape(missing.feature))))
            return
        except NotAllowed:
            reply(replies.plain(instagram.account_facts.inbox_needs_role.format(account=account)))
            return
    route = Route(
        account_id=link.ig_user_id,
        username=link.ig_username,
        team_id=invocation.team_id,
        channel_id=invocation.channel_id,
        owner_id=invocation.user_id,
        since=int(time.time()),
    )
    how = "as soon as Instagram tells igbot" if push else f"checked every {POLL_SECONDS // 60} minute"
    hide = " hide," if Capability.HIDE_COMMENTS in instagram.capabilities else ""
    announce = (
        f":inbox_tray: <@{invocation.user_id}> brought comments on *@{account}*'s posts"
        f"{' and mentions of it' if Capability.MENTIONS in instagram.capabilities else ''} into this channel "
        f"({how}). Whoever is connected to *@{account}* in igbot can reply,{hide} or delete them from here."
    )
    if not _announce(services, invocation.team_id, invocation.channel_id, announce):
        reply(replies.plain(INVITE_FIRST))
        return
    before = services.inbox.turn_on(route, poll_every=None if push else POLL_SECONDS)
    moved = ""
    if before is not None and (before.team_id, before.channel_id) != (
        invocation.team_id,
        invocation.channel_id,
    ):
        moved = f" It moved here from <#{before.channel_id}>."
        if before.team_id == invocation.team_id:
            _announce(
                services,
                invocation.team_id,
                before.channel_id,
                f":outbox_tray: The Instagram inbox of *@{account}* moved to <#{invocation.channel_id}>.",
            )
    note = f" {META_NOTE}" if push else ""
    reply(replies.plain(f"Inbox on: new comments on *@{account}*'s posts will appear here.{moved}{note}"))


def _announce(services: Services, team_id: str, channel_id: str, text: str) -> bool:
    """Post ``text`` in the channel for everyone; False when igbot cannot post there."""
    try:
        services.slack.client(team_id).chat_postMessage(channel=channel_id, text=text)
    except CANNOT_POST:
        return False
    return True


INBOX = Subcommand(
    "inbox",
    parse_inbox,
    run_inbox,
    help=(
        HelpLine(
            "`/ig inbox [off]`",
            "comments on your account's posts come here, answered from Slack",
            Capability.INBOX,
        ),
    ),
)
