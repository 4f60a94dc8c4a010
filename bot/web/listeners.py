"""Attaching igbot's listeners to the Bolt app (the web tier)."""

from slack_bolt import App

from bot.core.commands import Commands
from bot.core.services import Services
from bot.web import actions, events
from bot.web import commands as listener


def register_listeners(app: App, services: Services, commands: Commands) -> None:
    """Attach every igbot listener to ``app``."""
    listener.register(app, services, commands)
    actions.register(app, services)
    events.register(app, services)
