"""What the person sees in Slack after the approval page, and finishing the command that waited."""

from __future__ import annotations

import logging
from enum import StrEnum

from bot.core import replies
from bot.core.commands import Commands
from bot.core.failures import is_transient, report_failure
from bot.core.services import Services
from bot.features.linking import blocks as linking_blocks
from bot.instagram.models import Account
from bot.slack import blocks
from bot.slack.invocation import Invocation, Reply
from bot.slack.responder import SlackUnreachable

log = logging.getLogger(__name__)

CANCELLED = (
    "Instagram wasn't connected: the approval was cancelled. Run `/ig login` when you want to try again."
)
LINK_GONE = "Your Instagram connection is gone. Run `/ig login` to connect again."
MENU_OUTDATED = (
    "That menu belongs to an older Instagram connection, so nothing was changed. Run `/ig me` to see "
    "which account igbot uses now."
)
NOT_YOURS = "That account isn't one your Instagram connection can use. Pick again."


class Outcome(StrEnum):
    """How an approval ended, as the callback saw it."""

    CONNECTED = "connected"
    PICK = "pick"
    NO_ACCOUNT = "no_account"
    CANCELLED = "cancelled"


def deliver(
    outcome: Outcome,
    invocation: Invocation,
    accounts: list[Account],
    services: Services,
    reply: Reply,
    commands: Commands,
    *,
    final_attempt: bool = True,
) -> None:
    """Tell the person how linking ended; after a link, run the command they were trying to run
    (``invocation.text``, empty when there is none) with ``commands``."""
    if outcome is Outcome.CONNECTED and accounts:
        connected(invocation, accounts[0].username, services, reply, commands, final_attempt=final_attempt)
    elif outcome is Outcome.PICK:
        reply(blocks.account_picker(accounts, invocation.text or None, services.instagram.account_facts))
    elif outcome is Outcome.CANCELLED:
        reply(replies.plain(CANCELLED))
    else:
        no_account = services.instagram.account_facts.no_account  # the backend's words (Facebook Page...)
        reply(replies.plain(no_account.replace("/ig login", "`/ig login`")))


def connected(
    invocation: Invocation,
    ig_username: str,
    services: Services,
    reply: Reply,
    commands: Commands,
    *,
    final_attempt: bool,
) -> None:
    """Name both sides of the new link (and resume the feeds that waited for it), then finish the
    waiting command."""
    note = linking_blocks.connected(invocation.user_id, ig_username, invocation.text or None)
    _say(reply, _with_resumed(note, invocation, services), final_attempt=final_attempt)
    if invocation.text:
        commands.run(invocation, services, reply, final_attempt=final_attempt)


def choose_account(
    invocation: Invocation,
    chosen: str,
    services: Services,
    reply: Reply,
    commands: Commands,
    *,
    final_attempt: bool = True,
) -> None:
    """The account menu's answer: check the account belongs to the user's token, store it, finish."""
    try:
        link = services.links.get(invocation.team_id, invocation.user_id)
        if link is None:
            reply(replies.plain(LINK_GONE))
            return
        account = {a.id: a for a in services.instagram.accounts(link.creds)}.get(chosen)
        if account is None:
            reply(replies.plain(NOT_YOURS))
            return
        stored = services.links.choose_account(
            invocation.team_id,
            invocation.user_id,
            ig_user_id=account.id,
            ig_username=account.username,
            token_fingerprint=link.creds.fingerprint,  # a menu from an older link never rewrites a newer one
        )
        if not stored:
            reply(replies.plain(MENU_OUTDATED))
            return
    except Exception as exc:
        if not final_attempt and is_transient(exc):
            raise
        report_failure(exc, invocation, services, reply)
        return
    answer = linking_blocks.connected(invocation.user_id, account.username, invocation.text or None)
    _say(
        reply,
        {**_with_resumed(answer, invocation, services), "replace_original": True},
        final_attempt=final_attempt,
    )
    if invocation.text:
        commands.run(invocation, services, reply, final_attempt=final_attempt)


def _with_resumed(answer: blocks.Message, invocation: Invocation, services: Services) -> blocks.Message:
    """Resume the person's feeds paused for want of a link, and say so in ``answer``."""
    waiting = [
        f for f in services.feeds.owned_by(invocation.team_id, invocation.user_id) if f.paused == "link"
    ]
    for feed in waiting:
        services.feeds.resume(feed)
    if not waiting:
        return answer
    text = (
        f"{answer['text']} Your paused feeds run again: "
        + ", ".join(blocks.escape(f.label) for f in waiting[:10])
        + "."
    )
    return replies.plain(text)


def _say(reply: Reply, answer: blocks.Message, *, final_attempt: bool) -> None:
    """Send a note that must not stop what follows: on the job's last attempt, a Slack that cannot be
    reached is logged and the waiting command still runs (its own answers may get through)."""
    try:
        reply(answer)
    except SlackUnreachable:
        if not final_attempt:
            raise
        log.warning("Slack could not be reached for a linking note; finishing the command anyway")
