"""New graph-mode posts made through the controls (``POST /__sandbox__/graph/media``,
`InstagramSandbox.add_graph_media`), and the graph copy of a public v1 post added with ``POST
/__sandbox__/media`` (personal accounts' public posts show in hashtag search, as seeded ones do).

A new post is the newest of its account: first in ``/{ig-user-id}/media`` and in Business Discovery's
``media`` edge (``business_discovery.username(bobs_bakery){media.limit(5){id,caption,media_url,
permalink,timestamp,username}}``), and, for each of its hashtags, in ``/{ig-hashtag-id}/recent_media``
(Meta's IG Hashtag Recent Media reference: the most recently published media with the hashtag, within
24 hours, at most 50 a page, no ``username`` field, only an ``after`` cursor).  Its ``timestamp`` is
now on the sandbox clock, likes and comments 0.  Hashtags are those of the caption (``#word``) plus
any given separately, which are appended to the caption; a hashtag no seeded post had gets its id
the same way seeded ones do (stable for a tag name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.graph.seeding import (
    HASHTAG_ID_BASE,
    IG_EPOCH_MS,
    MEDIA_ID_BASE,
    graph_tags,
    stable_id,
)
from igbot_sandboxes.instagram.graph.world import CAROUSEL, IMAGE, VIDEO, GraphMedia, GraphWorld, ProAccount
from igbot_sandboxes.instagram.legacy.posts import MAX_CAPTION, caption_and_tags, normalise_tags
from igbot_sandboxes.instagram.legacy.seeding import shortcode_for
from igbot_sandboxes.instagram.legacy.world import Media, User

MEDIA_TYPES = (IMAGE, VIDEO, CAROUSEL)


@dataclass(frozen=True)
class NewGraphPost:
    """What the graph control asks for."""

    account: str  # username or IG user id of a professional account
    caption: str | None = None
    hashtags: tuple[str, ...] = ()
    media_type: str = IMAGE


def graph_post_from_json(body: Mapping[str, Any]) -> NewGraphPost:
    """A `NewGraphPost` from the control's JSON body.

    Raises:
        ValueError: no account, a bad caption, hashtag list or media type.
    """
    account = body.get("account")
    if not isinstance(account, str | int) or not str(account).strip():
        raise ValueError("account (a professional account's username or id) is required")
    caption = body.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise ValueError("caption must be a string")
    tags = body.get("hashtags") or []
    if not isinstance(tags, list):
        raise ValueError("hashtags must be a list of strings")
    media_type = str(body.get("media_type") or IMAGE).upper()
    if media_type not in MEDIA_TYPES:
        raise ValueError(f"media_type must be one of {MEDIA_TYPES}")
    return NewGraphPost(str(account).strip().lstrip("@"), caption or None, normalise_tags(tags), media_type)


def build_graph_media(world: GraphWorld, account: ProAccount, post: NewGraphPost, now: float) -> GraphMedia:
    """The new post of ``account``.

    Raises:
        ValueError: a caption over 2200 characters.
    """
    text, tags = caption_and_tags(post.caption, post.hashtags)
    if text is not None and len(text) > MAX_CAPTION:
        raise ValueError(f"caption over {MAX_CAPTION} characters")
    created = int(now)
    sequence = len(world.media_of(account.id))
    pk = ((created * 1000 - IG_EPOCH_MS) << 23) | ((int(account.id) % 2000) << 10) | (sequence % 1024)
    taken = {m.id for m in world.media}
    shortcodes = {m.shortcode for m in world.media}
    while shortcode_for(pk) in shortcodes:
        pk += 1
    media_id = stable_id(f"pro:{account.username}:{pk}", MEDIA_ID_BASE, 10**14, taken)
    return GraphMedia(
        id=media_id,
        owner_id=account.id,
        owner_username=account.username,
        media_type=post.media_type,
        caption=text,
        timestamp=created,
        like_count=0,
        comments_count=0,
        tags=graph_tags(tags),
        shortcode=shortcode_for(pk),
        picture_key=media_id,
    )


def personal_copy(world: GraphWorld, item: Media, owner: User) -> GraphMedia:
    """How graph mode sees a public v1 post (only through hashtag search), as `graph.seeding` does."""
    return GraphMedia(
        id=stable_id(f"v1:{item.id}", MEDIA_ID_BASE, 10**14, {m.id for m in world.media}),
        owner_id=owner.id,
        owner_username=owner.username,
        media_type=VIDEO if item.is_video else IMAGE,
        caption=item.caption.text if item.caption else None,
        timestamp=item.created_time,
        like_count=item.likes_count,
        comments_count=len(item.comments),
        tags=graph_tags(item.tags),
        shortcode=item.shortcode,
        picture_key=item.id,
        professional=False,
    )


def with_media(world: GraphWorld, item: GraphMedia) -> GraphWorld:
    """A new graph world with ``item`` as the newest post (hashtag ids added for new tags)."""
    hashtag_ids = dict(world.hashtag_ids)
    taken = set(hashtag_ids.values())
    for tag in item.tags:
        if tag not in hashtag_ids:
            hashtag_ids[tag] = stable_id(f"tag:{tag}", HASHTAG_ID_BASE, 10**12, taken)
    return GraphWorld(
        fb_users=world.fb_users,
        pages=world.pages,
        accounts=world.accounts,
        media=[item, *world.media],
        hashtag_ids=hashtag_ids,
        personal_usernames=world.personal_usernames,
        page_roles=world.page_roles,
    )


def without_media(world: GraphWorld, media_id: str) -> GraphWorld:
    """A new graph world without the post ``media_id`` (a graph id, or the v1 id behind a personal
    account's post: its ``picture_key``), deleted by its owner; hashtags stay."""
    return GraphWorld(
        fb_users=world.fb_users,
        pages=world.pages,
        accounts=world.accounts,
        media=[m for m in world.media if media_id not in (m.id, m.picture_key)],
        hashtag_ids=world.hashtag_ids,
        personal_usernames=world.personal_usernames,
        page_roles=world.page_roles,
    )
