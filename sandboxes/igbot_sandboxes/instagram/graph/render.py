"""Render graph-world objects as Graph API JSON, honouring the requested ``fields``.

Nodes answer the requested fields in order and always ``id`` (last when not asked for), as Facebook
does.  Every node is strict, as Graph is: a field the node type does not offer is
``(#100) Tried accessing nonexisting field (<field>) on node type (<type>)``, code 100, HTTP 400.  The
type names are Graph's: ``ShadowIGMedia`` [observed in real answers], ``ShadowIGUser``,
``ShadowIGComment`` (the type names of Graph's metadata for IG users and comments), ``ShadowIGHashtag``
[sandbox's guess by analogy], ``Page`` and ``User``.  URLs are absolute on ``base`` (the sandbox as the
client reached it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.graph.errors import nonexisting_field
from igbot_sandboxes.instagram.graph.fields import FieldSpec
from igbot_sandboxes.instagram.graph.paging import cut, paging, parse_limit
from igbot_sandboxes.instagram.graph.world import (
    VIDEO,
    FacebookUser,
    GraphMedia,
    GraphWorld,
    Page,
    ProAccount,
)

GRAPH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
MEDIA_FIELDS = frozenset(
    {
        "id",
        "caption",
        "media_type",
        "media_url",
        "permalink",
        "thumbnail_url",
        "timestamp",
        "like_count",
        "comments_count",
        "username",
        "shortcode",
        "media_product_type",
        "is_comment_enabled",
        "owner",
    }
)
# Hashtag media cannot be asked for username (nor the owner, thumbnail or shortcode)
HASHTAG_MEDIA_FIELDS = MEDIA_FIELDS - {
    "username",
    "owner",
    "thumbnail_url",
    "shortcode",
    "is_comment_enabled",
}
DISCOVERY_FIELDS = frozenset(
    {
        "id",
        "username",
        "name",
        "biography",
        "website",
        "followers_count",
        "follows_count",
        "media_count",
        "profile_picture_url",
        "media",
    }
)
PAGE_FIELDS = frozenset({"id", "name", "category", "tasks", "access_token", "instagram_business_account"})
FB_USER_FIELDS = frozenset({"id", "name"})
MEDIA_TYPE = "ShadowIGMedia"
USER_TYPE = "ShadowIGUser"
COMMENT_TYPE = "ShadowIGComment"
HASHTAG_TYPE = "ShadowIGHashtag"
EXPANDED_USER_FIELDS = frozenset({"business_discovery", "mentioned_media", "mentioned_comment"})
IG_USER_FIELDS = DISCOVERY_FIELDS | {"ig_id"} | EXPANDED_USER_FIELDS
NESTED_MEDIA_LIMIT = (25, 100)  # default and maximum of media.limit(n)
_ID = (FieldSpec("id"),)
_MISSING = object()


def graph_time(timestamp: int) -> str:
    """``2024-08-31T18:10:00+0000``."""
    return time.strftime(GRAPH_TIME_FORMAT, time.gmtime(timestamp))


@dataclass(frozen=True)
class Renderer:
    """Renders nodes of ``world`` with absolute URLs on ``base``; ``live_comments`` (media id -> how
    many comments the live comment store holds for it) adds to the seeded ``comments_count``."""

    base: str
    world: GraphWorld
    live_comments: Callable[[str], int] | None = None

    def picture_url(self, item: GraphMedia) -> str:
        """The picture (a video's cover) of a media."""
        return f"{self.base}/media/{item.picture_key}/standard_resolution.png"

    def avatar_url(self, account: ProAccount) -> str:
        """The profile picture of a professional account."""
        return f"{self.base}/avatars/{account.id}.png"

    def _media_value(self, item: GraphMedia, name: str) -> Any:
        is_video = item.media_type == VIDEO
        if name == "media_url":
            if not item.has_media_url:
                return _MISSING
            if is_video:
                return f"{self.base}/media/{item.picture_key}/video_standard_resolution.mp4"
            return self.picture_url(item)
        values: dict[str, Callable[[], Any]] = {
            "id": lambda: item.id,
            "caption": lambda: item.caption if item.caption is not None else _MISSING,
            "media_type": lambda: item.media_type,
            "permalink": lambda: f"{self.base}/p/{item.shortcode}/",
            "thumbnail_url": lambda: self.picture_url(item) if is_video else _MISSING,
            "timestamp": lambda: graph_time(item.timestamp),
            "like_count": lambda: item.like_count,
            "comments_count": lambda: (
                item.comments_count + (self.live_comments(item.id) if self.live_comments else 0)
            ),
            "username": lambda: item.owner_username,
            "shortcode": lambda: item.shortcode,
            "media_product_type": lambda: "REELS" if is_video else "FEED",
            "is_comment_enabled": lambda: True,
            "owner": lambda: {"id": item.owner_id},
        }
        return values[name]()

    def media(
        self, item: GraphMedia, specs: tuple[FieldSpec, ...], allowed: Collection[str] = MEDIA_FIELDS
    ) -> dict[str, Any]:
        """An IG Media node.

        Raises:
            GraphError: a field not in ``allowed`` (code 100).
        """
        out: dict[str, Any] = {}
        for spec in strict(specs or _ID, allowed, MEDIA_TYPE):
            value = self._media_value(item, spec.name)
            if value is not _MISSING:
                out[spec.name] = value
        out.setdefault("id", item.id)
        return out

    def media_edge(self, items: list[GraphMedia], spec: FieldSpec) -> dict[str, Any]:
        """A nested ``media.limit(n){...}`` edge: ``{"data": [...], "paging": {"cursors": ...}}``."""
        limit = parse_limit(spec.arg("limit"), *NESTED_MEDIA_LIMIT)
        page = cut(items, limit, spec.arg("after"), spec.arg("before"))
        out: dict[str, Any] = {"data": [self.media(m, spec.children or ()) for m in page.items]}
        links = paging(page)
        if links is not None:
            out["paging"] = links
        return out

    def ig_user(
        self,
        account: ProAccount,
        specs: tuple[FieldSpec, ...],
        allowed: Collection[str] = IG_USER_FIELDS,
        discover: Callable[[FieldSpec], dict[str, Any]] | None = None,
        expand: Mapping[str, Callable[[FieldSpec], dict[str, Any]]] | None = None,
    ) -> dict[str, Any]:
        """An IG User node; ``business_discovery`` is delegated to ``discover``, ``mentioned_media`` and
        ``mentioned_comment`` to ``expand`` (by field name).

        Raises:
            GraphError: a field not in ``allowed`` (code 100), or whatever the delegates raise.
        """
        delegates: dict[str, Callable[[FieldSpec], dict[str, Any]]] = dict(expand or {})
        if discover is not None:
            delegates["business_discovery"] = discover
        media = self.world.media_of(account.id)
        scalars: dict[str, Any] = {
            "id": account.id,
            "ig_id": int(account.id[-10:]),
            "username": account.username,
            "name": account.name,
            "biography": account.biography,
            "website": account.website,
            "followers_count": account.followers_count,
            "follows_count": account.follows_count,
            "media_count": len(media),
            "profile_picture_url": self.avatar_url(account),
        }
        out: dict[str, Any] = {}
        for spec in strict(specs or _ID, allowed, USER_TYPE):
            if spec.name == "media":
                out["media"] = self.media_edge(media, spec)
            elif spec.name in EXPANDED_USER_FIELDS:
                if spec.name not in delegates:
                    raise nonexisting_field(spec.name, USER_TYPE)
                out[spec.name] = delegates[spec.name](spec)
            elif spec.name != "website" or account.website:
                out[spec.name] = scalars[spec.name]
        out.setdefault("id", account.id)
        return out

    def page(
        self, page: Page, specs: tuple[FieldSpec, ...], page_token: Callable[[Page], str] | None = None
    ) -> dict[str, Any]:
        """A Facebook Page as ``me/accounts`` lists it; ``access_token`` (a Page access token) when asked
        for and ``page_token`` makes one.

        Raises:
            GraphError: a field not in `PAGE_FIELDS` (code 100).
        """
        wanted = specs or (FieldSpec("category"), FieldSpec("name"), FieldSpec("tasks"))
        out: dict[str, Any] = {}
        for spec in strict(wanted, PAGE_FIELDS, "Page"):
            if spec.name in ("id", "name", "category"):
                out[spec.name] = getattr(page, spec.name)
            elif spec.name == "access_token" and page_token is not None:
                out["access_token"] = page_token(page)
            elif spec.name == "tasks":
                out["tasks"] = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
            elif spec.name == "instagram_business_account" and page.ig_account_id:
                account = self.world.account_by_id(page.ig_account_id)
                if account is not None:
                    children = spec.children or _ID
                    out[spec.name] = self.ig_user(account, children, DISCOVERY_FIELDS)
        out.setdefault("id", page.id)
        return out

    def fb_user(self, user: FacebookUser, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
        """The ``/me`` node of a Facebook user (``id`` and ``name``).

        Raises:
            GraphError: any other field (code 100).
        """
        out: dict[str, Any] = {}
        for spec in strict(specs or (FieldSpec("name"),), FB_USER_FIELDS, "User"):
            out[spec.name] = getattr(user, spec.name)
        out.setdefault("id", user.id)
        return out

    def hashtag(self, hashtag_id: str, tag: str, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
        """An IG Hashtag node (``id``, ``name``).

        Raises:
            GraphError: any other field (code 100).
        """
        out: dict[str, Any] = {}
        for spec in strict(specs or _ID, ("id", "name"), HASHTAG_TYPE):
            out[spec.name] = hashtag_id if spec.name == "id" else tag
        out.setdefault("id", hashtag_id)
        return out


def strict(specs: tuple[FieldSpec, ...], allowed: Collection[str], node_type: str) -> list[FieldSpec]:
    """``specs`` without repeats; every name must be in ``allowed``.

    Raises:
        GraphError: code 100 naming the first unknown field.
    """
    seen: dict[str, FieldSpec] = {}
    for spec in specs:
        if spec.name not in allowed:
            raise nonexisting_field(spec.name, node_type)
        seen.setdefault(spec.name, spec)
    return list(seen.values())
