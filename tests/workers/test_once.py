"""Exactly one answer per job (`bot.core.once`) against a real Redis, including the fault where Redis
ran a claim and its reply was lost on the way back (redis-py then sends the claim again), and posts whose
outcome is unknown (`bot.slack.responder.OutcomeUnknown`) over real HTTP: never repeated blindly."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis

from bot.core.once import POSTING_SECONDS, OnceReply, maybe_posted_note, sent_key
from bot.slack.blocks import Message, message
from bot.slack.invocation import Invocation
from bot.slack.responder import OutcomeUnknown, SlackUnreachable, responder
from bot.storage.connection import connect
from bot.threaded_server import start_server
from tests.reliability.helpers import SilentServer, closed_port


class ReplyLosingProxy:
    """A TCP proxy to Redis that, once armed, forwards the next EVALSHA, lets Redis run it, then drops
    the connection instead of passing the reply on (a network cut at the worst moment)."""

    def __init__(self, upstream: dict[str, Any]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.armed = threading.Event()
        self.dropped = threading.Event()
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept, daemon=True)
        self._accept_thread.start()

    def _connect_upstream(self) -> socket.socket:
        path = self._upstream.get("path")
        if path:
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(path)
            return upstream
        return socket.create_connection((self._upstream["host"], self._upstream["port"]))

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        upstream = self._connect_upstream()
        try:
            while True:
                request = client.recv(65536)
                if not request:
                    return
                upstream.sendall(request)
                reply = upstream.recv(65536)
                if self.armed.is_set() and b"EVALSHA" in request.upper():
                    self.armed.clear()
                    self.dropped.set()
                    return  # Redis ran it; the reply never arrives
                client.sendall(reply)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        """Stop accepting and wait for the connection threads."""
        self._closed = True
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@contextmanager
def proxied(redis_url: str) -> Iterator[tuple[ReplyLosingProxy, redis.Redis]]:
    """A patient igbot client (`connect`) that reaches Redis through a `ReplyLosingProxy`."""
    options = redis.connection.parse_url(redis_url)
    proxy = ReplyLosingProxy(options)
    client = connect(f"redis://127.0.0.1:{proxy.port}/{options.get('db', 0)}")
    try:
        yield proxy, client
    finally:
        client.close()
        proxy.close()


def test_an_answer_whose_claim_reply_was_lost_is_still_sent_once(
    redis_client: redis.Redis, redis_url: str
) -> None:
    sent: list[str] = []
    with proxied(redis_url) as (proxy, client):
        once = OnceReply(client, "job-lost-reply", lambda answer: sent.append(answer["text"]))
        once({"text": "first"})  # loads the script: the next claim is a plain EVALSHA
        proxy.armed.set()
        once({"text": "second"})
        assert proxy.dropped.is_set(), "the proxy never cut a claim's reply"
        once({"text": "third"})
    assert sent == ["first", "second", "third"]
    assert redis_client.hgetall(sent_key("job-lost-reply")) == {"1": "sent", "2": "sent", "3": "sent"}


GALLERY = message("3 popular photos", in_channel=True)
NOTE = maybe_posted_note("popular 3")


class Slack:
    """A reply function standing in for the responder: records what was posted, raises what it is told."""

    def __init__(self, *failures: BaseException | None) -> None:
        self.failures = list(failures)
        self.posted: list[str] = []

    def __call__(self, answer: Message) -> None:
        failure = self.failures.pop(0) if self.failures else None
        if not isinstance(failure, SlackUnreachable):  # written: Slack may show it (OutcomeUnknown too)
            self.posted.append(str(answer["text"]))
        if failure is not None:
            raise failure


def test_a_second_run_skips_answers_sent_or_of_unknown_outcome(redis_client: redis.Redis) -> None:
    first = Slack()
    OnceReply(redis_client, "job-two-runs", first)({"text": "a"})
    redis_client.hset(sent_key("job-two-runs"), "2", "unknown")
    redis_client.hset(sent_key("job-two-runs"), "3", "told")
    second = Slack()
    again = OnceReply(redis_client, "job-two-runs", second, note=NOTE)
    for text in ("a", "b", "c", "d"):
        again({"text": text, "response_type": "in_channel"})
    # "b" was posted by a run whose outcome is unknown: its follow-up (the note) is owed, not "b" itself
    assert first.posted == ["a"] and second.posted == [NOTE["text"], "d"]


def test_a_second_run_waits_for_the_first_runs_post_and_skips_it_once_sent(
    redis_client: redis.Redis,
) -> None:
    # Two runs of one job at once (a job delivered twice): the second waits for the first's outcome.
    redis_client.hset(sent_key("job-at-once"), "1", f"claimed:firstrun:{int(time.time())}")
    first_posts = threading.Timer(0.5, lambda: redis_client.hset(sent_key("job-at-once"), "1", "sent"))
    first_posts.start()
    slack = Slack()
    try:
        OnceReply(redis_client, "job-at-once", slack, note=NOTE)(GALLERY)
    finally:
        first_posts.join()
    assert slack.posted == []


def test_a_claim_released_by_a_run_whose_post_never_left_is_posted_by_the_waiting_run(
    redis_client: redis.Redis,
) -> None:
    redis_client.hset(sent_key("job-released"), "1", f"claimed:firstrun:{int(time.time())}")
    release = threading.Timer(0.5, lambda: redis_client.hdel(sent_key("job-released"), "1"))
    release.start()
    slack = Slack()
    try:
        OnceReply(redis_client, "job-released", slack, note=NOTE)(GALLERY)
    finally:
        release.join()
    assert slack.posted == [GALLERY["text"]]


def test_a_claim_left_by_a_run_that_died_while_posting_is_never_posted_again(
    redis_client: redis.Redis,
) -> None:
    # A claim older than a live run takes to post: its run died while posting (its job re-delivered).
    # Whatever it was posting may be in the channel: the person is told privately, once.
    stale = int(time.time()) - POSTING_SECONDS - 1
    redis_client.hset(sent_key("job-died"), "1", f"claimed:deadrun:{stale}")
    slack = Slack()
    OnceReply(redis_client, "job-died", slack, note=NOTE)(GALLERY)
    OnceReply(redis_client, "job-died", slack, note=NOTE)(GALLERY)  # and a third run does nothing
    assert slack.posted == [NOTE["text"]]
    assert redis_client.hget(sent_key("job-died"), "1") == "told"


def test_a_channel_answer_slack_did_not_confirm_is_not_posted_again_the_person_is_told(
    redis_client: redis.Redis,
) -> None:
    slack = Slack(OutcomeUnknown("TimeoutError"))
    OnceReply(redis_client, "job-slow", slack, note=NOTE)(GALLERY)
    OnceReply(redis_client, "job-slow", slack, note=NOTE)(GALLERY)  # a later run of the same job
    assert slack.posted == [GALLERY["text"], NOTE["text"]]
    assert "may already be in the channel" in NOTE["text"] and "`/ig popular 3`" in NOTE["text"]
    assert NOTE["response_type"] == "ephemeral" and NOTE["replace_original"] is False


def test_a_private_answer_slack_did_not_confirm_is_sent_once_more_then_never_again(
    redis_client: redis.Redis,
) -> None:
    # The documented trade-off: a private answer may reach its person twice rather than not at all.
    slack = Slack(OutcomeUnknown("TimeoutError"), OutcomeUnknown("TimeoutError"))
    OnceReply(redis_client, "job-private", slack)(message("Linked to @alice"))
    OnceReply(redis_client, "job-private", slack)(message("Linked to @alice"))
    assert slack.posted == ["Linked to @alice", "Linked to @alice"]


def test_an_answer_that_never_left_is_sent_by_the_retry(redis_client: redis.Redis) -> None:
    slack = Slack(SlackUnreachable("URLError"))
    with pytest.raises(SlackUnreachable):  # the run fails: the job is retried
        OnceReply(redis_client, "job-unsent", slack, note=NOTE)(GALLERY)
    OnceReply(redis_client, "job-unsent", slack, note=NOTE)(GALLERY)
    assert slack.posted == [GALLERY["text"]]


def test_a_note_that_never_left_is_sent_by_the_retry(redis_client: redis.Redis) -> None:
    slack = Slack(OutcomeUnknown("TimeoutError"), SlackUnreachable("URLError"))
    with pytest.raises(SlackUnreachable):  # the run fails: the job is retried
        OnceReply(redis_client, "job-note", slack, note=NOTE)(GALLERY)
    OnceReply(redis_client, "job-note", slack, note=NOTE)(GALLERY)
    assert slack.posted == [GALLERY["text"], NOTE["text"]]


# --- the responder over real HTTP: what is "not sent" and what is "unknown" ------------------------


def _invocation(url: str) -> Invocation:
    return Invocation("T0", "U0ALICE", "alice", "C0GENERAL", url, "popular 3")


class HangUpAfterReading:
    """A response URL that reads the whole request, then closes without answering (a reset while the
    bot waits for Slack's answer). Counts the requests it received."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.requests += 1
        raise ConnectionAbortedError("hung up")  # werkzeug drops the connection without a response


def test_a_read_timeout_is_an_unknown_outcome_and_a_refused_connection_is_not() -> None:
    silent = SilentServer()  # takes the request (the kernel accepts it), never answers
    try:
        with pytest.raises(OutcomeUnknown):
            responder(_invocation(silent.url), timeout=1)(GALLERY)
        assert silent.connections() == 1
    finally:
        silent.close()
    with pytest.raises(SlackUnreachable):  # never sent: safe to retry
        responder(_invocation(f"http://127.0.0.1:{closed_port()}/respond/x"), timeout=1)(GALLERY)


def test_a_connection_closed_after_the_request_is_not_sent_again_by_slack_sdk() -> None:
    peer = HangUpAfterReading()
    server = start_server(peer, name="hang-up")
    try:
        with pytest.raises(OutcomeUnknown):
            responder(_invocation(f"{server.url}/respond/x"), timeout=5)(GALLERY)
    finally:
        server.stop()
    assert peer.requests == 1, "the post was sent again blindly"
