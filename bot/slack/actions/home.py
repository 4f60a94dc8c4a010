"""The App Home tab's buttons (Disconnect, Unsubscribe, Turn off an inbox): acknowledged at once, the
work queued for a worker (`bot.jobs.home`), which then draws the tab again."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack import home_blocks

HOME_ACTIONS = (home_blocks.HOME_DISCONNECT, home_blocks.HOME_UNSUBSCRIBE, home_blocks.HOME_INBOX_OFF)


def register(app: App, services: Services) -> None:
    """Attach the Home tab's buttons."""

    def clicked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        user_id = str(user.get("id", ""))
        if team and user_id:  # busy or storage down: nothing changes, and the tab still shows the truth
            services.jobs.home_action(
                team, user_id, str(action.get("action_id", "")), str(action.get("value", ""))
            )

    app.action(re.compile("^(" + "|".join(map(re.escape, HOME_ACTIONS)) + ")$"))(clicked)
