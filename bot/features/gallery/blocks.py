"""A gallery posted into a channel (`/ig popular`, `/ig recent`). Pure functions."""

from __future__ import annotations

from bot.instagram.models import Media
from bot.slack.blocks import Block, Message, clip, context, escape, image_block, message, safe_url, section

MAX_GALLERY_POSTS = 24  # 1 headline + 2 blocks per post stays under Slack's 50 blocks per message


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
        image = image_block(item.image_url, alt)
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
