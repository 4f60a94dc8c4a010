"""The live follow graph: who follows whom, pending requests to private accounts, and blocks.

Starts from the world's seeded edges; `reset()` returns to them.  All methods are thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from igbot_sandboxes.instagram.legacy.world import World

ACTIONS = ("approve", "ignore", "follow", "block", "unblock", "unfollow")


@dataclass(frozen=True)
class Relationship:
    """Both directions of the relationship between a viewer and a target user."""

    outgoing_status: str  # follows | requested | none
    incoming_status: str  # followed_by | requested_by | blocked_by_you | none
    target_user_is_private: bool


class FollowGraph:
    """Mutable follow/request/block edges between user ids."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._lock = threading.Lock()
        self._follows: set[tuple[str, str]] = set()
        self._requests: set[tuple[str, str]] = set()
        self._blocks: set[tuple[str, str]] = set()
        self.reset()

    def reset(self) -> None:
        """Back to the seeded edges."""
        with self._lock:
            self._follows = set(self._world.initial_follows)
            self._requests = set(self._world.initial_requests)
            self._blocks = set()

    def follows(self, follower_id: str, target_id: str) -> bool:
        """True when ``follower_id`` follows ``target_id`` (approved)."""
        with self._lock:
            return (follower_id, target_id) in self._follows

    def can_view(self, viewer_id: str | None, owner_id: str) -> bool:
        """Whether the viewer may see the owner's media (public, own, or an approved follower)."""
        owner = self._world.user_by_id(owner_id)
        if owner is None:
            return False
        if viewer_id == owner_id:
            return True
        with self._lock:
            if viewer_id is not None and (owner_id, viewer_id) in self._blocks:
                return False
            return not owner.is_private or (viewer_id, owner_id) in self._follows

    def following(self, user_id: str) -> list[str]:
        """Ids the user follows."""
        with self._lock:
            return sorted(b for a, b in self._follows if a == user_id)

    def followers(self, user_id: str) -> list[str]:
        """Ids following the user."""
        with self._lock:
            return sorted(a for a, b in self._follows if b == user_id)

    def requested(self, user_id: str) -> list[str]:
        """Ids the user has asked to follow (pending)."""
        with self._lock:
            return sorted(b for a, b in self._requests if a == user_id)

    def requested_by(self, user_id: str) -> list[str]:
        """Ids with a pending request to follow the user."""
        with self._lock:
            return sorted(a for a, b in self._requests if b == user_id)

    def relationship(self, viewer_id: str, target_id: str) -> Relationship:
        """The relationship as the viewer sees it."""
        target = self._world.user_by_id(target_id)
        with self._lock:
            return self._relationship_locked(viewer_id, target_id, bool(target and target.is_private))

    def _relationship_locked(self, me: str, them: str, private: bool) -> Relationship:
        if (me, them) in self._follows:
            outgoing = "follows"
        elif (me, them) in self._requests:
            outgoing = "requested"
        else:
            outgoing = "none"
        if (me, them) in self._blocks:
            incoming = "blocked_by_you"
        elif (them, me) in self._follows:
            incoming = "followed_by"
        elif (them, me) in self._requests:
            incoming = "requested_by"
        else:
            incoming = "none"
        return Relationship(outgoing, incoming, private)

    def apply(self, viewer_id: str, target_id: str, action: str) -> Relationship:
        """Apply a relationship action (one of `ACTIONS`) and return the new relationship.

        Raises:
            ValueError: unknown action.
        """
        target = self._world.user_by_id(target_id)
        private = bool(target and target.is_private)
        me, them = viewer_id, target_id
        with self._lock:
            if action == "follow":
                if (me, them) not in self._follows and me != them:
                    if private:
                        self._requests.add((me, them))
                    else:
                        self._follows.add((me, them))
                    self._blocks.discard((me, them))
            elif action == "unfollow":
                self._follows.discard((me, them))
                self._requests.discard((me, them))
            elif action == "approve":
                if (them, me) in self._requests:
                    self._requests.discard((them, me))
                    self._follows.add((them, me))
            elif action == "ignore":
                self._requests.discard((them, me))
            elif action == "block":
                self._blocks.add((me, them))
                for edge in ((me, them), (them, me)):
                    self._follows.discard(edge)
                    self._requests.discard(edge)
            elif action == "unblock":
                self._blocks.discard((me, them))
            else:
                raise ValueError(action)
            return self._relationship_locked(me, them, private)
