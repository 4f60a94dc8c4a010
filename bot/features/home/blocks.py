"""igbot's App Home tab (``views.publish``): pure functions from a `HomeState` to a home view.

The tab shows the person's Instagram connection (with Connect or Disconnect), the channel feeds and
inboxes they made (each with a button to stop it) and a short help. Button values say which feed or
inbox a click is about; the handler must still check that the clicking user owns it
(`parse_unsubscribe_value`, `parse_inbox_off_value`). Text from Instagram or users is escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks import Block, clip, context, escape, link_button, section, slack_date, web_url
from bot.storage.feeds import Feed
from bot.storage.inbox import Inbox

View = dict[str, Any]

HOME_CONNECT = "ig_connect"  # a link button igbot already acknowledges (bot/web/actions.py)
HOME_DISCONNECT = "home_disconnect"
HOME_UNSUBSCRIBE = "home_unsubscribe"
HOME_INBOX_OFF = "home_inbox_off"

MAX_BLOCKS = 100  # Slack's limit for a home view
MAX_FEEDS_SHOWN = 40  # one block each; the rest are summed up in one line
MAX_INBOXES_SHOWN = 10
MAX_VALUE = 2000  # a button's value
EXPIRY_WARNING_SECONDS = 7 * 86400  # offer to renew a connection that ends within a week
SEPARATOR = "|"  # channel ids, account ids and target kinds never contain it
TARGET_KINDS = ("user", "tag", "location", "geography")
_CHANNEL = re.compile(r"[A-Z0-9]{1,32}")
_ACCOUNT = re.compile(r"[0-9A-Za-z_]{1,64}")
_USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")

DEFAULT_HELP = (
    "`/ig login`: connect your Instagram account",
    "`/ig recent [count]`: your account's latest posts, in the channel",
    "`/ig subscribe #tag | @name | me`: new posts come into the channel by themselves",
    "`/ig inbox`: comments on your account's posts, answered from Slack",
    "`/ig help`: everything igbot can do here",
)
PAUSED = {
    "link": " · :pause_button: paused until you connect Instagram again",
    "channel": " · :pause_button: paused: igbot can't post there (invite it, then `/ig subscribe` again)",
}


@dataclass(frozen=True)
class HomeLink:
    """The person's Instagram connection as the tab shows it (never the token).

    Args:
        username: the Instagram account.
        linked_at: when it was connected (seconds since the epoch).
        expires_at: when its token expires (Graph API tokens do), None when it doesn't (API v1).
        api: which Instagram API igbot uses ("API v1", "Graph API"), shown as is.
    """

    username: str
    linked_at: int
    expires_at: int | None = None
    api: str = ""


@dataclass(frozen=True)
class HomeState:
    """What the tab shows for one person.

    Args:
        now: seconds since the epoch (to tell an expired connection).
        link: their connection, None when they have none.
        connect_url: igbot's login link for the Connect button, None to show no button.
        feeds: the channel feeds they made.
        inboxes: the inboxes they turned on.
        help_lines: a few commands worth knowing (mrkdwn, igbot's own words).
    """

    now: int
    link: HomeLink | None = None
    connect_url: str | None = None
    feeds: tuple[Feed, ...] = ()
    inboxes: tuple[Inbox, ...] = ()
    help_lines: tuple[str, ...] = DEFAULT_HELP


def home_view(state: HomeState) -> View:
    """The home view: ``{"type": "home", "blocks": [...]}`` within Slack's 100 blocks."""
    blocks: list[Block] = [_header(), *_connection(state), {"type": "divider"}, *_feeds(state)]
    if state.inboxes:
        blocks += [{"type": "divider"}, *_inboxes(state.inboxes)]
    blocks += [{"type": "divider"}, *_help(state.help_lines)]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def home_error_view(text: str) -> View:
    """The tab when it can't be drawn (storage unreachable): ``text`` (igbot's own mrkdwn) and what to do."""
    return {
        "type": "home",
        "blocks": [_header(), section(text), context("Open this tab again in a minute to try again.")],
    }


def unsubscribe_value(channel_id: str, target: str) -> str | None:
    """The Unsubscribe button's value, ``{channel}|{target}``; None when it can't be one (an odd channel
    id or target, or longer than Slack's 2000 characters)."""
    value = f"{channel_id}{SEPARATOR}{target}"
    if not _CHANNEL.fullmatch(channel_id) or not _is_target(target) or len(value) > MAX_VALUE:
        return None
    return value


def parse_unsubscribe_value(value: str) -> tuple[str, str] | None:
    """``(channel id, target)`` of an Unsubscribe value, or None for anything `unsubscribe_value` never
    makes."""
    channel_id, _, target = value.partition(SEPARATOR)
    return (channel_id, target) if unsubscribe_value(channel_id, target) == value else None


def inbox_off_value(account_id: str, channel_id: str) -> str | None:
    """The Turn off button's value, ``{account id}|{channel}``; None when the ids are odd."""
    if not _ACCOUNT.fullmatch(account_id) or not _CHANNEL.fullmatch(channel_id):
        return None
    return f"{account_id}{SEPARATOR}{channel_id}"


def parse_inbox_off_value(value: str) -> tuple[str, str] | None:
    """``(account id, channel id)`` of a Turn off value, or None for anything `inbox_off_value` never
    makes."""
    account_id, _, channel_id = value.partition(SEPARATOR)
    return (account_id, channel_id) if inbox_off_value(account_id, channel_id) == value else None


def _is_target(target: str) -> bool:
    kind, _, name = target.partition(":")
    return kind in TARGET_KINDS and bool(name) and name.isprintable() and SEPARATOR not in name


def _header() -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": "igbot: Instagram in Slack"}}


def _connection(state: HomeState) -> list[Block]:
    link = state.link
    connect = _connect_button(state.connect_url, "Connect Instagram")
    if link is None:
        text = (
            "You haven't connected an Instagram account yet. Connect one and igbot can act on Instagram "
            "for you: your posts, channel feeds and the comment inbox."
        )
        return [section(text, connect)]
    who = _who(link.username)
    if link.expires_at is not None and link.expires_at <= state.now:
        text = f":warning: Your connection to {who} expired {_date(link.expires_at)}. Connect again to go on."
        return [section(text, connect)]
    text = f":white_check_mark: Connected to Instagram as {who} since {_date(link.linked_at)}."
    blocks = [section(text, _disconnect_button(link.username))]
    facts = [escape(link.api)] if link.api else []
    if link.expires_at is None:
        facts.append("the connection doesn't expire")
    else:
        facts.append(f"the connection expires {_date(link.expires_at)}")
    blocks.append(context(" · ".join(facts)))
    renew = _connect_button(state.connect_url, "Renew the connection")
    if link.expires_at is not None and link.expires_at - state.now <= EXPIRY_WARNING_SECONDS and renew:
        blocks.append({"type": "actions", "elements": [renew]})
    return blocks


def _feeds(state: HomeState) -> list[Block]:
    blocks = [section("*Your channel feeds*")]
    if not state.feeds:
        return [
            *blocks,
            context("None yet. In a channel, `/ig subscribe #tag` (or `@name`, `me`) starts one."),
        ]
    for feed in state.feeds[:MAX_FEEDS_SHOWN]:
        label = escape(clip(feed.label, 200)) or "a feed"
        text = f"*{label}* in {_channel(feed.channel_id)}{PAUSED.get(feed.paused, '')}"
        value = unsubscribe_value(feed.channel_id, feed.target)
        if value is None:  # no button can carry it: the command still can
            blocks.append(section(text + " · `/ig unsubscribe` in the channel stops it"))
            continue
        why = f"New posts of {clip(feed.label, 200)} will stop coming into the channel."
        button = _button(
            "Unsubscribe", HOME_UNSUBSCRIBE, value, _confirm("Stop this feed?", why, "Unsubscribe")
        )
        blocks.append(section(text, button))
    more = len(state.feeds) - MAX_FEEDS_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: `/ig subscriptions` in a channel lists its feeds."))
    return blocks


def _inboxes(inboxes: tuple[Inbox, ...]) -> list[Block]:
    blocks = [section("*Your inbox*")]
    for inbox in inboxes[:MAX_INBOXES_SHOWN]:
        text = f"Comments on {_who(inbox.username)}'s posts come into {_channel(inbox.channel_id)}"
        value = inbox_off_value(inbox.account_id, inbox.channel_id)
        if value is None:
            blocks.append(section(text + " · `/ig inbox off` in the channel stops it"))
            continue
        why = f"Comments on @{clip(inbox.username, 30)}'s posts will stop coming into the channel."
        button = _button("Turn off", HOME_INBOX_OFF, value, _confirm("Turn off the inbox?", why, "Turn off"))
        blocks.append(section(text, button))
    more = len(inboxes) - MAX_INBOXES_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: `/ig subscriptions` in a channel lists its inbox."))
    return blocks


def _help(lines: tuple[str, ...]) -> list[Block]:
    text = "*Using igbot*\n" + "\n".join(f"• {line}" for line in lines[:10])
    return [section(text), context("Type these in any channel igbot is in, or in your DM with igbot.")]


def _date(when: int) -> str:
    return slack_date(when, "date_short_pretty")


def _who(username: str) -> str:
    """``*@name*`` linked to the profile for a valid username; anything else escaped, unlinked."""
    if _USERNAME.fullmatch(username):
        return f"*<https://www.instagram.com/{username}/|@{username}>*"
    return f"*@{escape(clip(username, 30))}*"


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL.fullmatch(channel_id) else escape(clip(channel_id, 40))


def _connect_button(url: str | None, text: str) -> Block | None:
    usable = web_url(url) if url else None
    return link_button(text, usable, HOME_CONNECT, primary=True) if usable else None


def _disconnect_button(username: str) -> Block:
    who = f"@{username}" if _USERNAME.fullmatch(username) else "your Instagram account"
    why = (
        f"igbot forgets your connection to {who} and deletes its token. Feeds you made pause until you "
        "connect again."
    )
    return _button(
        "Disconnect", HOME_DISCONNECT, "disconnect", _confirm("Disconnect Instagram?", why, "Disconnect")
    )


def _button(text: str, action_id: str, value: str, confirm: Block) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75)},
        "action_id": action_id,
        "value": value,
        "confirm": confirm,
    }


def _confirm(title: str, text: str, yes: str) -> Block:
    """A Slack confirm dialog (plain text: nothing in it is parsed) within its length limits."""
    return {
        "title": {"type": "plain_text", "text": clip(title, 100)},
        "text": {"type": "plain_text", "text": clip(text, 300)},
        "confirm": {"type": "plain_text", "text": clip(yes, 30)},
        "deny": {"type": "plain_text", "text": "Cancel"},
        "style": "danger",
    }
