"""What the inbox looks like in Slack: a comment or mention with its buttons, the notes recorded in its
thread, and the Reply modal. Pure functions; every text from Instagram goes through `escape`."""

from __future__ import annotations

import json
import re

from bot.slack.blocks import Block, Message, clip, context, escape, message, safe_url, section, web_url

REPLY_CALLBACK = "ig_inbox_reply"
REPLY_BLOCK = "reply"
REPLY_INPUT = "text"
MAX_REPLY = 2200  # Instagram's limit for a comment
ACTIONS = ("ig_inbox_reply", "ig_inbox_hide", "ig_inbox_unhide", "ig_inbox_delete")
STATES = {"hidden": "Hidden on Instagram", "deleted": "Deleted from Instagram"}
USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")  # an Instagram username: safe inside a profile URL


def _quote(text: str, limit: int = 1500) -> str:
    """Comment text as an inert mrkdwn quote (mentions, links and channel pings stay text)."""
    body = escape(clip(text.strip(), limit)) or "_(no text)_"
    return "\n".join("&gt; " + line for line in body.splitlines() or [body])


def _thumbnail(image_url: str) -> Block | None:
    usable = web_url(image_url)
    return {"type": "image", "image_url": usable, "alt_text": "the post"} if usable else None


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _delete_button(value: str) -> Block:
    button = _button("Delete", "ig_inbox_delete", value, style="danger")
    button["confirm"] = {
        "title": {"type": "plain_text", "text": "Delete this comment?"},
        "text": {
            "type": "mrkdwn",
            "text": "It is removed from Instagram for everyone. This cannot be undone.",
        },
        "confirm": {"type": "plain_text", "text": "Delete"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    return button


def comment_message(
    *,
    comment_id: str,
    account: str,
    username: str,
    text: str,
    link: str,
    image_url: str,
    kind: str = "comment",
    state: str = "shown",
    changed_by: str = "",
    can_hide: bool = True,
    reply_of: str = "",
) -> Message:
    """One comment (or a mention in a comment) with Reply / Hide / Delete; a hidden or deleted one says
    so and by whom. ``reply_of`` is the author of the comment this one answers, if any."""
    who = f"*@{escape(username)}*" if username else "Someone"
    url = safe_url(link)
    post = f"<{url}|post>" if url else "post"
    if kind == "mention":
        headline = f":speech_balloon: {who} mentioned *@{escape(account)}* in a comment on a {post}"
    elif reply_of:
        headline = f":speech_balloon: {who} replied to @{escape(reply_of)} on *@{escape(account)}*'s {post}"
    else:
        headline = f":speech_balloon: {who} commented on *@{escape(account)}*'s {post}"
    blocks: list[Block] = [section(f"{headline}\n{_quote(text)}", _thumbnail(image_url))]
    if state in STATES:
        note = STATES[state] + (f" by <@{changed_by}>" if changed_by else "")
        blocks.append(context(f":no_entry_sign: {note}" if state == "deleted" else f":see_no_evil: {note}"))
    value = json.dumps({"c": comment_id}, separators=(",", ":"))
    buttons: list[Block] = []
    if kind == "mention" and state == "shown":  # someone else's comment: answered, never moderated
        buttons.append(_button("Reply", "ig_inbox_reply", value, style="primary"))
    if state != "deleted" and kind == "comment":
        if state == "shown":
            buttons.append(_button("Reply", "ig_inbox_reply", value, style="primary"))
        if can_hide:
            hide = state == "hidden"
            buttons.append(
                _button("Unhide" if hide else "Hide", "ig_inbox_unhide" if hide else "ig_inbox_hide", value)
            )
        buttons.append(_delete_button(value))
    if buttons:
        blocks.append({"type": "actions", "block_id": f"inbox:{comment_id}"[:255], "elements": buttons})
    fallback = f"@{username or 'someone'} on @{account}: {clip(text, 200)}"
    return message(escape(fallback), blocks, in_channel=True)


def mention_message(
    *, account: str, username: str, caption: str, link: str, image_url: str, reply_id: str = ""
) -> Message:
    """A post whose caption mentions the account, with Reply when ``reply_id`` (what the mention is kept
    as) is given. Without a link to the post (Meta gives none for a mentioned post) its author's
    profile is linked instead."""
    who = f"*@{escape(username)}*" if username else "Someone"
    url = safe_url(link)
    post = f"<{url}|a post>" if url else "a post"
    if not url and USERNAME.fullmatch(username):
        post += f" (<https://www.instagram.com/{username}/|their profile>)"
    body = f":mega: {who} mentioned *@{escape(account)}* in {post}"
    if caption:
        body += "\n" + _quote(caption, 600)
    blocks: list[Block] = [section(body, _thumbnail(image_url))]
    if reply_id:
        value = json.dumps({"c": reply_id}, separators=(",", ":"))
        reply = _button("Reply", "ig_inbox_reply", value, style="primary")
        blocks.append({"type": "actions", "block_id": f"inbox:{reply_id}"[:255], "elements": [reply]})
    return message(escape(f"@{username or 'someone'} mentioned @{account}"), blocks, in_channel=True)


def thread_note(actor_id: str, verb: str, text: str = "") -> Message:
    """What someone did, recorded in the thread ("<@U> replied: ...", "hidden by <@U>")."""
    body = f"<@{actor_id}> {verb}:\n{_quote(text)}" if text else f"{verb.capitalize()} by <@{actor_id}>"
    return message(body, [context(body)], in_channel=True)


def reply_modal(comment_id: str, username: str, text: str, *, channel_id: str) -> dict[str, object]:
    """The Reply modal: the comment quoted, one text box; the comment travels in ``private_metadata``."""
    meta = json.dumps({"c": comment_id, "ch": channel_id}, separators=(",", ":"))
    who = f"*@{escape(username)}*" if username else "Someone"  # a mentioning comment has no author
    return {
        "type": "modal",
        "callback_id": REPLY_CALLBACK,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": "Reply on Instagram"},
        "submit": {"type": "plain_text", "text": "Reply"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"{who} wrote:\n{_quote(text, 1200)}"),
            {
                "type": "input",
                "block_id": REPLY_BLOCK,
                "label": {"type": "plain_text", "text": "Your reply (public on Instagram)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REPLY_INPUT,
                    "multiline": True,
                    "max_length": MAX_REPLY,
                },
            },
        ],
    }


def comment_of(value: str) -> str:
    """The comment id a button's ``value`` or a modal's ``private_metadata`` carries ("" if none)."""
    try:
        decoded = json.loads(value)
    except (ValueError, TypeError, RecursionError):
        return ""
    found = decoded.get("c") if isinstance(decoded, dict) else None
    return found if isinstance(found, str) and found.isalnum() and len(found) <= 64 else ""
