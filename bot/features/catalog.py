"""Every `/ig` subcommand, in the order `/ig help` lists them, and every kind of job.

A new subcommand is one module in its feature's package plus one entry in `SUBCOMMANDS`: parsing, help, the
closest-match answer and dispatch follow (`bot.core.commands.Commands`, built once in `bot.app`). A new kind
of job is one `Job` next to its body plus one entry in `JOBS`: the worker runtime declares its actor."""

from __future__ import annotations

from typing import Any

from bot.core.commands import Subcommand
from bot.core.jobs import JobContext, final_attempt
from bot.core.queue import Job, Lane
from bot.features.accounts.follow import FOLLOW, UNFOLLOW
from bot.features.accounts.profile import USER
from bot.features.feeds.command import SUBSCRIBE, SUBSCRIPTIONS, UNSUBSCRIBE
from bot.features.feeds.jobs import DELIVER_FEED
from bot.features.gallery.popular import POPULAR
from bot.features.gallery.recent import RECENT
from bot.features.home.jobs import HOME_ACTION, PUBLISH_HOME
from bot.features.inbox.command import INBOX
from bot.features.inbox.jobs import DELIVER_INBOX, INBOX_ACTION, POLL_INBOX
from bot.features.install.jobs import FORGET_TEAM
from bot.features.linking.jobs import FINISH_LINK, PICK_ACCOUNT
from bot.features.linking.login import LOGIN
from bot.features.linking.logout import LOGOUT
from bot.features.linking.me import ME
from bot.features.linking.reminders import REMIND
from bot.features.maps.command import MAP
from bot.features.unfurls.jobs import UNFURL
from bot.slack.invocation import Invocation

SUBCOMMANDS: tuple[Subcommand, ...] = (
    LOGIN,
    ME,
    FOLLOW,
    UNFOLLOW,
    USER,
    POPULAR,
    RECENT,
    SUBSCRIBE,
    UNSUBSCRIBE,
    SUBSCRIPTIONS,
    MAP,
    INBOX,
    LOGOUT,
)


def run_command(context: JobContext, payload: dict[str, Any]) -> None:
    """One `/ig` command in a worker: its answer goes back once, whatever re-runs the job."""
    invocation = Invocation.from_payload(payload)
    reply = context.reply_once(invocation)
    context.commands.run(invocation, context.services, reply, final_attempt=final_attempt())


RUN_COMMAND = Job("run_command", run_command, "command", Lane.INTERACTIVE)

JOBS: tuple[Job[Any], ...] = (
    RUN_COMMAND,
    FINISH_LINK,
    PICK_ACCOUNT,
    REMIND,
    DELIVER_FEED,
    DELIVER_INBOX,
    POLL_INBOX,
    INBOX_ACTION,
    PUBLISH_HOME,
    HOME_ACTION,
    UNFURL,
    FORGET_TEAM,
)
