"""Everything Slack-facing: listeners (commands, actions), intents and Block Kit rendering."""

from slack_bolt import App

from bot.services import Services
from bot.slack import actions, commands


def register_listeners(app: App, services: Services) -> None:
    """Attach every igbot listener to ``app``."""
    commands.register(app, services)
    actions.register(app, services)
