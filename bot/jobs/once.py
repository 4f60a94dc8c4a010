"""Exactly one answer although a job may run twice (re-delivery after a crash, a retry, or two
workers holding the same job for a moment).

Each answer a job sends has a number (first, second, ...). Before posting answer n, a run claims n
in the job's hash (``HSETNX``); after Slack took it, the claim becomes "sent". Another run of the same
job skips every answer that is sent or claimed, so two runs at once post each answer once. A claim
left by a run that died while posting is taken over after ``ABANDONED_AFTER_SECONDS``; only a crash in
the instant between Slack's "ok" and the record can then repeat one answer.
"""

from __future__ import annotations

import logging
import time
import uuid

import redis

from bot.slack.blocks import Message
from bot.slack.invocation import Reply
from bot.storage.errors import redis_errors
from bot.storage.keys import PREFIX

log = logging.getLogger(__name__)
SENT_TTL_SECONDS = 2 * 3600  # longer than a response URL lives (30 minutes) and a job may be retried
# A claim lives only while its answer is posted (at most the response URL timeout, 2 s). A crashed run's
# job comes back after the broker's heartbeat timeout (10 s): by then its claim counts as abandoned.
ABANDONED_AFTER_SECONDS = 5
SENT = "sent"

# Claim answer ARGV[1] for this run unless it is sent or freshly claimed by another run. This run's
# own claim counts as won: redis-py re-sends the script when the reply to its first try was lost (Redis
# ran it, then the connection broke), and that second try must not skip the answer.
_CLAIM = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  if current == 'sent' then return 0 end
  local run, at = string.match(current, '^claimed:([^:]+):(%d+)$')
  if run ~= ARGV[2] and tonumber(ARGV[3]) - tonumber(at or '0') < tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], 'claimed:' .. ARGV[2] .. ':' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def sent_key(job_id: str) -> str:
    """The hash of answers claimed or delivered for one job: field = answer number."""
    return f"{PREFIX}sent:{job_id}"


class OnceReply:
    """Wraps ``reply`` so that each answer of job ``job_id`` reaches Slack once.

    Args:
        client: a redis-py client.
        job_id: stable across runs of the same job (Dramatiq's message id).
        reply: delivers one answer; raises when Slack could not take it (the job is retried).
    """

    def __init__(self, client: redis.Redis, job_id: str, reply: Reply) -> None:
        self._redis = client
        self._key = sent_key(job_id)
        self._reply = reply
        self._count = 0
        self._run = uuid.uuid4().hex[:12]
        self._claim = client.register_script(_CLAIM)

    def __call__(self, answer: Message) -> None:
        self._count += 1
        number = str(self._count)
        with redis_errors():
            args: list[str | int] = [
                number,
                self._run,
                int(time.time()),
                ABANDONED_AFTER_SECONDS,
                SENT_TTL_SECONDS,
            ]
            if not self._claim(keys=[self._key], args=args):
                log.debug("answer %s of this job is sent or being sent by another run; skipped", number)
                return
        try:
            self._reply(answer)
        except BaseException:
            with redis_errors():
                self._redis.hdel(self._key, number)  # not delivered: a retry may send it
            raise
        try:  # delivered: a lost record only means a later run skips it while the claim is fresh
            self._redis.hset(self._key, number, SENT)
        except (redis.RedisError, OSError) as exc:
            log.warning("an answer was delivered but not recorded as sent (%s)", type(exc).__name__)
