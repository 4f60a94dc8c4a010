"""Interactivity: igbot's buttons open URLs; Slack still sends a block_actions payload to acknowledge."""

import re

from slack_bolt import Ack, App


def acknowledge_link_button(ack: Ack) -> None:
    """Link buttons need no work beyond the ack: the browser opens the URL."""
    ack()


def register(app: App) -> None:
    """Acknowledge clicks on every igbot button."""
    app.action(re.compile(r"^ig_"))(acknowledge_link_button)
