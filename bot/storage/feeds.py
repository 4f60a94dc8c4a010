"""Channel feeds in Redis: who subscribed which channel to what, what was already posted, when to poll.

Keys (all bounded; documented in the README's "What is stored"):
- ``igbot:feed:{team}:{channel}:{target}`` hash: one channel's feed of one target (who made it, when,
  the last post, and why it is paused, if it is).
- ``igbot:feeds:{team}:{channel}`` set: the channel's targets, for `/ig subscriptions`.
- ``igbot:owned:{team}:{user}`` set: ``{channel}|{target}`` of the feeds a person made (logout pauses them).
- ``igbot:target:{target}`` hash: what igbot knows of a target (its label, the Instagram subscription or
  hashtag id, which account's token reads it) and ``igbot:subscribers:{target}`` set: ``{team}:{channel}``.
  Both go with the last feed of the target.
- ``igbot:delivered:{team}:{channel}:{target}`` sorted set: media ids already posted (the newest 128).
- ``igbot:polls`` sorted set: target -> when to read it next (targets without a push).
- ``igbot:route:{object}:{object_id}`` string: the target of an Instagram push whose id is Instagram's own
  (a geography).
A target is ``user:{ig_user_id}``, ``tag:{name}``, ``location:{id}`` or ``geography:{lat},{lng},{radius}``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX, team_pattern
from bot.storage.scan import delete_matching, scan

DELIVERED_KEPT = 128  # within Redis's compact sorted-set encoding (128 entries): ~5 KB, not ~25 KB
POLLS = f"{PREFIX}polls"

# Due polls: move each to its next time and return it, in one step, so two workers never both take one.
_TAKE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local later = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, target in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', later, target) end
return due
"""


def feed_key(team_id: str, channel_id: str, target: str) -> str:
    """One channel's feed of one target."""
    return f"{PREFIX}feed:{team_id}:{channel_id}:{target}"


def delivered_key(team_id: str, channel_id: str, target: str) -> str:
    """Media of ``target`` already posted into one channel."""
    return f"{PREFIX}delivered:{team_id}:{channel_id}:{target}"


@dataclass(frozen=True)
class Feed:
    """One channel's feed."""

    team_id: str
    channel_id: str
    target: str
    label: str
    owner_id: str
    owner_name: str
    created_at: int
    last_post_at: int = 0
    paused: str = ""  # why, when paused: "link" (the owner must reconnect) or "channel" (igbot can't post)


@dataclass(frozen=True)
class Target:
    """What igbot knows of a target shared by feeds. ``reader`` is ``{team}:{user}`` whose link reads it."""

    target: str
    label: str
    name: str = ""  # what the backend reads it by (`bot.instagram.models.FeedSource.name`)
    push: bool = False
    remote_id: str = ""  # the Instagram real-time subscription, for push targets
    hashtag_id: str = ""
    reader: str = ""
    poll_seconds: int = 0


class FeedStore:
    """Reads and writes the feed keys.

    Args:
        client: a redis-py client with ``decode_responses=True``.
        clock: seconds since the epoch.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock
        self._take_due = client.register_script(_TAKE_DUE)

    def target(self, target: str) -> Target | None:
        """The shared state of ``target``, or None when no feed follows it."""
        with redis_errors():
            raw: dict[str, str] = self._redis.hgetall(f"{PREFIX}target:{target}")  # type: ignore[assignment]
        if not raw:
            return None
        return Target(
            target=raw.get("target", target),
            label=raw.get("label", ""),
            name=raw.get("name", ""),
            push=raw.get("push") == "1",
            remote_id=raw.get("remote_id", ""),
            hashtag_id=raw.get("hashtag_id", ""),
            reader=raw.get("reader", ""),
            poll_seconds=_number(raw.get("poll_seconds")),
        )

    def save_target(self, state: Target) -> None:
        """Create or update the shared state of a target (and its poll schedule)."""
        mapping: dict[str | bytes | bytearray | memoryview | int | float, str] = {
            "target": state.target,
            "name": state.name,
            "label": state.label,
            "push": "1" if state.push else "0",
            "remote_id": state.remote_id,
            "hashtag_id": state.hashtag_id,
            "reader": state.reader,
            "poll_seconds": str(state.poll_seconds),
        }
        with redis_errors():
            pipe = self._redis.pipeline()
            pipe.hset(f"{PREFIX}target:{state.target}", mapping=mapping)
            if state.poll_seconds:  # the first read anywhere in one interval: polls spread out
                first = int(self._clock()) + random.randint(1, state.poll_seconds)
                pipe.zadd(POLLS, {state.target: first}, nx=True)
            else:
                pipe.zrem(POLLS, state.target)
            pipe.execute()

    def route(self, obj: str, object_id: str) -> str:
        """The target an Instagram push about ``obj``/``object_id`` is for."""
        if obj == "geography":
            with redis_errors():
                return str(self._redis.get(f"{PREFIX}route:geography:{object_id}") or "")
        kinds = {"user": "user", "tag": "tag", "location": "location"}
        return f"{kinds[obj]}:{object_id}" if obj in kinds and object_id else ""

    def set_route(self, obj: str, object_id: str, target: str) -> None:
        """Remember that Instagram's ``obj``/``object_id`` means ``target``."""
        with redis_errors():
            self._redis.set(f"{PREFIX}route:{obj}:{object_id}", target)

    def feed(self, team_id: str, channel_id: str, target: str) -> Feed | None:
        """One feed, or None."""
        with redis_errors():
            raw: dict[str, str] = self._redis.hgetall(feed_key(team_id, channel_id, target))  # type: ignore[assignment]
        return _feed(raw)

    def add(self, feed: Feed) -> bool:
        """Store a new feed (or resume a paused one); False when it existed and was running."""
        key = feed_key(feed.team_id, feed.channel_id, feed.target)
        with redis_errors():
            existing = self.feed(feed.team_id, feed.channel_id, feed.target)
            if existing is not None and not existing.paused:
                return False
            pipe = self._redis.pipeline()
            if existing is None:
                pipe.hset(key, mapping={f.name: str(getattr(feed, f.name)) for f in fields(Feed)})
            else:
                pipe.hset(
                    key, mapping={"paused": "", "owner_id": feed.owner_id, "owner_name": feed.owner_name}
                )
            pipe.sadd(f"{PREFIX}feeds:{feed.team_id}:{feed.channel_id}", feed.target)
            pipe.sadd(f"{PREFIX}owned:{feed.team_id}:{feed.owner_id}", f"{feed.channel_id}|{feed.target}")
            pipe.sadd(f"{PREFIX}subscribers:{feed.target}", f"{feed.team_id}:{feed.channel_id}")
            pipe.execute()
        return True

    def remove(self, team_id: str, channel_id: str, target: str) -> tuple[Feed | None, bool]:
        """Delete a feed. Returns it and whether it was the target's last (its state is then gone too,
        and the caller cancels what Instagram holds for it)."""
        feed = self.feed(team_id, channel_id, target)
        if feed is None:
            return None, False
        with redis_errors():
            pipe = self._redis.pipeline()
            pipe.delete(feed_key(team_id, channel_id, target), delivered_key(team_id, channel_id, target))
            pipe.srem(f"{PREFIX}feeds:{team_id}:{channel_id}", target)
            pipe.srem(f"{PREFIX}owned:{team_id}:{feed.owner_id}", f"{channel_id}|{target}")
            pipe.srem(f"{PREFIX}subscribers:{target}", f"{team_id}:{channel_id}")
            pipe.scard(f"{PREFIX}subscribers:{target}")
            left = pipe.execute()[-1]
            if int(left) == 0:
                self._redis.delete(f"{PREFIX}target:{target}", f"{PREFIX}subscribers:{target}")
                self._redis.zrem(POLLS, target)
        return feed, int(left) == 0

    def forget_reader(self, team_id: str) -> int:
        """Stop preferring any reader of ``team_id`` (the team uninstalled igbot): targets other teams
        still follow keep going with their own readers. Returns how many targets changed."""
        changed = 0
        with redis_errors():
            for key in self._redis.scan_iter(match=f"{PREFIX}target:*", count=500):
                reader = str(self._redis.hget(key, "reader") or "")
                if reader.startswith(f"{team_id}:"):
                    self._redis.hset(key, "reader", "")
                    changed += 1
        return changed

    def channels(self, team_id: str) -> list[str]:
        """The team's channels that have feeds."""
        return sorted(
            k.rsplit(":", 1)[-1] for k in scan(self._redis, team_pattern(f"{PREFIX}feeds:", team_id))
        )

    def forget_team(self, team_id: str) -> None:
        """Delete what is left of the team's feeds (after each was removed: a delivery running meanwhile
        may have written one back) and stop preferring its readers."""
        self.forget_reader(team_id)
        delete_matching(
            self._redis,
            *(team_pattern(f"{PREFIX}{kind}:", team_id) for kind in ("feed", "owned", "feeds", "delivered")),
        )

    def forget_route(self, obj: str, object_id: str) -> None:
        """Drop a push route (its target is gone)."""
        with redis_errors():
            self._redis.delete(f"{PREFIX}route:{obj}:{object_id}")

    def of_channel(self, team_id: str, channel_id: str) -> list[Feed]:
        """The channel's feeds, oldest first."""
        with redis_errors():
            targets = sorted(self._redis.smembers(f"{PREFIX}feeds:{team_id}:{channel_id}"))
        feeds = [self.feed(team_id, channel_id, str(t)) for t in targets]
        return sorted((f for f in feeds if f is not None), key=lambda f: f.created_at)

    def owned_by(self, team_id: str, user_id: str) -> list[Feed]:
        """The feeds a person made, in any channel (members ``{channel}|{target}``)."""
        members = self._members(f"{PREFIX}owned:{team_id}:{user_id}")
        return self._feeds((team_id, *m.partition("|")[::2]) for m in members)

    def subscribers(self, target: str) -> list[Feed]:
        """Every channel's feed of ``target`` (members ``{team}:{channel}``)."""
        members = self._members(f"{PREFIX}subscribers:{target}")
        return self._feeds((*m.partition(":")[::2], target) for m in members)

    def _members(self, key: str) -> list[str]:
        with redis_errors():
            return sorted(str(m) for m in self._redis.smembers(key))

    def _feeds(self, where: Iterable[tuple[str, str, str]]) -> list[Feed]:
        found = (self.feed(team_id, channel_id, target) for team_id, channel_id, target in where)
        return [feed for feed in found if feed is not None]

    def pause(self, feed: Feed, reason: str) -> bool:
        """Pause a feed; True if it was running (so the people concerned are told once)."""
        with redis_errors():
            key = feed_key(feed.team_id, feed.channel_id, feed.target)
            previous = self._redis.hget(key, "paused")
            if previous is None:
                return False
            self._redis.hset(key, "paused", reason)
        return not previous

    def resume(self, feed: Feed) -> None:
        """Run a paused feed again."""
        with redis_errors():
            key = feed_key(feed.team_id, feed.channel_id, feed.target)
            if self._redis.exists(key):
                self._redis.hset(key, "paused", "")

    def delivered(self, feed: Feed) -> set[str]:
        """Media ids already posted into the feed's channel."""
        with redis_errors():
            return {
                str(m)
                for m in self._redis.zrange(delivered_key(feed.team_id, feed.channel_id, feed.target), 0, -1)
            }

    def mark_delivered(self, feed: Feed, media_id: str, posted_at: int) -> None:
        """Record one posted media (keeping the newest ``DELIVERED_KEPT``) and the feed's last post time."""
        key = delivered_key(feed.team_id, feed.channel_id, feed.target)
        with redis_errors():
            pipe = self._redis.pipeline()
            pipe.zadd(key, {media_id: posted_at or int(self._clock())})
            pipe.zremrangebyrank(key, 0, -DELIVERED_KEPT - 1)
            pipe.hset(
                feed_key(feed.team_id, feed.channel_id, feed.target), "last_post_at", int(self._clock())
            )
            pipe.execute()

    def take_due_polls(self, limit: int = 50, default_interval: int = 300) -> list[str]:
        """Targets due for a poll, each moved ``default_interval`` ahead (its poll sets the next time)."""
        with redis_errors():
            due = self._take_due(keys=[POLLS], args=[int(self._clock()), default_interval, limit])
        return [str(t) for t in due]

    def next_poll(self, target: str, seconds: int) -> None:
        """When to read ``target`` again."""
        with redis_errors():
            self._redis.zadd(POLLS, {target: int(self._clock()) + seconds}, xx=True)


def _number(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() else 0


def _feed(raw: dict[str, str]) -> Feed | None:
    if not raw.get("target"):
        return None
    return Feed(
        team_id=raw.get("team_id", ""),
        channel_id=raw.get("channel_id", ""),
        target=raw["target"],
        label=raw.get("label", ""),
        owner_id=raw.get("owner_id", ""),
        owner_name=raw.get("owner_name", ""),
        created_at=_number(raw.get("created_at")),
        last_post_at=_number(raw.get("last_post_at")),
        paused=raw.get("paused", ""),
    )
