"""Exactly one answer per job (`bot.jobs.once`) against a real Redis, including the fault where Redis
ran a claim and its reply was lost on the way back (redis-py then sends the claim again)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from bot.jobs.once import ABANDONED_AFTER_SECONDS, OnceReply, sent_key
from bot.storage.connection import connect


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


def test_a_second_run_skips_answers_sent_or_freshly_claimed_by_the_first(redis_client: redis.Redis) -> None:
    sent: list[str] = []
    first = OnceReply(redis_client, "job-two-runs", lambda answer: sent.append("first:" + answer["text"]))
    first({"text": "a"})
    redis_client.hset(sent_key("job-two-runs"), "2", f"claimed:otherrun:{int(time.time())}")
    second = OnceReply(redis_client, "job-two-runs", lambda answer: sent.append("second:" + answer["text"]))
    second({"text": "a"})
    second({"text": "b"})
    second({"text": "c"})
    assert sent == ["first:a", "second:c"]


def test_a_claim_left_by_a_run_that_died_is_taken_over(redis_client: redis.Redis) -> None:
    sent: list[str] = []
    stale = int(time.time()) - ABANDONED_AFTER_SECONDS - 1
    redis_client.hset(sent_key("job-abandoned"), "1", f"claimed:deadrun:{stale}")
    OnceReply(redis_client, "job-abandoned", lambda answer: sent.append(answer["text"]))({"text": "late"})
    assert sent == ["late"]
