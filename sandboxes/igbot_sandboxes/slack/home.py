"""App Home: the Home tab view ``views.publish`` stores for each (team, user), and its buttons.

Slack keeps one published home view per user of a team; publishing again replaces it and gives it a
new ``hash`` but keeps its ``id`` [U: Slack's docs do not say whether the id survives a republish; it
does in observed payloads]. ``views.publish`` with a ``hash`` that is not the current one answers
``hash_conflict``. The view object has the same shape as a modal's (views.view_object) with
``type: home``.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.slack.messages import Button, RecordedMessage
from igbot_sandboxes.slack.views import _random_id, view_object


@dataclass
class HomeView:
    """The home view published for one user: ``view`` is the object Slack answers with."""

    id: str
    team_id: str
    user_id: str
    view: dict[str, Any]
    seq: int = 0

    @property
    def hash(self) -> str:
        """The current hash (changes on every publish)."""
        return str(self.view.get("hash", ""))

    @property
    def blocks(self) -> list[Any]:
        """The view's blocks."""
        blocks = self.view.get("blocks")
        return blocks if isinstance(blocks, list) else []

    def buttons(self) -> list[Button]:
        """Every button of the view (actions blocks and section accessories), in order."""
        probe = RecordedMessage(
            source="chat.postMessage",
            team_id=self.team_id,
            channel_id="",
            user_id=None,
            response_type="in_channel",
            blocks=self.blocks,
        )
        return probe.buttons()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


class HomeViews:
    """Every user's published home view, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: dict[tuple[str, str], HomeView] = {}
        self._seq = 0

    def publish(self, team_id: str, user_id: str, view: dict[str, Any], wanted_hash: str | None) -> HomeView:
        """Store ``view`` as the user's home view.

        Raises:
            ValueError: ``wanted_hash`` is given and is not the current view's hash (``hash_conflict``).
        """
        with self._lock:
            old = self._views.get((team_id, user_id))
            if wanted_hash and (old is None or old.hash != wanted_hash):
                raise ValueError("hash_conflict")
            view_id = old.id if old else _random_id("V")
            obj = view_object(view, view_id=view_id, team_id=team_id)
            obj["type"] = "home"
            for key in ("title", "submit", "close"):
                obj[key] = None
            self._seq += 1
            home = HomeView(id=view_id, team_id=team_id, user_id=user_id, view=obj, seq=self._seq)
            self._views[(team_id, user_id)] = home
            return home

    def get(self, team_id: str, user_id: str) -> HomeView | None:
        """The user's home view (a copy of the stored one), or None when none was published."""
        with self._lock:
            home = self._views.get((team_id, user_id))
            return copy.deepcopy(home) if home else None

    def all(self) -> list[HomeView]:
        """Every published home view."""
        with self._lock:
            return [copy.deepcopy(h) for h in self._views.values()]

    def reset(self) -> None:
        """Forget every home view."""
        with self._lock:
            self._views.clear()
