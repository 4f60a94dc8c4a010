"""The "which Instagram account?" menu: queue the choice for a worker (`bot.linking.outcomes`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands.listener import refusal
from bot.slack.invocation import Invocation
from bot.slack.responder import answer_in_request


def register(app: App, services: Services) -> None:
    """Ack the menu at once; checking and storing the choice runs in the worker tier."""

    def pick(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        chosen = str((action.get("selected_option") or {}).get("value", ""))
        resume = str(action.get("block_id", "")).removeprefix("pick:")
        invocation = Invocation.from_action(body, resume)
        answer = refusal(services.jobs.pick_account(invocation, chosen))
        if answer is not None:  # rare (busy, storage down): a button's ack cannot carry a message
            answer_in_request(invocation, answer)

    app.action("ig_pick_account")(pick)
