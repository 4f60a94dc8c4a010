"""Posts their owners delete while a client is working with them (``POST /__sandbox__/media/delete``).

A post is deleted at once, or armed to vanish right before the next request that reads it on its own:
after a listing showed it, as when its owner deletes it between a client's list and its read. Reads
of one post are:

- API v1: ``/v1/media/{id}`` and everything under it (``/comments``, ``/likes``), and
  ``/v1/media/shortcode/{code}``;
- the Graph API: ``/{ig-media-id}`` and its edges, and ``/{ig-comment-id}`` of a comment on it;
- its pictures, ``/media/{id}/{size}.png`` (what Slack downloads for an image block).

Listings (``users/self/media/recent``, tag, place and hashtag media, ``media/search``) do not set it
off. That request and every later one find the post gone, each with its API's own answer for a post
that does not exist: v1 ``400 APINotFoundError`` "invalid media id", Graph ``100/33`` "Unsupported get
request. Object with ID '...' does not exist, cannot be loaded due to missing permissions, or does not
support this operation", a picture 404. ``POST /__sandbox__/reset`` brings seeded posts back and
disarms everything. Thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from igbot_sandboxes.instagram.comments import CommentStore
from igbot_sandboxes.instagram.graph.world import GraphWorld
from igbot_sandboxes.instagram.legacy.world import World


class Deletions:
    """The posts armed to be deleted right before their next read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: set[str] = set()

    def arm(self, media_id: str) -> None:
        """Delete ``media_id`` right before the next request that reads it (see the module docstring)."""
        with self._lock:
            self._armed.add(media_id)

    def armed(self) -> bool:
        """True while some post waits for its read (the gate looks no further otherwise)."""
        return bool(self._armed)

    def take(self, media_ids: Iterable[str]) -> list[str]:
        """The armed posts among ``media_ids``, disarmed: the caller deletes them now."""
        with self._lock:
            found = [m for m in dict.fromkeys(media_ids) if m in self._armed]
            self._armed.difference_update(found)
        return found

    def reset(self) -> None:
        """Disarm everything."""
        with self._lock:
            self._armed.clear()


def read_targets(path: str, world: World, graph_world: GraphWorld, comments: CommentStore) -> list[str]:
    """The ids of the posts a request for ``path`` reads on its own (empty for listings and anything
    else): v1 ids, graph ids, and both for a picture of a graph post. ``world`` and ``graph_world`` are
    the sandbox's current worlds (v1 and graph mode), ``comments`` its comments (a graph node may be one).
    """
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[:2] == ["v1", "media"]:
        if parts[2] == "shortcode":
            found = world.media_by_shortcode(parts[3]) if len(parts) >= 4 else None
            return [found.id] if found else []
        return [] if parts[2] in ("popular", "search") else [parts[2]]
    if len(parts) >= 3 and parts[0] == "graph":  # /graph/{version}/{node}[/{edge}]
        comment = comments.get(parts[2])
        return [parts[2], comment.media_id] if comment else [parts[2]]
    if len(parts) == 3 and parts[0] == "media":  # /media/{v1 id or picture key}/{size}.png
        post = graph_world.media_by_picture_key(parts[1])
        return [parts[1], post.id] if post else [parts[1]]
    return []
