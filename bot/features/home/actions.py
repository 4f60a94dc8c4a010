"""The App Home tab's buttons (Disconnect, Unsubscribe, Turn off an inbox): acknowledged at once, the
work queued for a worker (`bot.features.home.jobs`), which then draws the tab again."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.core.services import Services
from bot.features.home import blocks as home_blocks
from bot.features.home.jobs import HOME_ACTION

HOME_ACTIONS = (home_blocks.HOME_DISCONNECT, home_blocks.HOME_UNSUBSCRIBE, home_blocks.HOME_INBOX_OFF)


def register(app: App, services: Services) -> None:
    """Attach the Home tab's buttons."""

    def clicked(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        team, user_id = context.team_id or "", context.user_id or ""
        if team and user_id:  # busy or storage down: nothing changes, and the tab still shows the truth
            services.jobs.offer(
                HOME_ACTION, team, user_id, str(action.get("action_id", "")), str(action.get("value", ""))
            )

    app.action(re.compile("^(" + "|".join(map(re.escape, HOME_ACTIONS)) + ")$"))(clicked)
