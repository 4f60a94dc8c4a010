"""The inbox in Redis: which channel gets an Instagram account's comments and mentions, what was posted
already (so a notification Meta sends again, or a comment read twice, is posted once), which Slack
thread belongs to which post, and each posted comment's state for the buttons.

Keys (documented in the README's "What is stored"):
- ``igbot:inbox:{ig_user_id}`` hash: the account's inbox (team, channel, who turned it on, since when).
  Until `/ig inbox off`, the owner's link ends, or the app is uninstalled.
- ``igbot:inboxes:{team}`` set: the team's inbox accounts (for `/ig subscriptions` and uninstall).
- ``igbot:inbox-polls`` sorted set: account -> when to read its comments next (APIs without push).
- ``igbot:inbox-seen:{ig_user_id}:{event}`` string: a comment or mention being posted (claimed, with
  who and when) or posted; 37 hours, longer than Meta retries a notification (36 hours).
- ``igbot:inbox-thread:{team}:{channel}:{media_id}`` string: the ts of the post's first message; 30 days.
- ``igbot:inbox-comment:{comment_id}`` hash: a posted comment or mention (where, its text and state,
  and what its Reply answers); a mention in a caption is kept as ``m{media_id}``; 30 days.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from enum import Enum

import redis

from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX, team_pattern
from bot.storage.scan import delete_matching, scan

POLLS = f"{PREFIX}inbox-polls"
SEEN_SECONDS = 37 * 3600
KEPT_SECONDS = 30 * 86400
ABANDONED_AFTER_SECONDS = 60  # a claim older than this was left by a run that died (a post takes < 30 s)
THREAD_LOCK_SECONDS = 30

# Claim one event for this run: 0 posted already, 2 another run is posting it now, 1 claimed. This run's
# own claim counts as won (redis-py re-sends a script whose reply was lost).
_CLAIM = """
local current = redis.call('GET', KEYS[1])
if current then
  if current == 'posted' then return 0 end
  local run, at = string.match(current, '^claimed:([^:]+):(%d+)$')
  if run ~= ARGV[1] and tonumber(ARGV[2]) - tonumber(at or '0') < tonumber(ARGV[3]) then return 2 end
end
redis.call('SET', KEYS[1], 'claimed:' .. ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[4])
return 1
"""

_TAKE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local later = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, account in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', later, account) end
return due
"""

# Pace posts into one channel (Slack takes about 1 message/s each): the next free slot, moved one step on.
_SLOT = """
local now, step = tonumber(ARGV[1]), tonumber(ARGV[2])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + step, 'PX', slot + step - now + 60000)
return slot - now
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def inbox_key(account_id: str) -> str:
    """The inbox of one Instagram account."""
    return f"{PREFIX}inbox:{account_id}"


def team_inboxes_key(team_id: str) -> str:
    """The inbox accounts of one Slack team."""
    return f"{PREFIX}inboxes:{team_id}"


def seen_key(account_id: str, event: str) -> str:
    """One comment or mention of one account, claimed or posted."""
    return f"{PREFIX}inbox-seen:{account_id}:{event}"


def thread_key(team_id: str, channel_id: str, media_id: str) -> str:
    """The Slack thread of one post in one channel."""
    return f"{PREFIX}inbox-thread:{team_id}:{channel_id}:{media_id}"


def thread_lock_key(team_id: str, channel_id: str, media_id: str) -> str:
    """Key of the short lock for opening a post's thread (one first message per post)."""
    return f"{PREFIX}lock:inbox-thread:{team_id}:{channel_id}:{media_id}"


def pace_key(team_id: str, channel_id: str) -> str:
    """Key of a channel's next free posting slot (Slack said to slow down)."""
    return f"{PREFIX}inbox-pace:{team_id}:{channel_id}"


def comment_key(comment_id: str) -> str:
    """A posted comment."""
    return f"{PREFIX}inbox-comment:{comment_id}"


def caption_mention_id(media_id: str) -> str:
    """What a mention in the caption of ``media_id`` is kept as (it has no comment id of its own; an
    Instagram id is all digits, so this never names a comment)."""
    return f"m{media_id}"


class Claim(Enum):
    """What `InboxStore.claim` found."""

    CLAIMED = "claimed"  # this run posts it
    POSTED = "posted"  # done before: nothing to do
    BUSY = "busy"  # another run is posting it right now: try again later


@dataclass(frozen=True)
class Inbox:
    """Where one Instagram account's comments and mentions go."""

    account_id: str
    username: str
    team_id: str
    channel_id: str
    owner_id: str  # the Slack user who turned it on: their link reads Instagram
    since: int  # comments older than this are not posted (read-on-a-schedule APIs)


@dataclass(frozen=True)
class PostedComment:
    """A comment as igbot posted it, with what its buttons need. ``kind`` is ``comment`` (on one of the
    account's posts), ``mention`` (a comment mentioning the account: ``comment_id`` is that comment) or
    ``caption`` (a post whose caption mentions it: ``comment_id`` is `caption_mention_id`, ``text`` the
    caption, ``username`` the post's author); Reply answers a mention on ``media_id``."""

    comment_id: str
    account_id: str
    media_id: str
    team_id: str
    channel_id: str
    ts: str  # the comment's own message
    thread_ts: str  # the post's thread ("" when the comment's message is the thread's parent)
    username: str
    text: str
    account: str = ""  # the inbox account's username
    parent_id: str = ""
    kind: str = "comment"
    link: str = ""
    image_url: str = ""
    state: str = "shown"  # shown | hidden | deleted
    changed_by: str = ""  # the Slack user who hid or deleted it


def _decode(cls: type, raw: dict[str, str]) -> dict[str, object]:
    names = {f.name: f.type for f in fields(cls)}
    values: dict[str, object] = {}
    for name, kind in names.items():
        if name not in raw:
            continue
        values[name] = (
            int(raw[name]) if kind in ("int", int) and raw[name].lstrip("-").isdigit() else raw[name]
        )
    return values


class InboxStore:
    """Inbox routes, claims, threads and posted comments (see the module docstring for the keys)."""

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock
        self._claim = client.register_script(_CLAIM)
        self._take_due = client.register_script(_TAKE_DUE)
        self._release = client.register_script(_RELEASE)
        self._slot = client.register_script(_SLOT)
        self._run = uuid.uuid4().hex[:12]

    def get(self, account_id: str) -> Inbox | None:
        """The inbox of ``account_id``, if it has one."""
        with redis_errors():
            raw = self._redis.hgetall(inbox_key(account_id))
        if not raw:
            return None
        try:
            return Inbox(**_decode(Inbox, raw))  # type: ignore[arg-type]
        except TypeError:
            return None

    def turn_on(self, inbox: Inbox, *, poll_every: int | None = None) -> Inbox | None:
        """Route ``inbox.account_id`` to ``inbox.channel_id``; returns the inbox it replaced (moved).

        With ``poll_every`` the account is read on a schedule, first right away."""
        with redis_errors():
            before = self.get(inbox.account_id)
            pipe = self._redis.pipeline()
            key = inbox_key(inbox.account_id)
            pipe.delete(key)
            pipe.hset(key, mapping={k: str(v) for k, v in asdict(inbox).items()})
            if before is not None and before.team_id != inbox.team_id:
                pipe.srem(team_inboxes_key(before.team_id), inbox.account_id)
            pipe.sadd(team_inboxes_key(inbox.team_id), inbox.account_id)
            if poll_every is not None:
                pipe.zadd(POLLS, {inbox.account_id: int(self._clock())})
            else:
                pipe.zrem(POLLS, inbox.account_id)
            pipe.execute()
        return before

    def remove(self, account_id: str) -> Inbox | None:
        """Turn the inbox of ``account_id`` off; returns it (None when there was none)."""
        with redis_errors():
            before = self.get(account_id)
            pipe = self._redis.pipeline()
            pipe.delete(inbox_key(account_id))
            pipe.zrem(POLLS, account_id)
            if before is not None:
                pipe.srem(team_inboxes_key(before.team_id), account_id)
            pipe.execute()
        return before

    def routed(self, account_ids: set[str]) -> set[str]:
        """Which of ``account_ids`` have an inbox (one round trip)."""
        ordered = sorted(account_ids)
        with redis_errors():
            pipe = self._redis.pipeline(transaction=False)
            for account_id in ordered:
                pipe.exists(inbox_key(account_id))
            found = pipe.execute()
        return {a for a, there in zip(ordered, found, strict=True) if there}

    def of_team(self, team_id: str) -> list[Inbox]:
        """The team's inboxes."""
        with redis_errors():
            accounts = sorted(str(a) for a in self._redis.smembers(team_inboxes_key(team_id)))
        found = [self.get(a) for a in accounts]
        return [i for i in found if i is not None and i.team_id == team_id]

    def forget_team(self, team_id: str) -> None:
        """Delete what is left of the team's inboxes (after each was removed): threads, their locks,
        pacing, the team's index and the posted comments' records."""
        delete_matching(
            self._redis,
            team_pattern(f"{PREFIX}inbox-thread:", team_id),
            team_pattern(f"{PREFIX}lock:inbox-thread:", team_id),
            team_pattern(f"{PREFIX}inbox-pace:", team_id),
        )
        with redis_errors():
            self._redis.delete(team_inboxes_key(team_id))
            for key in scan(self._redis, comment_key("*")):
                if self._redis.hget(key, "team_id") == team_id:
                    self._redis.delete(key)

    def claim(self, account_id: str, event: str) -> Claim:
        """Claim one comment or mention for posting (see `Claim`)."""
        args: list[str | int] = [self._run, int(self._clock()), ABANDONED_AFTER_SECONDS, SEEN_SECONDS]
        with redis_errors():
            result = int(self._claim(keys=[seen_key(account_id, event)], args=args))
        return {0: Claim.POSTED, 1: Claim.CLAIMED}.get(result, Claim.BUSY)

    def posted(self, account_id: str, event: str) -> None:
        """Mark a claimed event posted."""
        with redis_errors():
            self._redis.set(seen_key(account_id, event), "posted", ex=SEEN_SECONDS)

    def release(self, account_id: str, event: str) -> None:
        """Give a claim back (not posted: a retry may post it)."""
        with redis_errors():
            self._redis.delete(seen_key(account_id, event))

    def thread(self, team_id: str, channel_id: str, media_id: str) -> str:
        """The ts of the message that opened ``media_id``'s thread in the channel ("" when none)."""
        with redis_errors():
            return str(self._redis.get(thread_key(team_id, channel_id, media_id)) or "")

    def lock_thread(self, team_id: str, channel_id: str, media_id: str) -> str | None:
        """A short lock for opening the post's thread (one first message per post); None when taken."""
        token = uuid.uuid4().hex
        key = thread_lock_key(team_id, channel_id, media_id)
        with redis_errors():
            taken = self._redis.set(key, token, nx=True, ex=THREAD_LOCK_SECONDS)
        return token if taken else None

    def open_thread(self, team_id: str, channel_id: str, media_id: str, ts: str, lock: str) -> None:
        """Remember the post's thread and drop the lock."""
        with redis_errors():
            self._redis.set(thread_key(team_id, channel_id, media_id), ts, ex=KEPT_SECONDS)
            self.unlock_thread(team_id, channel_id, media_id, lock)

    def unlock_thread(self, team_id: str, channel_id: str, media_id: str, lock: str) -> None:
        """Drop the lock if it is still ours."""
        key = thread_lock_key(team_id, channel_id, media_id)
        with redis_errors():
            self._release(keys=[key], args=[lock])

    def save_comment(self, posted: PostedComment) -> None:
        """Remember a posted comment (its buttons look it up)."""
        with redis_errors():
            key = comment_key(posted.comment_id)
            pipe = self._redis.pipeline()
            pipe.hset(key, mapping={k: str(v) for k, v in asdict(posted).items()})
            pipe.expire(key, KEPT_SECONDS)
            pipe.execute()

    def comment(self, comment_id: str) -> PostedComment | None:
        """A posted comment, if igbot still knows it."""
        with redis_errors():
            raw = self._redis.hgetall(comment_key(comment_id))
        if not raw:
            return None
        try:
            return PostedComment(**_decode(PostedComment, raw))  # type: ignore[arg-type]
        except TypeError:
            return None

    def reserve_slot(self, team_id: str, channel_id: str, step_ms: int) -> int:
        """Milliseconds until this post's turn in the channel (Slack said to slow down); each call takes
        the next slot, ``step_ms`` after the one before."""
        key = pace_key(team_id, channel_id)
        with redis_errors():
            return int(self._slot(keys=[key], args=[int(self._clock() * 1000), step_ms]))

    def take_due_polls(self, limit: int = 50, default_interval: int = 60) -> list[str]:
        """Accounts due for a read, each moved ``default_interval`` ahead."""
        with redis_errors():
            due = self._take_due(keys=[POLLS], args=[int(self._clock()), default_interval, limit])
        return [str(a) for a in due]
