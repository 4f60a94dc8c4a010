"""Attaching igbot's listeners to the Bolt app (the web tier)."""

from slack_bolt import App

from bot.services import Services
from bot.slack import actions, events
from bot.slack.commands import listener


def register_listeners(app: App, services: Services) -> None:
    """Attach every igbot listener to ``app``."""
    listener.register(app, services)
    actions.register(app, services)
    events.register(app, services)
