"""API data -> Block Kit: pure functions returning Slack message payloads (``text`` + ``blocks``)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from bot.instagram.models import Account, FollowResult, FollowStatus, Media
from bot.instagram.wording import AccountFacts

Message = dict[str, Any]
Block = dict[str, Any]

MAX_ALT_TEXT = 2000
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_URL = 3000  # image_url and button url
MAX_OPTIONS = 100  # options of one select menu
MAX_GALLERY_POSTS = 24  # 1 headline + 2 blocks per post stays under Slack's 50 blocks per message


def slack_date(when: int, style: str = "date_short") -> str:
    """``<!date^…>``: Slack shows it in the reader's time zone, in ``style`` (``date_short``,
    ``date_short_pretty``, …); the fallback text is the UTC date. Total for any number."""
    try:
        day = time.strftime("%Y-%m-%d", time.gmtime(when))
    except (OverflowError, OSError, ValueError):
        return "at an unknown date"
    return f"<!date^{when}^{{{style}}}|{day}>"


def escape(text: str) -> str:
    """Escape user-controlled text for mrkdwn (Slack's three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str) -> str | None:
    """``url`` if it can go inside mrkdwn's ``<url|label>`` unchanged: http(s) with a host, no ``|``,
    ``<``, ``>`` or white space (an answer from the API could otherwise smuggle a mention into a channel)."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("https", "http") or rest[:1] in ("", "/") or any(c in url for c in "|<> \t\n\r"):
        return None
    return url


def web_url(url: str) -> str | None:
    """``url`` if Slack can take it as an image or button URL (a `safe_url` of at most 3000 characters
    without control characters), else None: one bad URL from the API would make Slack refuse the whole
    message."""
    if safe_url(url) is None or len(url) > MAX_URL or not url.isprintable():
        return None
    return url


def section(text: str, accessory: Block | None = None) -> Block:
    """A mrkdwn section block."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*parts: str) -> Block:
    """A context block of mrkdwn parts (at most 10)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(p, 2000)} for p in parts[:10]]}


def link_button(text: str, url: str, action_id: str, *, primary: bool = False) -> Block:
    """A button that opens ``url`` in the browser."""
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, MAX_BUTTON_TEXT)},
        "url": url,
        "action_id": action_id,
    }
    if primary:
        button["style"] = "primary"
    return button


def message(text: str, blocks: Iterable[Block] | None = None, *, in_channel: bool = False) -> Message:
    """A message payload: ``text`` is the notification fallback and the whole message when no blocks."""
    payload: Message = {
        "text": clip(text, 3000),
        "response_type": "in_channel" if in_channel else "ephemeral",
    }
    if blocks is not None:
        payload["blocks"] = list(blocks)
    return payload


def _image(url: str, alt: str) -> Block | None:
    """An image block, or None when Slack could not show ``url`` (alt text must not be blank)."""
    usable = web_url(url)
    if usable is None:
        return None
    return {
        "type": "image",
        "image_url": usable,
        "alt_text": clip(alt.strip() or "Instagram picture", MAX_ALT_TEXT),
    }


def _handle(account: Account) -> str:
    name = f" ({escape(account.full_name)})" if account.full_name else ""
    handle = f"@{escape(account.username)}"
    url = safe_url(account.profile_url)
    return f"*<{url}|{handle}>*{name}" if url else f"*{handle}*{name}"


def login_prompt(url: str, reason: str) -> Message:
    """The private "Connect Instagram" button; ``reason`` says why it is needed (mrkdwn)."""
    return message(
        f"{reason} Connect Instagram: {url}",
        [
            section(reason),
            {
                "type": "actions",
                "elements": [link_button("Connect Instagram", url, "ig_connect", primary=True)],
            },
            context("The button works once, for 10 minutes. Instagram will ask you to approve igbot."),
        ],
    )


def account_card(account: Account, headline: str) -> Message:
    """A private profile card under ``headline`` (mrkdwn)."""
    facts = []
    if account.media_count is not None:
        facts.append(f"{account.media_count:,} posts")
    if account.followers is not None:
        facts.append(f"{account.followers:,} followers")
    if account.follows is not None:
        facts.append(f"{account.follows:,} following")
    if account.is_private:
        facts.append("private account")
    text = headline + f"\n{_handle(account)}"
    if account.bio:
        text += "\n" + escape(clip(account.bio, 500))
    blocks = [section(text, _image(account.picture_url, f"Profile picture of @{account.username}"))]
    if facts:
        blocks.append(context(" · ".join(facts)))
    profile_url = web_url(account.profile_url)
    if profile_url is not None:
        button = link_button("Open profile", profile_url, "ig_open_profile")
        blocks.append({"type": "actions", "elements": [button]})
    return message(f"{headline} @{escape(account.username)}", blocks)


def follow_result(result: FollowResult) -> Message:
    """The private confirmation of a follow or unfollow."""
    who = f"@{escape(result.account.username)}"
    headline = {
        FollowStatus.FOLLOWS: f":white_check_mark: You now follow {who} on Instagram.",
        FollowStatus.REQUESTED: f":hourglass_flowing_sand: {who} is private: your follow request was sent.",
        FollowStatus.NONE: f":wave: You no longer follow {who} on Instagram.",
    }[result.status]
    return account_card(result.account, headline)


def posts(count: int, kind: str = "") -> str:
    """``1 post``, ``3 popular Instagram posts``."""
    noun = "post" if count == 1 else "posts"
    return f"{count} {kind} {noun}" if kind else f"{count} {noun}"


def gallery(media: list[Media], headline: str) -> Message:
    """An in-channel gallery: ``headline`` (who asked, what), then an image and a caption line per post."""
    shown = media[:MAX_GALLERY_POSTS]
    blocks: list[Block] = [section(f":camera_with_flash: {headline}")]
    for item in shown:
        author = f"@{item.author}" if item.author else ""
        kind = "Video" if item.is_video else "Photo"
        alt = item.caption or f"Instagram {kind.lower()} {('by ' + author) if author else ''}".strip()
        image = _image(item.image_url, alt)
        if image is not None:
            blocks.append(image)
        parts = [f"*{escape(author)}*"] if author else []
        parts.append(f":heart: {item.likes:,}")
        if item.is_video:
            parts.append(":movie_camera: video: open it on Instagram to play")
        if item.caption:
            parts.append(escape(clip(item.caption, 200)))
        link = safe_url(item.link)
        if link:
            parts.append(f"<{link}|Open on Instagram>")
        blocks.append(context(" · ".join(parts)))
    return message(f"{headline}.", blocks, in_channel=True)


def account_picker(accounts: list[Account], resume: str | None, facts: AccountFacts) -> Message:
    """A private menu to pick one of several Instagram accounts; the command to finish rides along.

    With no account there is nothing to pick (and Slack refuses a menu without options): the message
    says why and what to do instead. The words are the backend's (``facts``: its Facebook Pages, if any).
    """
    if not accounts:
        return message(facts.nothing_to_pick)
    options = [
        {
            "text": {
                "type": "plain_text",
                "text": clip(f"@{a.username}" + (f" ({a.full_name})" if a.full_name else ""), 75),
            },
            "value": a.id,
        }
        for a in accounts[:MAX_OPTIONS]
    ]
    text = facts.pick_prompt
    return message(
        text,
        [
            section(text),
            {
                "type": "actions",
                "block_id": clip("pick:" + (resume or ""), 255),
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "ig_pick_account",
                        "placeholder": {"type": "plain_text", "text": "Choose an account"},
                        "options": options,
                    }
                ],
            },
        ],
    )


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


def feed_post(item: Media, label: str) -> Message:
    """One new post of a channel feed (chat.postMessage): author, caption, the picture and its link."""
    author = escape(item.author) if item.author else "someone"
    link = safe_url(item.link)
    caption = escape(clip(item.caption, 600)) if item.caption else ""
    headline = f":camera_with_flash: *@{author}* posted on Instagram" + (
        f" ({escape(label)})" if label else ""
    )
    parts: list[Block] = [section(headline + (f"\n{caption}" if caption else ""))]
    image = _image(item.image_url, item.caption or f"Instagram post by @{item.author}")
    if image is not None:
        parts.append(image)
    if link:
        parts.append(context(f"<{link}|Open on Instagram>"))
    return message(f"@{item.author or 'someone'} posted on Instagram ({label})", parts)


def feed_more(count: int, label: str, link: str) -> Message:
    """The line that sums up the posts a feed did not show one by one (it never floods a channel)."""
    url = safe_url(link)
    more = f"…and {count} more new {'post' if count == 1 else 'posts'} of {escape(label)}"
    text = more + (f": <{url}|the latest on Instagram>" if url else ".")
    return message(f"{count} more new posts of {label}", [context(text)])


def map_message(
    *, label: str, map_url: str, numbered: list[tuple[str, Media, str]], requester: str, missing_tiles: int
) -> Message:
    """`/ig map` in the channel: the map picture, then each photo with its pin's number.

    ``numbered`` holds (number as drawn on the map, the post, its place name)."""
    count = len(numbered)
    headline = (
        f":world_map: <@{requester}> mapped {count} Instagram {'photo' if count == 1 else 'photos'} "
        f"{escape(label)}"
    )
    parts: list[Block] = [section(headline)]
    image = _image(map_url, f"Map of {count} Instagram photos {label}")
    if image is not None:
        image["title"] = {"type": "plain_text", "text": clip(f"Photos {label}", 200)}
        parts.append(image)
    for number, item, place in numbered:
        author = f"@{escape(item.author)}" if item.author else "someone"
        where = f" · {escape(clip(place, 80))}" if place else ""
        link = safe_url(item.link)
        text = f"*{number}* · {author}{where}" + (f" · <{link}|Open on Instagram>" if link else "")
        thumb = web_url(item.image_url)
        accessory = {
            "type": "image",
            "image_url": thumb,
            "alt_text": clip(item.caption or "photo", 200) or "photo",
        }
        parts.append(section(text, accessory if thumb else None))
    if missing_tiles:
        parts.append(
            context(f":warning: {missing_tiles} map tiles could not be loaded; the map shows blanks there.")
        )
    return message(f"Map of {count} Instagram photos {label}", parts, in_channel=True)
