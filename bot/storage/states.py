"""Pending OAuth flows: a random, single-use state that expires after 600 s."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import state_key, team_states_pattern, user_states_key
from bot.storage.scan import scan

STATE_TTL_SECONDS = 600

# Delete a user's pending states and their index in one atomic step.
_FORGET = """
local states = redis.call('SMEMBERS', KEYS[1])
local deleted = 0
for _, state in ipairs(states) do deleted = deleted + redis.call('DEL', ARGV[1] .. state) end
redis.call('DEL', KEYS[1])
return deleted
"""


@dataclass(frozen=True)
class PendingLink:
    """An OAuth flow in progress: who started it, where, and the command to finish after linking.
    ``invocation`` holds what `bot.slack.invocation.Invocation.payload` holds (``text``: the command,
    empty for none); storage keeps it as plain strings."""

    invocation: dict[str, str]
    created_at: float

    def encode(self) -> str:
        """As stored in Redis."""
        return json.dumps({"invocation": self.invocation, "created_at": self.created_at})

    @classmethod
    def decode(cls, raw: str) -> PendingLink | None:
        """The inverse of `encode`; None for anything else."""
        try:
            data = json.loads(raw)
            found = data["invocation"]
            if not isinstance(found, dict):
                return None
            return cls({str(k): str(v) for k, v in found.items()}, float(data["created_at"]))
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


class StateStore:
    """Issues and consumes ``igbot:state:{state}`` keys.

    Args:
        client: a redis-py client with ``decode_responses=True``.
        ttl_seconds: lifetime of a state.
        clock: seconds since the epoch, injectable for tests.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int = STATE_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def issue(
        self,
        *,
        team_id: str,
        user_id: str,
        user_name: str,
        channel_id: str,
        response_url: str,
        resume: str | None,
    ) -> str:
        """Store a new pending flow and return its state (256 random bits, URL-safe)."""
        state = secrets.token_urlsafe(32)
        invocation = {
            "team_id": team_id,
            "user_id": user_id,
            "user_name": user_name,
            "channel_id": channel_id,
            "response_url": response_url,
            "text": resume or "",
        }
        pending = PendingLink(invocation, self._clock())
        index = user_states_key(team_id, user_id)
        with redis_errors():
            pipe = self._redis.pipeline(transaction=True)
            pipe.set(state_key(state), pending.encode(), ex=self.ttl_seconds)
            pipe.sadd(index, state)
            pipe.expire(index, self.ttl_seconds)
            pipe.execute()
        return state

    def forget_user(self, team_id: str, user_id: str) -> int:
        """Cancel every pending flow of one Slack user (logout); returns how many were still pending."""
        with redis_errors():
            return int(self._redis.eval(_FORGET, 1, user_states_key(team_id, user_id), state_key("")))

    def users_of_team(self, team_id: str) -> set[str]:
        """The Slack users of ``team_id`` with a login link still pending."""
        return {key.rsplit(":", 1)[-1] for key in scan(self._redis, team_states_pattern(team_id))}

    def consume(self, state: str) -> PendingLink | None:
        """Read and delete the flow in one step (GETDEL): a state works once. None if unknown or expired."""
        if not state or len(state) > 128:
            return None
        with redis_errors():
            raw = self._redis.getdel(state_key(state))
        if raw is None:
            return None
        return PendingLink.decode(str(raw))

    def restore(self, state: str, pending: PendingLink) -> bool:
        """Put a consumed flow back for the rest of its lifetime (after a transient failure), so the
        user can use the same link again. False if its lifetime is over."""
        remaining = int(pending.created_at + self.ttl_seconds - self._clock())
        if remaining <= 0:
            return False
        with redis_errors():
            return bool(self._redis.set(state_key(state), pending.encode(), ex=remaining, nx=True))
