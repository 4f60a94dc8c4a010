"""The "which Instagram account?" menu: queue the choice for a worker (`bot.features.linking.outcomes`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.core.queue import refusal
from bot.core.services import Services
from bot.features.linking.jobs import PICK_ACCOUNT
from bot.slack.invocation import Invocation
from bot.slack.responder import answer_in_request


def register(app: App, services: Services) -> None:
    """Ack the menu at once; checking and storing the choice runs in the worker tier."""

    def pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        ack()
        chosen = str((action.get("selected_option") or {}).get("value", ""))
        resume = str(action.get("block_id", "")).removeprefix("pick:")
        invocation = Invocation.from_action(body, context, resume)
        answer = refusal(services.jobs.offer(PICK_ACCOUNT, invocation.payload(), chosen))
        if answer is not None:  # rare (busy, storage down): a button's ack cannot carry a message
            answer_in_request(invocation, answer)

    app.action("ig_pick_account")(pick)
