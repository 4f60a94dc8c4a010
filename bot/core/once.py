"""Exactly one answer although a job may run twice (re-delivery after a crash, a retry, or two
workers holding the same job for a moment), and no post repeated blindly when its outcome is unknown.

Each answer a job sends has a number (first, second, ...). Before posting answer n, a run claims n in
the job's hash (a script); once Slack answered, the claim becomes ``sent``. A post that failed before
its request was written (`SlackUnreachable`) releases the claim: the job's retry sends it. A post whose
outcome is unknown (`OutcomeUnknown`: the request was written, Slack's answer never came, e.g. a read
timeout) may be shown already, so it is recorded as ``unknown`` and never posted again.

Another run of the same job that finds a claim waits until it is sent, unknown or released. A claim
older than ``POSTING_SECONDS`` (longer than a live run takes to post one answer, timeouts included) was
left by a run that died while posting (a worker killed, its job re-delivered): Slack may show that
post, so it counts as unknown too. After an unknown outcome:

- an answer the whole channel sees (``in_channel``, not an edit of the original message) is **not**
  posted again: the person is told privately that it may already be in the channel and to run the
  command again if it isn't;
- a private answer (or an edit of the original message, which looks the same when applied twice) is
  sent once more: the person may see it twice, nobody else sees anything, and no answer is lost.

Then the answer is ``told`` and never touched again. The follow-up goes the same way as answers
(the response URL, the Web API when it is spent); if it fails before being sent, the job is retried and
the retry sends the follow-up (a private note sent twice is harmless); if its own outcome is unknown,
it is logged and left at that. A run that lives on past ``POSTING_SECONDS`` (stuck beyond its own
timeouts) can at worst cause one such private follow-up too early, never a second channel post.
"""

from __future__ import annotations

import logging
import time
import uuid

import redis

from bot.slack.blocks import Message, escape, message
from bot.slack.invocation import Reply
from bot.slack.responder import RESPONSE_URL_TIMEOUT_SECONDS, OutcomeUnknown
from bot.storage.errors import redis_errors
from bot.storage.keys import answers_key as sent_key

__all__ = ["OnceReply", "maybe_posted_note", "seen_by_channel", "sent_key"]

log = logging.getLogger(__name__)
SENT_TTL_SECONDS = 2 * 3600  # longer than a response URL lives (30 minutes) and a job may be retried
# A live run posts one answer within this: connecting and reading, each within the responder's timeout,
# plus a margin. The broker re-delivers a dead worker's job after about 10-15 s, so the re-run waits at
# most the rest of it before it sends the follow-up.
POSTING_SECONDS = 2 * RESPONSE_URL_TIMEOUT_SECONDS + 5
POLL_SECONDS = 0.2  # how often a run waiting for another run's claim looks again
SENT = "sent"
UNKNOWN = "unknown"  # posted, Slack's answer never came: never posted again; the follow-up is owed
TOLD = "told"  # the follow-up of an unknown outcome went out (or was tried): nothing more happens
WAIT = "wait"

# Claim answer ARGV[1] for run ARGV[2] at time ARGV[3]. Returns "post" (this run posts it), "sent" or
# "told" (nothing to do), "unknown" (send the follow-up) or "wait" (another run is posting it). Another
# run's claim older than ARGV[5] seconds (any age when 0) was left by a run that died while posting.
# This run's own claim counts as won: redis-py re-sends the script when the reply to its first try was
# lost (Redis ran it, then the connection broke).
_CLAIM = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == 'sent' or current == 'told' or current == 'unknown' then return current end
if current then
  local run, at = string.match(current, '^claimed:([^:]+):(%d+)$')
  if run ~= ARGV[2] then
    local max_age = tonumber(ARGV[5])
    if max_age > 0 and tonumber(ARGV[3]) - tonumber(at or '0') < max_age then return 'wait' end
    redis.call('HSET', KEYS[1], ARGV[1], 'unknown')
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    return 'unknown'
  end
end
redis.call('HSET', KEYS[1], ARGV[1], 'claimed:' .. ARGV[2] .. ':' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 'post'
"""

# Release answer ARGV[1] only while it is still this run's claim ARGV[2] (a run that found it meanwhile
# may have sent a follow-up: that record stays).
_RELEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
"""


def seen_by_channel(answer: Message) -> bool:
    """True for an answer posted as a new message everyone in the channel sees (a repeat would be seen
    by everyone); an edit or deletion of the original message looks the same when applied twice."""
    if answer.get("replace_original") or answer.get("delete_original"):
        return False
    return answer.get("response_type") == "in_channel"


def maybe_posted_note(command_text: str) -> Message:
    """The private note sent instead of posting a channel answer again after its outcome was unknown."""
    command = f"`/ig {escape(command_text.strip())}`" if command_text.strip() else "the command"
    note = message(
        f"Slack didn't confirm igbot's answer to {command} in time, so it may already be in the channel. "
        f"If you don't see it there, run {command} again."
    )
    note["replace_original"] = False  # a new private message, never an edit of the clicked one
    return note


class OnceReply:
    """Wraps ``reply`` so that each answer of job ``job_id`` reaches Slack once (see the module docstring).

    Args:
        client: a redis-py client.
        job_id: stable across runs of the same job (Dramatiq's message id).
        reply: delivers one answer; raises `SlackUnreachable` when Slack could not take it (the job is
            retried) and `OutcomeUnknown` when it may have.
        note: what the person is told privately after a channel answer's outcome was unknown.
    """

    def __init__(
        self, client: redis.Redis, job_id: str, reply: Reply, *, note: Message | None = None
    ) -> None:
        self._redis = client
        self._key = sent_key(job_id)
        self._reply = reply
        self._note = note or maybe_posted_note("")
        self._count = 0
        self._run = uuid.uuid4().hex[:12]
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    def __call__(self, answer: Message) -> None:
        self._count += 1
        number = str(self._count)
        state, claim = self._take(number)
        if state in (SENT, TOLD):
            log.debug("answer %s of this job was already delivered; skipped", number)
            return
        if state == UNKNOWN:
            log.warning("answer %s of this job was posted by an earlier run: outcome unknown", number)
            self._follow_up(number, answer)
            return
        try:
            self._reply(answer)
        except OutcomeUnknown as exc:
            log.warning(
                "Slack did not confirm answer %s (%s): outcome unknown, not posted again", number, exc
            )
            with redis_errors():
                self._redis.hset(self._key, number, UNKNOWN)
            self._follow_up(number, answer)
            return
        except BaseException:
            with redis_errors():
                self._release(keys=[self._key], args=[number, claim])  # not sent: a retry may send it
            raise
        try:  # delivered: a lost record only means a later run sends the follow-up instead
            self._redis.hset(self._key, number, SENT)
        except (redis.RedisError, OSError) as exc:
            log.warning("an answer was delivered but not recorded as sent (%s)", type(exc).__name__)

    def _take(self, number: str) -> tuple[str, str]:
        """Claim answer ``number``, waiting while another run is posting it (at most ``POSTING_SECONDS``
        from now, whatever the clocks of the two runs say). Returns the state and this run's claim."""
        waited_until = time.monotonic() + POSTING_SECONDS
        while True:
            now = int(time.time())
            max_age = POSTING_SECONDS if time.monotonic() < waited_until else 0
            with redis_errors():
                found = self._claim(
                    keys=[self._key], args=[number, self._run, now, SENT_TTL_SECONDS, max_age]
                )
            state = found.decode() if isinstance(found, bytes) else str(found)
            if state != WAIT:
                return state, f"claimed:{self._run}:{now}"
            time.sleep(POLL_SECONDS)  # another run is posting this answer: wait for its outcome

    def _follow_up(self, number: str, answer: Message) -> None:
        """After an unknown outcome: the private note for a channel answer, else the answer once more.
        Raises what ``reply`` raises when the follow-up was not sent (the job's retry sends it)."""
        channel = seen_by_channel(answer)
        try:
            self._reply(self._note if channel else answer)
        except OutcomeUnknown as exc:
            log.warning("Slack did not confirm the follow-up of answer %s either (%s)", number, exc)
        else:
            done = "told the person privately" if channel else "sent it once more, privately"
            log.info("answer %s had an unknown outcome; %s", number, done)
        with redis_errors():
            self._redis.hset(self._key, number, TOLD)
