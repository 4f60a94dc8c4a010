"""Shared operation on comment inboxes: turning one off (`/ig inbox off`, the Home tab's button)."""

from __future__ import annotations

from bot.core.notes import tell
from bot.core.services import Services
from bot.slack.blocks import escape
from bot.storage.inbox import Inbox


def inbox_off(
    services: Services, team_id: str, user_id: str, account_id: str, *, owned_in: str | None = None
) -> Inbox | None:
    """Turn off ``account_id``'s inbox when it is in ``team_id``, telling its channel who did. With
    ``owned_in`` (a channel id), only the inbox ``user_id`` turned on in that channel goes (the Home tab's
    button); without, whoever is connected to the account may (the command). Returns the inbox that was
    turned off, None when there was none to turn off."""
    inbox = services.inbox.get(account_id)
    if inbox is None or inbox.team_id != team_id:
        return None
    if owned_in is not None and (inbox.owner_id, inbox.channel_id) != (user_id, owned_in):
        return None
    services.inbox.remove(account_id)
    text = f":no_bell: <@{user_id}> turned off the Instagram inbox of *@{escape(inbox.username)}*."
    tell(services.slack.client(team_id), inbox.channel_id, text, about="a channel about an inbox turned off")
    return inbox
