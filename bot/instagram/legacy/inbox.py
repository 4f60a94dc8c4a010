"""The inbox on API v1: no push for comments, so igbot reads the comments of the account's latest posts
on a schedule (``users/self/media/recent``, then ``media/{id}/comments``); a reply is a comment on the
post that names its author, a deletion ``DELETE media/{id}/comments/{id}``; v1 cannot hide comments."""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import quote

from bot.instagram import numbers
from bot.instagram.errors import InstagramError, NotAllowed, NotFound
from bot.instagram.legacy import parsing as parse
from bot.instagram.models import Comment, Credentials, InboxEvent, InboxItem, loggable_id

log = logging.getLogger(__name__)

MAX_COMMENTS_PER_POST = 150  # v1 answers at most this many of a post's comments


class _V1(Protocol):
    def _call(self, method: str, path: str, *, token: str | None, data: dict[str, str] | None = None,
              params: dict[str, str | int] | None = None) -> Any: ...  # fmt: skip


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def comment(item: dict[str, Any], media_id: str) -> Comment | None:
    """A v1 comment object; None without an id."""
    comment_id = str(item.get("id") or "")
    if not comment_id.isdigit():
        return None
    return Comment(
        id=comment_id,
        media_id=media_id,
        text=str(item.get("text") or ""),
        username=str(_dict(item.get("from")).get("username") or ""),
        posted_at=numbers.integer(item.get("created_time")) or 0,
    )


class LegacyInbox:
    """The inbox half of `bot.instagram.legacy.LegacyInstagram` (mixed into it)."""

    def enable_inbox(self, creds: Credentials) -> None:
        """Nothing to turn on: API v1 has no comment push, igbot reads on a schedule."""

    def inbox_events(self, body: object) -> list[InboxEvent]:
        """API v1 pushes no comments."""
        return []

    def inbox_item(self, creds: Credentials, event: InboxEvent) -> InboxItem | None:
        """API v1 pushes no comments, so there is nothing to read back."""
        return None

    def new_comments(self: _V1, creds: Credentials, posts: int) -> list[InboxItem]:
        """Comments by others on the account's latest ``posts`` posts, oldest first. A post whose comments
        Instagram will not show (deleted since the listing, or not allowed) is skipped with one log line;
        a refused token, a rate limit or Instagram being down ends the whole read (raised)."""
        recent = self._call("GET", "/users/self/media/recent", token=creds.token, params={"count": posts})
        found: list[InboxItem] = []
        for item in recent if isinstance(recent, list) else []:
            media = parse.media(_dict(item))
            owner = str(_dict(_dict(item).get("user")).get("id") or "")
            if media is None or not media.id:
                continue
            path = f"/media/{quote(media.id, safe='')}/comments"
            try:
                data = self._call("GET", path, token=creds.token)
            except (NotFound, NotAllowed) as exc:  # this post alone (deleted since the listing): go on
                log.info("inbox read: skipped post %s, Instagram would not show its comments (%s)",
                         loggable_id(media.id), type(exc).__name__)  # fmt: skip
                continue
            for raw in (data if isinstance(data, list) else [])[:MAX_COMMENTS_PER_POST]:
                found_comment = comment(_dict(raw), media.id)
                author = str(_dict(_dict(raw).get("from")).get("id") or "")
                if found_comment is not None and author != owner:
                    found.append(InboxItem("comment", media, found_comment))
        found.sort(
            key=lambda i: (i.comment.posted_at if i.comment else 0, int(i.comment.id) if i.comment else 0)
        )
        return found

    def reply_to_comment(self: _V1, creds: Credentials, comment: Comment, text: str) -> None:
        """A comment on the same post that starts with ``@author``."""
        body = f"@{comment.username} {text}" if comment.username else text
        path = f"/media/{quote(comment.media_id, safe='')}/comments"
        self._call("POST", path, token=creds.token, data={"text": body})

    def reply_to_mention(self, creds: Credentials, media_id: str, comment_id: str, text: str) -> None:
        """API v1 reports no mentions (no Capability.MENTIONS)."""
        raise InstagramError("API v1 has no mentions")

    def hide_comment(self, creds: Credentials, comment: Comment, hidden: bool) -> None:
        """API v1 cannot hide comments (no Capability.HIDE_COMMENTS)."""
        raise InstagramError("API v1 cannot hide comments")

    def delete_comment(self: _V1, creds: Credentials, comment: Comment) -> None:
        """``DELETE media/{media-id}/comments/{comment-id}``."""
        path = f"/media/{quote(comment.media_id, safe='')}/comments/{quote(comment.id, safe='')}"
        self._call("DELETE", path, token=creds.token)
