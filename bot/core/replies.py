"""The words igbot says: short, friendly, and each tells the user what to do next."""

from __future__ import annotations

from bot.slack.blocks import Message, escape, message

NOT_INSTALLED = (
    "igbot isn't installed in this workspace (any more). Ask someone to add it again from igbot's "
    "install page; nothing was run."
)
STORAGE_DOWN = (
    "igbot can't reach its storage right now, so nothing was changed. Please try again in a minute."
)
INSTAGRAM_DOWN = "Instagram didn't answer; nothing was changed. Please try again in a minute."
NOT_ALLOWED = (
    "Instagram won't show that account to you (it may be private). Check the name, or follow them on "
    "Instagram first."
)
UNEXPECTED = (
    "Sorry, something went wrong on igbot's side and nothing was changed. Try again, or give your "
    "admin the reference `{ref}`."
)
NOT_LINKED = "You haven't connected an Instagram account yet."
EXPIRED = "Your Instagram connection has expired, so igbot forgot it. Connect again to continue."
NEEDS_PERMISSION = "Your Instagram connection is missing a permission igbot needs. Connect again to grant it."
UNCONFIRMED = (
    "Instagram didn't confirm in time, so it may or may not have happened. "
    "Check with `/ig user {username}` before trying again."
)
UNSUPPORTED = "This Instagram API can't do that. Run `/ig help` to see what igbot can do here."
POPULAR_NEEDS_TAG = "On today's Instagram API, `/ig popular` needs a hashtag: try `/ig popular #travel 3`."
STORAGE_UNSURE = (
    "igbot's storage stopped answering while taking your command, so it may or may not run. "
    "If you get no answer in a minute, try again."
)
CANNOT_FINISH = "igbot couldn't finish that command. Please type it again."
BUSY = "igbot is busy right now and didn't start that. Please try again in a minute."
NEEDS_LINK = "To run `/ig {command}`, connect your Instagram account first; igbot will finish it right after."
RELINKED_MEANWHILE = (
    "Instagram refused igbot's previous connection, but you've connected again since, so igbot kept the "
    "new one. Please run the command again."
)
APP_FEATURE_MISSING = (
    "Instagram won't let this igbot app search hashtags: the app needs Meta's *{feature}* feature "
    "(App Review). Your connection is fine; please ask whoever runs igbot to enable it."
)


def usage(text: str) -> Message:
    """A private one-line usage hint."""
    return message(text)


def rate_limited(minutes: int) -> Message:
    """Instagram said to slow down."""
    when = "about a minute" if minutes <= 1 else f"about {minutes} minutes"
    return message(f"Instagram is limiting requests; try again in {when}. Nothing was changed.")


def not_found(username: str, hint: str = "") -> Message:
    """No such account (``hint``: what the configured API can and cannot look up)."""
    text = f"No Instagram account named @{escape(username)}. Check the spelling and try again."
    return message(f"{text} {hint}".strip())


def logged_out(ig_username: str | None) -> Message:
    """After /ig logout."""
    if ig_username is None:
        return message("You weren't connected to Instagram, so there was nothing to forget.")
    return message(
        f"Done: igbot forgot your Instagram connection to @{escape(ig_username)} and deleted its token. "
        "Run `/ig login` whenever you want to connect again."
    )


def me(slack_user_id: str, ig_username: str, linked_at: int) -> Message:
    """Which account is linked."""
    return message(
        f"Slack user <@{slack_user_id}> is connected to Instagram account *@{escape(ig_username)}* "
        f"(since <!date^{linked_at}^{{date_short}}|{linked_at}>). Run `/ig logout` to disconnect."
    )


def plain(text: str) -> Message:
    """A private message with just text."""
    return message(text)


def hashtag_budget(remaining: int, limit: int, days: int) -> Message:
    """How many new hashtags the account may still search."""
    return message(f"You can search {remaining} more new hashtags; Instagram allows {limit} per {days} days.")


def hashtag_refused(limit: int, days: int, frees_in_seconds: int) -> Message:
    """The hashtag limit is used up."""
    when = max(1, round(frees_in_seconds / 86400))
    unit = "day" if when == 1 else "days"
    return message(
        f"You've searched {limit} different hashtags in the last {days} days, the most Instagram allows; "
        f"0 left. The next one frees up in about {when} {unit}. Hashtags you already searched still work."
    )


def hashtag_limit_reached(tag: str, limit: int, days: int) -> Message:
    """Instagram itself refused a new hashtag: the account's limit is used up, outside igbot too."""
    return message(
        f"Instagram refused #{escape(tag)}: this account has already searched {limit} different hashtags "
        f"in the last {days} days, the most Instagram allows (searches made outside igbot count too). "
        "Hashtags it already searched still work; new ones free up within a week."
    )


def hashtag_missing(tag: str) -> Message:
    """Instagram says there is no such hashtag (the search counted for nothing)."""
    return message(
        f"No hashtag #{escape(tag)} on Instagram. Check the spelling or try another hashtag; "
        "this search didn't count against your account's weekly hashtags."
    )


def hashtag_not_searchable(tag: str) -> Message:
    """Instagram refused a hashtag although the account's weekly limit is not reached."""
    return message(
        f"Instagram won't search #{escape(tag)} (it refuses some hashtags, sensitive ones for example). "
        "Try another hashtag."
    )


def expiry_reminder(ig_username: str, days: int) -> Message:
    """A note that the connection expires soon, for a message that carries no button."""
    when = "today" if days <= 0 else ("tomorrow" if days == 1 else f"in {days} days")
    who = f" to @{escape(ig_username)}" if ig_username else ""
    return message(
        f":hourglass: Your Instagram connection{who} expires {when}. "
        "Run `/ig login` to connect again and keep igbot working for you."
    )


def expiring(days: int) -> str:
    """Why the relink button is shown to someone whose token expires soon (mrkdwn)."""
    when = "today" if days <= 0 else ("tomorrow" if days == 1 else f"in {days} days")
    return f"Your Instagram connection expires {when}. Connect again to keep igbot working for you:"
