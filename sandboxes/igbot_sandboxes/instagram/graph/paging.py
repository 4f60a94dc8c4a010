"""Graph-style cursor paging: ``limit``, ``after``, ``before`` and the ``paging`` object.

Cursors are opaque base64 strings naming a position in the list.  ``paging`` has ``cursors.before`` /
``cursors.after`` and, for top-level edges, ``next`` / ``previous`` URLs (the request's absolute URL with
the cursor swapped, every other parameter kept, ``access_token`` included, and ``limit`` added when the
request had none, as Facebook does).  Empty pages have no ``paging``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from igbot_sandboxes.instagram.graph.errors import GraphError

T = TypeVar("T")
_PREFIX = "sandbox-cursor:"


def encode_cursor(index: int) -> str:
    """The opaque cursor of list position ``index``."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{index}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The list position a cursor names.

    Raises:
        GraphError: code 100 for a cursor the sandbox did not make.
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(_PREFIX):
            return max(0, int(text[len(_PREFIX) :]))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise GraphError(100, "(#100) The parameter after/before is not a valid cursor")


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    """``limit`` clamped to ``maximum``; absent gives ``default``.

    Raises:
        GraphError: code 100 for a limit that is not a positive integer.
    """
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise GraphError(100, "(#100) Param limit must be a number") from None
    if value <= 0:
        raise GraphError(100, "(#100) Param limit must be a positive number")
    return min(value, maximum)


@dataclass(frozen=True)
class Page:
    """One page of a list and where it starts."""

    items: list[Any]
    start: int
    total: int
    limit: int = 0  # the page size asked for (or the edge's default)


def cut(items: Sequence[T], limit: int, after: str | None, before: str | None) -> Page:
    """The page after ``after`` (or ending before ``before``, or the first one)."""
    if after:
        start = decode_cursor(after) + 1
    elif before:
        start = max(0, decode_cursor(before) - limit)
    else:
        start = 0
    end = min(len(items), start + limit)
    if before and not after:
        end = min(end, decode_cursor(before))
    return Page(list(items[start:end]), start, len(items), limit)


UrlFor = Callable[[str, str, int], str]


def paging(page: Page, url_for: UrlFor | None = None) -> dict[str, Any] | None:
    """The ``paging`` object of a page; ``url_for(key, cursor, limit)`` builds ``next``/``previous``."""
    if not page.items:
        return None
    first, last = page.start, page.start + len(page.items) - 1
    out: dict[str, Any] = {"cursors": {"before": encode_cursor(first), "after": encode_cursor(last)}}
    if url_for is not None:
        if first > 0:
            out["previous"] = url_for("before", encode_cursor(first), page.limit)
        if last + 1 < page.total:
            out["next"] = url_for("after", encode_cursor(last), page.limit)
    return out


def url_builder(base_url: str, args: Mapping[str, str]) -> UrlFor:
    """``url_for`` for `paging`: this request's URL with ``after``/``before`` replaced (and ``limit``
    added when the request had none)."""

    def url_for(key: str, cursor: str, limit: int) -> str:
        query = {k: v for k, v in args.items() if k not in ("after", "before")}
        if limit and not query.get("limit"):
            query["limit"] = str(limit)
        query[key] = cursor
        return f"{base_url}?{urlencode(query)}"

    return url_for
