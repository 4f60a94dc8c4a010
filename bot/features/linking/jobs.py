"""The end of a link as jobs: what the person sees after the approval page (`finish_link`, queued by the
OAuth callback) and after picking one of several accounts (`pick_account`, queued by the account menu)."""

from __future__ import annotations

from typing import Any

from bot.core.jobs import JobContext, final_attempt
from bot.core.queue import Job, Lane
from bot.features.linking.outcomes import Outcome, choose_account, deliver
from bot.instagram.models import Account
from bot.slack.invocation import Invocation


def accounts_payload(accounts: list[Account]) -> list[dict[str, str]]:
    """Instagram accounts as `finish_link` takes them (JSON)."""
    return [{"id": a.id, "username": a.username} for a in accounts]


def finish_link(
    context: JobContext, payload: dict[str, Any], outcome: str, accounts: list[dict[str, str]]
) -> None:
    """Tell the person how their approval ended and finish the command that waited for it."""
    invocation = Invocation.from_payload(payload)
    found = [Account(id=str(a.get("id", "")), username=str(a.get("username", ""))) for a in accounts]
    reply = context.reply_once(invocation)
    deliver(
        Outcome(outcome),
        invocation,
        found,
        context.services,
        reply,
        context.commands,
        final_attempt=final_attempt(),
    )


def pick_account(context: JobContext, payload: dict[str, Any], chosen: str) -> None:
    """Store the account the person picked from the menu and finish the command that waited for it."""
    invocation = Invocation.from_payload(payload)
    reply = context.reply_once(invocation)
    choose_account(
        invocation, chosen, context.services, reply, context.commands, final_attempt=final_attempt()
    )


FINISH_LINK = Job("finish_link", finish_link, "link", Lane.INTERACTIVE)
PICK_ACCOUNT = Job("pick_account", pick_account, "account choice", Lane.INTERACTIVE)
