"""How following looks in Slack: the confirmation of a follow, or the profile to open where the API
cannot follow. Pure functions."""

from __future__ import annotations

from bot.instagram.models import Account, FollowResult, FollowStatus
from bot.slack.blocks import Message, account_card, escape, link_button, message, section


def follow_result(result: FollowResult) -> Message:
    """The private confirmation of a follow or unfollow."""
    who = f"@{escape(result.account.username)}"
    headline = {
        FollowStatus.FOLLOWS: f":white_check_mark: You now follow {who} on Instagram.",
        FollowStatus.REQUESTED: f":hourglass_flowing_sand: {who} is private: your follow request was sent.",
        FollowStatus.NONE: f":wave: You no longer follow {who} on Instagram.",
    }[result.status]
    return account_card(result.account, headline)


def follow_unsupported(username: str, account: Account | None, profile_url: str) -> Message:
    """Today's API cannot follow: say so in one line and offer the profile on Instagram."""
    why = (
        f"Today's Instagram API doesn't let apps follow or unfollow, so igbot can't do it for you. "
        f"Open @{escape(username)}'s profile to do it on Instagram."
    )
    if account is not None:
        card = account_card(account, why)
        card["text"] = why
        return card
    button = link_button("Open profile", profile_url, "ig_open_profile", primary=True)
    return message(why, [section(why), {"type": "actions", "elements": [button]}])
