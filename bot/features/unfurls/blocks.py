"""Link previews (Slack's ``link_shared`` + ``chat.unfurl``) for Instagram post links: pure functions.

`post_shortcode` tells an Instagram post link from everything else; `post_card` and
`preview_unavailable_card` are the value ``chat.unfurl`` takes for one URL in ``unfurls``
(``{url: {"blocks": [...]}}``); `connect_prompt` is the ``user_auth_message`` / ``user_auth_blocks`` pair
for a sharer without a connected account. Everything Instagram users wrote is escaped
(`blocks.escape`) and every URL checked (`blocks.web_url`) before it reaches Slack.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from bot.instagram.errors import InstagramError, NotAllowed, RateLimited
from bot.instagram.models import Media, is_shortcode
from bot.slack.blocks import (
    MAX_ALT_TEXT,
    Block,
    clip,
    context,
    escape,
    link_button,
    safe_url,
    section,
    slack_date,
    web_url,
)

Unfurl = dict[str, Any]

INSTAGRAM_HOSTS = frozenset(
    {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"}
)
POST_KINDS = frozenset({"p", "reel", "tv"})  # /p/{code}/ posts, /reel/{code}/ reels, /tv/{code}/ IGTV
MAX_LINK = 2048  # longer "links" are not worth parsing
MAX_CAPTION = 400  # characters of a caption shown in a preview ...
MAX_CAPTION_LINES = 6  # ... and lines
OPEN_ACTION = "ig_open_post"  # link buttons igbot already acknowledges (bot/web/actions.py)
CONNECT_ACTION = "ig_connect"
PROFILE = "https://www.instagram.com/{}/"
_USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")

OWN_POSTS_ONLY = (
    "Instagram's API only lets igbot preview your own posts (those of the account you connected)."
)
PRIVATE_FOR_CHANNEL = (
    "This post is from a private account. You may see it, but everyone in the channel would see its "
    "preview, so igbot doesn't show it."
)
PRIVATE_POST = "This post is private, or its account doesn't let your Instagram account see it."
GONE = "Instagram has no such post: it may have been deleted."
LINK_ONCE = "The button works once, for 10 minutes. Instagram will ask you to approve igbot."
INSTAGRAM_DOWN = "Instagram didn't answer in time. Paste the link again later for a preview."
RATE_LIMITED = "Instagram is limiting requests right now. Paste the link again later for a preview."


def post_shortcode(url: str, *, also: Collection[str] = ()) -> str | None:
    """The shortcode of an Instagram post link, else None.

    Takes ``http(s)://`` links on Instagram's hosts (`INSTAGRAM_HOSTS`; ``also`` adds exact hosts such as
    the sandbox's ``127.0.0.1:8700``) to ``/p/{code}``, ``/reel/{code}`` or ``/tv/{code}``, also after a
    username (``/{username}/p/{code}/``, as Instagram shares them now), with or without the trailing
    slash, any query (``?igsh=…``, ``utm_*``) or fragment. Profiles, stories, explore pages, comment
    links, other hosts (``instagram.com.evil.com``), user info, ports, encoded paths and anything that
    isn't printable ASCII are None.
    """
    if len(url) > MAX_LINK or not url.isascii() or not url.isprintable() or " " in url or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    hosts = INSTAGRAM_HOSTS | {host.lower() for host in also}
    if parts.scheme.lower() not in ("http", "https") or parts.netloc.lower() not in hosts:
        return None
    path = parts.path
    if not path.startswith("/") or "%" in path:
        return None
    segments = path[1:].removesuffix("/").split("/")
    if len(segments) == 3 and _USERNAME.fullmatch(segments[0]):
        segments = segments[1:]  # /{username}/p/{code}/
    if len(segments) != 2 or segments[0] not in POST_KINDS or not is_shortcode(segments[1]):
        return None
    return segments[1]


def post_card(media: Media, url: str) -> Unfurl:
    """The preview of one post link: author, caption (trimmed), the picture when there is one, when it
    was posted and its likes when known, and an "Open on Instagram" button."""
    author = media.author if _USERNAME.fullmatch(media.author) else ""
    who = f"*<{PROFILE.format(author)}|@{author}>* on Instagram" if author else "A post on Instagram"
    caption = _caption(media.caption)
    text = f":camera_with_flash: {who}" + (f"\n{escape(caption)}" if caption else "")
    blocks: list[Block] = [section(text)]
    image = web_url(media.image_url)
    if image is not None:
        kind = "video" if media.is_video else "photo"
        alt = media.caption.strip() or f"Instagram {kind}" + (f" by @{author}" if author else "")
        blocks.append({"type": "image", "image_url": image, "alt_text": clip(alt, MAX_ALT_TEXT)})
    facts = []
    if media.posted_at > 0:
        facts.append(f"Posted {slack_date(media.posted_at)}")
    if media.likes > 0:
        facts.append(f":heart: {media.likes:,}")
    if media.is_video:
        facts.append(":movie_camera: video: open it on Instagram to play")
    if facts:
        blocks.append(context(" · ".join(facts)))
    blocks.extend(_open_button(web_url(media.link) or web_url(url)))
    return {"blocks": blocks}


def preview_unavailable_card(url: str, reason: str) -> Unfurl:
    """A minimal preview that says honestly why there is no picture (``reason``, plain text: escaped),
    with the "Open on Instagram" button."""
    blocks: list[Block] = [context(f":information_source: No preview: {escape(clip(reason, 500))}")]
    blocks.extend(_open_button(web_url(url)))
    return {"blocks": blocks}


def unavailable_reason(error: InstagramError | None, *, own_posts_only: bool) -> str:
    """What `preview_unavailable_card` says: why the post couldn't be shown. ``error`` is what the
    lookup raised (None when it found nothing); ``own_posts_only`` is true on a backend without
    Capability.PREVIEW_ANY_POST, where "nothing" means "not one of yours"."""
    if isinstance(error, NotAllowed):
        return PRIVATE_POST
    if isinstance(error, RateLimited):
        return RATE_LIMITED
    if error is not None:
        return INSTAGRAM_DOWN
    return OWN_POSTS_ONLY if own_posts_only else GONE


def connect_prompt(login_url: str, *, own_posts_only: bool = False) -> dict[str, Any]:
    """``user_auth_message`` and ``user_auth_blocks`` for ``chat.unfurl`` when the sharer hasn't connected
    Instagram: what connecting gives and a Connect button to ``login_url`` (igbot's login link)."""
    what = "links to your own Instagram posts" if own_posts_only else "the Instagram links you share"
    text = f"Connect your Instagram account and igbot will preview {what} right in Slack."
    blocks: list[Block] = [section(text)]
    url = web_url(login_url)
    if url is not None:
        button = link_button("Connect Instagram", url, CONNECT_ACTION, primary=True)
        blocks.append({"type": "actions", "elements": [button]})
        blocks.append(context(LINK_ONCE))
    return {"user_auth_message": text, "user_auth_blocks": blocks}


def _caption(caption: str) -> str:
    """At most `MAX_CAPTION_LINES` non-empty lines and `MAX_CAPTION` characters of ``caption``."""
    lines = [line.strip() for line in caption.strip().splitlines() if line.strip()]
    shown = "\n".join(lines[:MAX_CAPTION_LINES])
    if len(lines) > MAX_CAPTION_LINES:
        shown += " …"
    return clip(shown, MAX_CAPTION)


def _open_button(url: str | None) -> list[Block]:
    if url is None or safe_url(url) is None:
        return []
    return [{"type": "actions", "elements": [link_button("Open on Instagram", url, OPEN_ACTION)]}]
