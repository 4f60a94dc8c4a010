"""When to remind someone that their Instagram connection expires (Graph API tokens live 60 days).

One sorted set, ``igbot:reminders``: member ``{team}:{user}:{kind}``, score = when it is due. Kinds:
``week`` (7 days before) and ``day`` (on the last day). Relinking moves them; logout removes them.
Workers move due reminders into the job queue; ``igbot:reminded:{team}:{user}:{kind}:{expires_at}``
(kept 8 days) makes sure a reminder is sent once even when two workers pick it up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX, glob_escape, team_pattern
from bot.storage.scan import delete_matching

KEY = f"{PREFIX}reminders"
DAY = 86400
BEFORE = {"week": 7 * DAY, "day": DAY}


@dataclass(frozen=True)
class DueReminder:
    """One reminder whose time has come."""

    team_id: str
    user_id: str
    kind: str
    member: str


def sent_key(team_id: str, user_id: str, kind: str, expires_at: int) -> str:
    """Marks one reminder as sent, for one token (a new token gets new reminders)."""
    return f"{PREFIX}reminded:{team_id}:{user_id}:{kind}:{expires_at}"


class ReminderSchedule:
    """Schedules, cancels and hands out expiry reminders.

    Args:
        client: a redis-py client with ``decode_responses=True``.
        clock: seconds since the epoch.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock

    def schedule(self, team_id: str, user_id: str, expires_at: int) -> None:
        """Remind a week before ``expires_at`` and on the last day (at once if that time has passed)."""
        now = int(self._clock())
        mapping = {
            f"{team_id}:{user_id}:{kind}": max(now, expires_at - before) for kind, before in BEFORE.items()
        }
        with redis_errors():
            self._redis.zadd(KEY, mapping)

    def cancel(self, team_id: str, user_id: str) -> None:
        """Forget the user's reminders (logout)."""
        with redis_errors():
            self._redis.zrem(KEY, *(f"{team_id}:{user_id}:{kind}" for kind in BEFORE))

    def forget_team(self, team_id: str) -> None:
        """Forget every reminder of the team, scheduled or already sent."""
        with redis_errors():
            stale = [str(m) for m, _ in self._redis.zscan_iter(KEY, match=f"{glob_escape(team_id)}:*")]
            if stale:
                self._redis.zrem(KEY, *stale)
        delete_matching(self._redis, team_pattern(f"{PREFIX}reminded:", team_id))

    def due(self, limit: int = 100) -> list[DueReminder]:
        """Reminders whose time has come (still scheduled until `done`)."""
        with redis_errors():
            members = self._redis.zrangebyscore(KEY, "-inf", int(self._clock()), start=0, num=limit)
        found = []
        for member in members:
            parts = str(member).split(":")
            if len(parts) == 3 and parts[2] in BEFORE:
                found.append(DueReminder(parts[0], parts[1], parts[2], str(member)))
        return found

    def done(self, reminder: DueReminder) -> None:
        """Remove a reminder that is now in the job queue."""
        with redis_errors():
            self._redis.zrem(KEY, reminder.member)

    def claim(self, team_id: str, user_id: str, kind: str, expires_at: int) -> bool:
        """True once per (user, kind, token): the caller sends the reminder."""
        with redis_errors():
            key = sent_key(team_id, user_id, kind, expires_at)
            return bool(self._redis.set(key, "1", nx=True, ex=8 * DAY))

    def unclaim(self, team_id: str, user_id: str, kind: str, expires_at: int) -> None:
        """Undo `claim` after the reminder could not be sent (it will be tried again)."""
        with redis_errors():
            self._redis.delete(sent_key(team_id, user_id, kind, expires_at))
