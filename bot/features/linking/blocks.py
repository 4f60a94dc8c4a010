"""What the person reads when a link is made. Pure functions."""

from __future__ import annotations

from bot.slack.blocks import Message, clip, escape, message


def connected(slack_user_id: str, ig_username: str, resume: str | None = None) -> Message:
    """Confirmation after linking, naming both sides (and the command igbot now finishes)."""
    who = escape(ig_username)
    text = (
        f":white_check_mark: Connected as @{who}: Slack user <@{slack_user_id}> is now linked to "
        f"Instagram account *@{who}*. If that's not you, run `/ig logout`."
    )
    if resume:
        text += f" Now finishing `/ig {escape(clip(resume, 200))}` for you…"
    return message(text)
