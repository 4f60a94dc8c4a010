"""The "which Instagram account?" menu: store the choice, confirm, and finish the waiting command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands import dispatch
from bot.slack.intents import parse
from bot.slack.invocation import Invocation
from bot.slack.responder import responder
from bot.storage import StorageUnavailable


def invocation_from_action(body: dict[str, Any], resume: str) -> Invocation:
    """Who clicked, where, and the command to resume (carried in the menu's block_id)."""
    user = body.get("user") or {}
    return Invocation(
        team_id=str((body.get("team") or {}).get("id") or user.get("team_id") or ""),
        user_id=str(user.get("id", "")),
        user_name=str(user.get("username") or user.get("name") or ""),
        channel_id=str((body.get("channel") or {}).get("id", "")),
        response_url=str(body.get("response_url", "")),
        text=resume,
    )


def pick(body: dict[str, Any], services: Services) -> None:
    """Check the chosen account belongs to the user's token, store it, then resume."""
    action = (body.get("actions") or [{}])[0]
    chosen = str((action.get("selected_option") or {}).get("value", ""))
    resume = str(action.get("block_id", "")).removeprefix("pick:")
    invocation = invocation_from_action(body, resume)
    reply = responder(invocation.response_url)
    try:
        link = services.links.get(invocation.team_id, invocation.user_id)
        if link is None:
            reply(replies.plain("Your Instagram connection is gone. Run `/ig login` to connect again."))
            return
        owned = {a.id: a for a in services.instagram.accounts(link.creds)}
        account = owned.get(chosen)
        if account is None:
            reply(replies.plain("That account isn't one your Instagram connection can use. Pick again."))
            return
        services.links.choose_account(
            invocation.team_id, invocation.user_id, ig_user_id=account.id, ig_username=account.username
        )
    except StorageUnavailable:
        reply(replies.plain(replies.STORAGE_DOWN))
        return
    except Exception as exc:  # the same friendly answers as commands
        dispatch.report_failure(exc, invocation, services, reply)
        return
    reply({**blocks.connected(invocation.user_id, account.username, resume), "replace_original": True})
    if resume:
        dispatch.run(parse(resume), invocation, services, reply)


def register(app: App, services: Services) -> None:
    """Ack the menu at once; the Instagram and storage work runs after the ack."""

    def ack_pick(ack: Ack) -> None:
        ack()

    def run_pick(body: dict[str, Any]) -> None:
        pick(body, services)

    app.action("ig_pick_account")(ack=ack_pick, lazy=[run_pick])
