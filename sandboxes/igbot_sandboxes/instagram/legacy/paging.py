"""Cursor pagination over newest-first media lists (``count``, ``max_id``/``min_id``, timestamps)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from igbot_sandboxes.instagram.legacy.envelope import APIError
from igbot_sandboxes.instagram.legacy.world import Media


def parse_count(args: Mapping[str, str], default: int, maximum: int) -> int:
    """``count`` clamped to 1..maximum; absent or unparsable gives ``default``."""
    try:
        count = int(args.get("count", default))
    except ValueError:
        return default
    return default if count <= 0 else min(count, maximum)


def _pk(raw: str, name: str) -> int:
    try:
        return int(raw.split("_", 1)[0])
    except ValueError:
        raise APIError("APIInvalidParametersError", f"invalid {name}") from None


def _timestamp(args: Mapping[str, str], name: str) -> int | None:
    if name not in args:
        return None
    try:
        return int(float(args[name]))
    except ValueError:
        raise APIError("APIInvalidParametersError", f"invalid {name}") from None


def filter_media(
    items: list[Media], args: Mapping[str, str], max_key: str = "max_id", min_key: str = "min_id"
) -> list[Media]:
    """Keep media older than ``max_key``, newer than ``min_key`` and inside the timestamp window."""
    out = items
    if args.get(max_key):
        upper = _pk(args[max_key], max_key)
        out = [m for m in out if m.pk < upper]
    if args.get(min_key):
        lower = _pk(args[min_key], min_key)
        out = [m for m in out if m.pk > lower]
    low, high = _timestamp(args, "min_timestamp"), _timestamp(args, "max_timestamp")
    if low is not None:
        out = [m for m in out if m.created_time >= low]
    if high is not None:
        out = [m for m in out if m.created_time <= high]
    return out


def paginate(
    items: list[Media],
    args: Mapping[str, str],
    base_url: str,
    *,
    default_count: int = 20,
    max_count: int = 33,
    max_key: str = "max_id",
    min_key: str = "min_id",
    cursor_keys: tuple[str, ...] = ("next_max_id",),
) -> tuple[list[Media], dict[str, Any]]:
    """One page of ``items`` (newest first) and its ``pagination`` object.

    When more media follow, pagination has ``next_url`` (this request with ``max_key`` moved on, every
    other parameter kept, as the real API did) and each of ``cursor_keys`` set to the cursor.
    """
    candidates = filter_media(items, args, max_key, min_key)
    count = parse_count(args, default_count, max_count)
    page = candidates[:count]
    pagination: dict[str, Any] = {}
    if len(candidates) > count:
        cursor = page[-1].id if max_key == "max_id" else str(page[-1].pk)
        query = {k: v for k, v in args.items() if k != max_key}
        query[max_key] = cursor
        pagination["next_url"] = f"{base_url}?{urlencode(query)}"
        for key in cursor_keys:
            pagination[key] = cursor
    return page, pagination
