"""Slack events already taken, so that one Slack retries (``X-Slack-Retry-Num``) is handled once.

Key (README "What is stored"): ``igbot:event:{team}:{event_id}`` string, 1 hour: Slack retries an event
three times within about 6 minutes; an hour covers that with a margin and bounds the memory.
"""

from __future__ import annotations

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX, team_pattern
from bot.storage.scan import delete_matching

EVENT_SECONDS = 3600


def event_key(team_id: str, event_id: str) -> str:
    """Key of one taken event."""
    return f"{PREFIX}event:{team_id}:{event_id}"


class EventLog:
    """Which events were taken (first delivery wins)."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def first(self, team_id: str, event_id: str) -> bool:
        """True for the first delivery of ``event_id`` (it is now taken); False for a repeat.

        Raises:
            StorageUnavailable: Redis did not answer (the event is not taken: Slack will retry).
        """
        if not event_id:
            return True  # nothing to recognise a repeat by
        with redis_errors():
            return bool(self._redis.set(event_key(team_id, event_id), "1", nx=True, ex=EVENT_SECONDS))

    def release(self, team_id: str, event_id: str) -> None:
        """Forget ``event_id`` (its handling failed before anything was queued), so a retry runs."""
        if event_id:
            with redis_errors():
                self._redis.delete(event_key(team_id, event_id))

    def forget_team(self, team_id: str) -> None:
        """Forget the team's taken events (it uninstalled igbot)."""
        delete_matching(self._redis, team_pattern(f"{PREFIX}event:", team_id))
