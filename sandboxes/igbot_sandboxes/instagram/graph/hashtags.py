"""Hashtag search: ``ig_hashtag_search``, a hashtag node, ``top_media``, ``recent_media`` and
``{ig-user-id}/recently_searched_hashtags``.

Each IG account may search 30 unique hashtags per rolling 7 days (`graph.limits.HashtagQuota`);
searches "made outside igbot" (control ``POST /__sandbox__/graph/hashtag_searches``) count and show in
``recently_searched_hashtags`` alike.  A hashtag that does not exist (here: one without public media)
is answered as Meta does [observed in a real answer]: code 24, subcode 2207024, "The requested resource
does not exist", ``error_user_title`` "Hashtag not found"; it is not counted.  Meta documents no code or
text for the 31st new hashtag, so the sandbox answers it with code 24 and no subcode and a message of
its own [sandbox's choice]: a client must tell the limit from its own count, never from this answer.
Hashtag media offer only id, caption, media_type, media_url,
permalink, timestamp, like_count, comments_count (and media_product_type): asking for ``username`` (or
``thumbnail_url``...) is error 100.  Pages hold at most 50 and carry only an ``after`` cursor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from igbot_sandboxes.instagram.graph.auth import GraphCaller, account_param, require_permission
from igbot_sandboxes.instagram.graph.errors import GraphError
from igbot_sandboxes.instagram.graph.fields import parse_fields
from igbot_sandboxes.instagram.graph.paging import UrlFor, cut, paging, parse_limit
from igbot_sandboxes.instagram.graph.render import HASHTAG_MEDIA_FIELDS, Renderer
from igbot_sandboxes.instagram.graph.state import GraphMode
from igbot_sandboxes.instagram.graph.world import ProAccount

HASHTAG_MISSING_SUBCODE = 2207024
HASHTAG_MISSING_MESSAGE = "The requested resource does not exist"
HASHTAG_MISSING_TITLE = "Hashtag not found"
HASHTAG_LIMIT_MESSAGE = "(#24) Hashtag search limit reached for this account"  # the sandbox's own words
HASHTAG_MEDIA_LIMIT = (25, 50)
RECENTLY_SEARCHED_LIMIT = (25, 30)
RECENT_SECONDS = 86400
_TAG = re.compile(r"\w+")


def normalise_tag(raw: str | None) -> str:
    """The tag of a ``q`` parameter: ``#`` and case dropped.

    Raises:
        GraphError: code 100 when missing, or not a hashtag (emoji, spaces, digits only).
    """
    if raw is None or not raw.strip():
        raise GraphError(100, "(#100) The parameter q is required")
    tag = raw.strip().lstrip("#").lower()
    if not _TAG.fullmatch(tag) or tag.isdigit():
        raise GraphError(100, f"(#100) Param q must be a valid hashtag, got {raw!r}")
    return tag


def search(mode: GraphMode, caller: GraphCaller, args: Mapping[str, str]) -> dict[str, Any]:
    """``GET /ig_hashtag_search?user_id&q``.

    Raises:
        GraphError: 10/100 for the parameters, 24/2207024 for a hashtag that does not exist, 24 without
        a subcode for the 31st new hashtag in 7 days.
    """
    require_permission(caller, "instagram_basic")
    account = account_param(mode, caller, args.get("user_id"))
    tag = normalise_tag(args.get("q"))
    hashtag_id = mode.world.hashtag_id(tag)
    if hashtag_id is None:
        raise GraphError(
            24, HASHTAG_MISSING_MESSAGE, subcode=HASHTAG_MISSING_SUBCODE, user_title=HASHTAG_MISSING_TITLE
        )
    if not mode.hashtags.search(account.id, tag):
        raise GraphError(24, HASHTAG_LIMIT_MESSAGE)
    return {"data": [{"id": hashtag_id}]}


def hashtag_edge(
    mode: GraphMode,
    caller: GraphCaller,
    render: Renderer,
    hashtag_id: str,
    edge: str | None,
    args: Mapping[str, str],
    url_for: UrlFor,
) -> dict[str, Any]:
    """``GET /{hashtag-id}`` and its ``top_media`` / ``recent_media`` edges.

    Raises:
        GraphError: permissions, ``user_id``, fields or unknown edges.
    """
    require_permission(caller, "instagram_basic")
    tag = mode.world.hashtag_by_id(hashtag_id)
    assert tag is not None
    specs = parse_fields(args.get("fields"))
    if edge is None:
        return render.hashtag(hashtag_id, tag, specs)
    if edge not in ("top_media", "recent_media"):
        raise GraphError(2500, f"Unknown path components: /{edge}")
    account_param(mode, caller, args.get("user_id"))
    items = mode.world.top_media(tag)
    if edge == "recent_media":
        since = mode.clock() - RECENT_SECONDS
        items = sorted((m for m in items if m.timestamp >= since), key=lambda m: (-m.timestamp, m.id))
    limit = parse_limit(args.get("limit"), *HASHTAG_MEDIA_LIMIT)
    page = cut(items, limit, args.get("after"), args.get("before"))
    out: dict[str, Any] = {"data": [render.media(m, specs, HASHTAG_MEDIA_FIELDS) for m in page.items]}
    links = paging(page, url_for)
    if links is not None:  # these edges give only an "after" cursor, never "before"
        links["cursors"].pop("before", None)
        links.pop("previous", None)
        out["paging"] = links
    return out


def recently_searched(
    mode: GraphMode, account: ProAccount, render: Renderer, args: Mapping[str, str], url_for: UrlFor
) -> dict[str, Any]:
    """``GET /{ig-user-id}/recently_searched_hashtags``: the IG Hashtags counting against the account's
    30-per-7-days quota now (searched through igbot or, via the ``graph/hashtag_searches`` control,
    elsewhere), most recently first searched first.

    As Meta documents it: ``{"data": [{"id": "17841562906103814"}, ...]}``, 25 a page by default,
    ``limit`` up to 30; ``fields`` may ask for ``id`` and ``name`` (IG Hashtag fields).  Pages carry the
    usual ``paging`` object (cursors, and ``next`` while more remain).

    Raises:
        GraphError: code 100 for a bad ``limit``, cursor or field.
    """
    specs = parse_fields(args.get("fields"))
    limit = parse_limit(args.get("limit"), *RECENTLY_SEARCHED_LIMIT)
    found = [(tag, mode.world.hashtag_id(tag)) for tag in mode.hashtags.recent(account.id)]
    known = [(tag, hashtag_id) for tag, hashtag_id in found if hashtag_id is not None]
    page = cut(known, limit, args.get("after"), args.get("before"))
    out: dict[str, Any] = {"data": [render.hashtag(hashtag_id, tag, specs) for tag, hashtag_id in page.items]}
    links = paging(page, url_for)
    if links is not None:
        out["paging"] = links
    return out
