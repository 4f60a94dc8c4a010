"""A channel feed's posts in Slack. Pure functions."""

from __future__ import annotations

from bot.instagram.models import Media
from bot.slack.blocks import Block, Message, clip, context, escape, image_block, message, safe_url, section


def feed_post(item: Media, label: str) -> Message:
    """One new post of a channel feed (chat.postMessage): author, caption, the picture and its link."""
    author = escape(item.author) if item.author else "someone"
    link = safe_url(item.link)
    caption = escape(clip(item.caption, 600)) if item.caption else ""
    headline = f":camera_with_flash: *@{author}* posted on Instagram" + (
        f" ({escape(label)})" if label else ""
    )
    parts: list[Block] = [section(headline + (f"\n{caption}" if caption else ""))]
    image = image_block(item.image_url, item.caption or f"Instagram post by @{item.author}")
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
