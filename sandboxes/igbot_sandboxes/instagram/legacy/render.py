"""Render world objects as legacy API v1 JSON (the keys python-instagram's models read).

``base`` is the sandbox's own URL as the client reached it (e.g. ``http://127.0.0.1:51234``), so every
image and link URL is absolute and works whatever port the sandbox listens on.
"""

from __future__ import annotations

from typing import Any

from igbot_sandboxes.instagram.images import SIZES
from igbot_sandboxes.instagram.legacy.relationships import Relationship
from igbot_sandboxes.instagram.legacy.world import Comment, Location, Media, User, World

VIDEO_SIZES = {"low_bandwidth": 480, "low_resolution": 480, "standard_resolution": 640}


def avatar_url(base: str, user: User) -> str:
    """Absolute URL of the user's profile picture."""
    return f"{base}/avatars/{user.id}.png"


def user_short(base: str, user: User) -> dict[str, Any]:
    """A user as in search results, media owners and commenters."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "profile_picture": avatar_url(base, user),
    }


def user_token(base: str, user: User) -> dict[str, Any]:
    """The ``user`` object of a token response."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "profile_picture": avatar_url(base, user),
        "bio": user.bio,
        "website": user.website,
    }


def user_full(base: str, user: User, media: int, follows: int, followed_by: int) -> dict[str, Any]:
    """A user as ``/users/{id}`` returns it, with ``counts``."""
    out = user_short(base, user)
    out.update(
        {
            "bio": user.bio,
            "website": user.website,
            "is_business": False,
            "counts": {"media": media, "follows": follows, "followed_by": followed_by},
        }
    )
    return out


def comment(base: str, world: World, item: Comment) -> dict[str, Any]:
    """A comment (or caption) object."""
    author = world.user_by_id(item.from_id)
    sender = (
        user_short(base, author) if author else {"id": item.from_id, "username": "", "profile_picture": ""}
    )
    sender["type"] = "user"
    return {"id": item.id, "text": item.text, "created_time": str(item.created_time), "from": sender}


def location(loc: Location) -> dict[str, Any]:
    """A location object."""
    return {"id": loc.id, "name": loc.name, "latitude": loc.latitude, "longitude": loc.longitude}


def media_location(world: World, item: Media) -> dict[str, Any] | None:
    """A media's ``location``: its place, a bare geotag (``id`` and ``name`` null, as in
    python-instagram's media.json fixture), or None."""
    loc = world.location_by_id(item.location_id) if item.location_id else None
    if loc is not None:
        return location(loc)
    if item.latitude is not None and item.longitude is not None:
        return {"id": None, "name": None, "latitude": item.latitude, "longitude": item.longitude}
    return None


def relationship(rel: Relationship) -> dict[str, Any]:
    """A relationship object."""
    return {
        "outgoing_status": rel.outgoing_status,
        "incoming_status": rel.incoming_status,
        "target_user_is_private": rel.target_user_is_private,
    }


def _images(base: str, item: Media) -> dict[str, Any]:
    return {
        name: {"url": f"{base}/media/{item.id}/{name}.png", "width": size, "height": size}
        for name, size in SIZES.items()
    }


def media(base: str, world: World, item: Media, viewer_id: str | None) -> dict[str, Any]:
    """A media object; ``user_has_liked`` only when called with a token (``viewer_id`` set)."""
    owner = world.user_by_id(item.owner_id)
    assert owner is not None
    likers = [u for u in (world.user_by_id(i) for i in item.liker_ids) if u is not None]
    tagged = []
    for tag in item.users_in_photo:
        person = world.user_by_id(tag.user_id)
        if person is not None:
            tagged.append({"user": user_short(base, person), "position": {"x": tag.x, "y": tag.y}})
    out: dict[str, Any] = {
        "id": item.id,
        "type": item.kind,
        "user": {**user_short(base, owner), "bio": owner.bio, "website": owner.website},
        "created_time": str(item.created_time),
        "link": f"{base}/p/{item.shortcode}/",
        "filter": item.filter,
        "tags": list(item.tags),
        "caption": comment(base, world, item.caption) if item.caption else None,
        "location": media_location(world, item),
        "likes": {"count": item.likes_count, "data": [user_short(base, u) for u in likers]},
        "comments": {"count": len(item.comments), "data": [comment(base, world, c) for c in item.comments]},
        "images": _images(base, item),
        "users_in_photo": tagged,
        "attribution": None,
    }
    if viewer_id is not None:
        out["user_has_liked"] = viewer_id in item.liker_ids
    if item.is_video:
        out["videos"] = {
            name: {"url": f"{base}/media/{item.id}/video_{name}.mp4", "width": size, "height": size}
            for name, size in VIDEO_SIZES.items()
        }
    return out
