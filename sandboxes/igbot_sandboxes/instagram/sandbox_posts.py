"""The Python face of new and deleted posts and real-time pushes, mixed into `InstagramSandbox`.

HTTP equivalents are in `post_controls` (``POST /__sandbox__/media``, ``POST /__sandbox__/media/delete``,
``GET /__sandbox__/pushes``, ``GET /__sandbox__/subscriptions``) and `graph.controls` (``POST
/__sandbox__/graph/media``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from igbot_sandboxes.instagram.graph.controls import add_post
from igbot_sandboxes.instagram.graph.world import GraphMedia
from igbot_sandboxes.instagram.legacy.posts import NewPost, normalise_tags
from igbot_sandboxes.instagram.legacy.pushes import PushAttempt
from igbot_sandboxes.instagram.legacy.subscriptions import Subscription
from igbot_sandboxes.instagram.legacy.world import Media
from igbot_sandboxes.instagram.state import SandboxState


class PostsAndPushes:
    """New posts (v1 and graph), subscriptions and the pushes they cause."""

    _state: SandboxState

    def add_media(
        self,
        username: str,
        caption: str | None = None,
        tags: Iterable[str] = (),
        location_id: str | None = None,
        lat: float | None = None,
        lng: float | None = None,
        is_video: bool = False,
    ) -> Media:
        """Publish a new v1 post as ``username`` now (see `legacy.posts`) and push it, from background
        threads, to every real-time subscription it matches; returns it (``sandbox.world`` has it).

        Raises:
            LookupError: no such user.
            ValueError: a bad tag, an unknown location, half a point, or both a location and a point.
        """
        post = NewPost(username.lstrip("@"), caption, normalise_tags(tags), location_id, lat, lng, is_video)
        return self._state.add_media(post)

    def add_graph_media(
        self,
        account: str,
        caption: str | None = None,
        hashtags: Iterable[str] = (),
        media_type: str = "IMAGE",
    ) -> GraphMedia:
        """Publish a new post of a professional account (username or IG user id) now: newest in its
        ``media`` edge, in Business Discovery and in ``recent_media`` of its hashtags (see `graph.posts`).

        Raises:
            LookupError: no such professional account.
            ValueError: a bad hashtag or media type.
        """
        body: dict[str, Any] = {
            "account": account,
            "caption": caption,
            "hashtags": list(hashtags),
            "media_type": media_type,
        }
        return add_post(self._state, body)

    def delete_media(self, media_id: str, when: str = "now") -> bool:
        """Its owner deletes the post ``media_id`` (a v1 id or a graph id): at once, or with
        ``when="read"`` right before the next request that reads it on its own (after a listing showed
        it: the client's next read of it, its comments or its picture finds it gone; see
        `deletions`). Returns True once it is gone.

        Raises:
            LookupError: no such post.
            ValueError: ``when`` is not "now" or "read".
        """
        return self._state.delete_media(media_id, when)

    def subscriptions(self) -> list[Subscription]:
        """The client's live real-time subscriptions, oldest first."""
        return self._state.subscriptions.all()

    def pushes(self, url: str | None = None) -> list[PushAttempt]:
        """Every push attempt so far (optionally to one callback URL), oldest first."""
        return [p for p in self._state.pushes.records() if url is None or p.url == url]

    def pending_pushes(self) -> int:
        """Pushes queued or being delivered (their retries included)."""
        return self._state.pushes.pending()

    def wait_pushes_idle(self, timeout: float = 10.0) -> list[PushAttempt]:
        """Wait until every push has been delivered or given up; returns `pushes`.

        Raises:
            TimeoutError: still busy after ``timeout`` seconds (the message says how many are pending).
        """
        if not self._state.pushes.wait_idle(timeout):
            raise TimeoutError(
                f"{self._state.pushes.pending()} push(es) still pending after {timeout:g} s; "
                f"attempts so far: {[(p.url, p.attempt, p.status, p.error) for p in self.pushes()]}"
            )
        return self.pushes()
