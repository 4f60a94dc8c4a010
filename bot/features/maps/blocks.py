"""`/ig map` in the channel as Block Kit. Pure functions."""

from __future__ import annotations

from bot.instagram.models import Media
from bot.slack.blocks import (
    Block,
    Message,
    clip,
    context,
    escape,
    image_block,
    message,
    safe_url,
    section,
    web_url,
)


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
    image = image_block(map_url, f"Map of {count} Instagram photos {label}")
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
