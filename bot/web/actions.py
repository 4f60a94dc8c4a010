"""Interactivity: link buttons (acknowledged; the browser opens the URL) and the account menu."""

import re

from slack_bolt import Ack, App

from bot.core.services import Services
from bot.features.home import actions as home
from bot.features.inbox import actions as inbox
from bot.features.linking import pick_account


def acknowledge_link_button(ack: Ack) -> None:
    """Link buttons need no work beyond the ack: the browser opens the URL."""
    ack()


def register(app: App, services: Services) -> None:
    """Acknowledge clicks on igbot's buttons and handle the account menu."""
    pick_account.register(app, services)
    inbox.register(app, services)
    home.register(app, services)
    app.action(re.compile(r"^ig_(connect|open_profile|open_post)$"))(acknowledge_link_button)
