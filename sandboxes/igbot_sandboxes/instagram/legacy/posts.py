"""New v1 posts made through the controls (``POST /__sandbox__/media``, `InstagramSandbox.add_media`).

A new post gets what a real one had: an id ``<pk>_<owner id>`` whose pk encodes the time as
Instagram's ids do (ms since Instagram's epoch << 23, shard, sequence), always above every older pk so
it sorts first and ``max_id``/``min_id`` cursors keep working; ``created_time`` now (the sandbox
clock); a shortcode and permalink; a picture the sandbox serves under ``/media/<id>/<size>.png`` like
the seeded ones.  Tags are the caption's hashtags (Instagram derived them from the caption): tags given
separately that the caption lacks are appended to it as ``#tag``.  The place is a seeded location
(``location_id``, rendered with its real coordinates) or a bare geotag (``lat``/``lng``, rendered
``{"id": null, "name": null, "latitude", "longitude"}`` as in python-instagram's media.json fixture).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.legacy.geo import valid_point
from igbot_sandboxes.instagram.legacy.seeding import hashtags, shortcode_for
from igbot_sandboxes.instagram.legacy.world import Comment, Media, World

IG_EPOCH_MS = 1314220021721
CAPTION_ID_BASE = 18_000_000_000  # seeded comment ids stay below this
MAX_CAPTION = 2200
_TAG = re.compile(r"\w{1,100}")


@dataclass(frozen=True)
class NewPost:
    """What a control asks for; `build_media` makes the `Media`."""

    username: str
    caption: str | None = None
    tags: tuple[str, ...] = ()
    location_id: str | None = None
    lat: float | None = None
    lng: float | None = None
    is_video: bool = False


def normalise_tags(raw: Iterable[Any]) -> tuple[str, ...]:
    """Tags without ``#``, lower-cased, in order, without repeats.

    Raises:
        ValueError: a tag that is not a string of letters, digits and ``_``.
    """
    out: dict[str, None] = {}
    for value in raw:
        if not isinstance(value, str) or not _TAG.fullmatch(value.strip().lstrip("#")):
            raise ValueError(f"not a hashtag: {value!r}")
        out.setdefault(value.strip().lstrip("#").lower(), None)
    return tuple(out)


def caption_and_tags(caption: str | None, extra: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The caption with missing tags appended, and all its tags (caption's first)."""
    found = hashtags(caption or "")
    missing = [t for t in extra if t not in found]
    if not missing:
        return caption, found
    text = " ".join(part for part in ((caption or "").rstrip(), *(f"#{t}" for t in missing)) if part)
    return text, found + tuple(missing)


def _number(body: Mapping[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{key} must be a number")
    return float(value)


def post_from_json(body: Mapping[str, Any]) -> NewPost:
    """A `NewPost` from the control's JSON body.

    Raises:
        ValueError, TypeError: missing username or malformed fields.
    """
    username = body.get("username")
    if not isinstance(username, str) or not username.strip():
        raise ValueError("username is required")
    caption = body.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise ValueError("caption must be a string")
    tags = body.get("tags") or []
    if not isinstance(tags, list):
        raise ValueError("tags must be a list of strings")
    location_id = body.get("location_id")
    return NewPost(
        username=username.strip().lstrip("@"),
        caption=caption or None,
        tags=normalise_tags(tags),
        location_id=None if location_id in (None, "") else str(location_id),
        lat=_number(body, "lat"),
        lng=_number(body, "lng"),
        is_video=bool(body.get("is_video", False)),
    )


def _check_place(world: World, post: NewPost) -> None:
    if post.location_id is not None:
        if post.lat is not None or post.lng is not None:
            raise ValueError("give location_id or lat/lng, not both")
        if world.location_by_id(post.location_id) is None:
            raise ValueError(f"no location {post.location_id!r} (see GET /v1/locations/search)")
    elif (post.lat is None) != (post.lng is None):
        raise ValueError("lat and lng must be given together")
    elif post.lat is not None and post.lng is not None and not valid_point(post.lat, post.lng):
        raise ValueError("lat must be -90..90 and lng -180..180")


def build_media(world: World, post: NewPost, now: float, seq: int) -> Media:
    """The new post as the newest media of ``world`` (``seq`` counts the sandbox's added posts).

    Raises:
        LookupError: no such user.
        ValueError: an unknown location, half a point, or a caption over 2200 characters.
    """
    owner = world.user_by_username(post.username)
    if owner is None:
        raise LookupError(f"no sandbox user named {post.username!r}")
    _check_place(world, post)
    text, tags = caption_and_tags(post.caption, post.tags)
    if text is not None and len(text) > MAX_CAPTION:
        raise ValueError(f"caption over {MAX_CAPTION} characters")
    created = int(now)
    pk = ((created * 1000 - IG_EPOCH_MS) << 23) | ((int(owner.id) % 2000) << 10) | (seq % 1024)
    if world.media:
        pk = max(pk, world.media[0].pk + 1)  # newest first: the first has the highest pk
    caption = Comment(str(CAPTION_ID_BASE + seq), text, created, owner.id) if text else None
    kind = "video" if post.is_video else "image"
    return Media(
        id=f"{pk}_{owner.id}",
        pk=pk,
        shortcode=shortcode_for(pk),
        owner_id=owner.id,
        kind=kind,
        created_time=created,
        caption=caption,
        tags=tags,
        location_id=post.location_id,
        filter="Normal",
        theme="sandbox",
        likes_count=0,
        liker_ids=(),
        comments=(),
        users_in_photo=(),
        latitude=post.lat if post.location_id is None else None,
        longitude=post.lng if post.location_id is None else None,
    )
