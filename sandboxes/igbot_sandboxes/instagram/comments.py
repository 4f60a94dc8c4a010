"""The live comment store both APIs share (the worlds are frozen; comments change, so they live here).

A comment belongs to one API's media: ``api`` is ``"graph"`` (a professional account's post, id from
the graph world) or ``"v1"`` (a v1 post, id ``<pk>_<owner id>``).  A v1 post's seeded comments
(`legacy.world.Media.comments`) join the store the first time that post's comments are read or
changed (`import_seeded`), so they can be listed and deleted like new ones.  Deleted comments are
kept, marked ``deleted`` (the controls show them; the APIs answer as if they never existed); deleting
a comment deletes its replies.  ``POST /__sandbox__/reset`` empties the store; ids keep counting up
and are never reused.  Thread-safe.

Ids: graph comments ``17870000000000001`` and up (17 digits, like Instagram's), new v1 comments
``19000000001`` and up (seeded v1 comments are below 18000000000, captions of added posts 18...).
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from igbot_sandboxes.instagram.legacy.world import Comment

GRAPH_COMMENT_ID_BASE = 17_870_000_000_000_000
V1_COMMENT_ID_BASE = 19_000_000_000
APIS = ("graph", "v1")


@dataclass(frozen=True)
class StoredComment:
    """One comment (or reply, with ``parent_id``) on a post."""

    id: str
    api: str  # "graph" | "v1"
    media_id: str
    author_id: str  # an IG professional account id or a v1 user id
    username: str
    text: str
    created_time: int  # sandbox-clock seconds
    parent_id: str | None = None
    hidden: bool = False
    deleted: bool = False
    seeded: bool = False

    @property
    def is_reply(self) -> bool:
        """True for a reply to another comment."""
        return self.parent_id is not None


class CommentStore:
    """Every comment made or changed since the last reset; thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._comments: dict[str, StoredComment] = {}
        self._by_media: dict[str, list[str]] = {}
        self._imported: set[str] = set()
        self._graph_ids = itertools.count(GRAPH_COMMENT_ID_BASE + 1)
        self._v1_ids = itertools.count(V1_COMMENT_ID_BASE + 1)

    def reset(self) -> None:
        """Forget every comment, hide and delete (ids keep counting up)."""
        with self._lock:
            self._comments.clear()
            self._by_media.clear()
            self._imported.clear()

    def import_seeded(
        self, media_id: str, seeded: Iterable[Comment], username_of: Callable[[str], str]
    ) -> None:
        """Make a v1 post's seeded comments part of the store (once per reset; later calls do nothing)."""
        comments = tuple(seeded)
        with self._lock:
            if media_id in self._imported:
                return
            self._imported.add(media_id)
            ids = [c.id for c in comments]
            for item in comments:
                self._comments[item.id] = StoredComment(
                    item.id,
                    "v1",
                    media_id,
                    item.from_id,
                    username_of(item.from_id),
                    item.text,
                    item.created_time,
                    seeded=True,
                )
            self._by_media[media_id] = ids + self._by_media.get(media_id, [])

    def add(
        self,
        api: str,
        media_id: str,
        author_id: str,
        username: str,
        text: str,
        parent_id: str | None = None,
    ) -> StoredComment:
        """Store a new comment made now; returns it.

        Raises:
            ValueError: an unknown ``api``.
        """
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}")
        with self._lock:
            number = next(self._graph_ids) if api == "graph" else next(self._v1_ids)
            item = StoredComment(
                str(number), api, media_id, author_id, username, text, int(self._clock()), parent_id
            )
            self._comments[item.id] = item
            self._by_media.setdefault(media_id, []).append(item.id)
            return item

    def get(self, comment_id: str, api: str | None = None) -> StoredComment | None:
        """The comment with this id (deleted ones included; of ``api`` when given), or None."""
        with self._lock:
            item = self._comments.get(comment_id)
        if item is None or (api is not None and item.api != api):
            return None
        return item

    def live(self, comment_id: str, api: str | None = None) -> StoredComment | None:
        """The comment with this id unless it was deleted, or None."""
        item = self.get(comment_id, api)
        return None if item is None or item.deleted else item

    def of_media(self, media_id: str, *, include_deleted: bool = False) -> list[StoredComment]:
        """Every comment and reply on a post, oldest first."""
        with self._lock:
            items = [self._comments[i] for i in self._by_media.get(media_id, [])]
        return [c for c in items if include_deleted or not c.deleted]

    def top_level(self, media_id: str, *, include_deleted: bool = False) -> list[StoredComment]:
        """A post's comments that are not replies, oldest first."""
        return [c for c in self.of_media(media_id, include_deleted=include_deleted) if not c.is_reply]

    def replies_of(self, comment_id: str, *, include_deleted: bool = False) -> list[StoredComment]:
        """Replies to a comment, oldest first."""
        parent = self.get(comment_id)
        if parent is None:
            return []
        return [
            c
            for c in self.of_media(parent.media_id, include_deleted=include_deleted)
            if c.parent_id == comment_id
        ]

    def set_hidden(self, comment_id: str, hidden: bool) -> StoredComment:
        """Hide or unhide a comment; returns it as it is now.

        Raises:
            KeyError: no such comment.
        """
        with self._lock:
            item = dataclasses.replace(self._comments[comment_id], hidden=hidden)
            self._comments[comment_id] = item
            return item

    def delete(self, comment_id: str) -> list[StoredComment]:
        """Delete a comment and its replies; returns what was deleted.

        Raises:
            KeyError: no such comment.
        """
        with self._lock:
            target = self._comments[comment_id]
            doomed = [
                c
                for c in self._comments.values()
                if not c.deleted and (c.id == comment_id or c.parent_id == target.id)
            ]
            for item in doomed:
                self._comments[item.id] = dataclasses.replace(item, deleted=True)
            return doomed

    def count(self, media_id: str) -> int:
        """How many live comments and replies a post has in the store."""
        return len(self.of_media(media_id))
