"""Real-time pushes: a new post wakes the matching subscriptions with a signed JSON array, delivered from
background threads and retried when the callback fails."""

from __future__ import annotations

import time

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from igbot_sandboxes.instagram.legacy.pushes import DEFAULT_RETRY_DELAYS, DEFAULT_TIMEOUT_SECONDS
from tests.sandboxes.instagram.callback_server import CallbackServer
from tests.sandboxes.instagram.conftest import CLIENT_SECRET, TIMEOUT, FakeClock, add_media, subscribe


def uid(sandbox: InstagramSandbox, username: str) -> str:
    user = sandbox.world.user_by_username(username)
    assert user is not None
    return user.id


def place(sandbox: InstagramSandbox, name: str) -> str:
    return next(loc.id for loc in sandbox.world.locations if loc.name == name)


def test_a_tagged_post_pushes_a_signed_array_to_the_tag_subscription(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer, clock: FakeClock
) -> None:
    sub = subscribe(base, callback.url(), "tag", object_id="sunset").json()["data"]

    answer = add_media(base, username="bob", caption="Golden hour", tags=["sunset"])

    assert answer.status_code == 200
    (push,) = callback.wait_pushes(1)
    assert push.signed_by(CLIENT_SECRET) and not push.signed_by("another-secret")
    assert push.headers["content-type"] == "application/json"
    assert push.updates() == [
        {
            "changed_aspect": "media",
            "object": "tag",
            "object_id": "sunset",
            "time": int(clock.now),
            "subscription_id": int(sub["id"]),
            "data": {},
        }
    ]
    assert push.body.startswith(b'[{"changed_aspect": "media", "object": "tag"')  # json.dumps separators
    (attempt,) = sandbox.wait_pushes_idle()
    assert (attempt.url, attempt.attempt, attempt.status, attempt.outcome) == (
        callback.url(),
        1,
        200,
        "delivered",
    )
    assert attempt.body == push.body.decode() and attempt.subscription_ids == (int(sub["id"]),)


def test_user_subscriptions_cover_users_who_authorized_the_client(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "user")
    add_media(base, username="bob", caption="no token yet")
    sandbox.wait_pushes_idle()
    assert callback.pushes == []

    sandbox.issue_token("bob")
    sandbox.issue_token("carol.private")
    bobs = add_media(base, username="bob", caption="now authorized").json()
    carols = add_media(base, username="carol.private", caption="private, but authorized").json()

    first, second = callback.wait_pushes(2)
    pushed = {p.updates()[0]["data"]["media_id"]: p.updates()[0] for p in (first, second)}
    assert set(pushed) == {bobs["id"], carols["id"]}
    assert pushed[bobs["id"]]["object"] == "user" and pushed[bobs["id"]]["object_id"] == uid(sandbox, "bob")
    assert bobs["id"].endswith("_" + uid(sandbox, "bob"))


def test_revoked_users_are_no_longer_pushed(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "user")
    sandbox.issue_token("bob")
    sandbox.revoke("bob")

    add_media(base, username="bob", caption="after revoking")

    assert sandbox.wait_pushes_idle() == [] and callback.pushes == []


def test_location_and_geography_subscriptions(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    dolores = place(sandbox, "Dolores Park")
    subscribe(base, callback.url("/loc"), "location", object_id=dolores)
    geo = subscribe(base, callback.url("/geo"), "geography", lat="37.7596", lng="-122.4269", radius="1000")
    geography_id = geo.json()["data"]["object_id"]

    add_media(base, username="bob", caption="in the park", location_id=dolores)
    add_media(base, username="bob", caption="Tartine is 400 m away", lat=37.7614, lng=-122.4241)
    add_media(base, username="bob", caption="far away", location_id=place(sandbox, "Tower Bridge"))
    sandbox.wait_pushes_idle()

    at = {
        path: [p.updates()[0]["object_id"] for p in callback.pushes if p.path == path]
        for path in ("/loc", "/geo")
    }
    assert at == {"/loc": [dolores], "/geo": [geography_id, geography_id]}


def test_private_posts_wake_no_tag_location_or_geography_subscription(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    subscribe(base, callback.url(), "geography", lat="37.7596", lng="-122.4269")

    add_media(base, username="carol.private", caption="#sunset", lat=37.7596, lng=-122.4269)

    assert sandbox.wait_pushes_idle() == []


def test_one_post_one_push_per_callback_url(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    tag = subscribe(base, callback.url(), "tag", object_id="sunset").json()["data"]["id"]
    other = subscribe(base, callback.url(), "tag", object_id="beach").json()["data"]["id"]
    elsewhere = subscribe(base, callback.url("/other"), "tag", object_id="beach").json()["data"]["id"]

    add_media(base, username="bob", caption="#sunset at the #beach")

    pushes = sorted(sandbox.wait_pushes_idle(), key=lambda p: p.url)
    assert [(p.url, p.subscription_ids) for p in pushes] == [
        (callback.url(), (int(tag), int(other))),
        (callback.url("/other"), (int(elsewhere),)),
    ]


def test_a_failing_callback_is_retried_with_backoff(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    callback.post_statuses = [500, 503]

    add_media(base, username="bob", caption="#sunset")

    attempts = sandbox.wait_pushes_idle()
    assert [(a.attempt, a.status, a.outcome) for a in attempts] == [
        (1, 500, "retrying"),
        (2, 503, "retrying"),
        (3, 200, "delivered"),
    ]
    assert len({a.delivery for a in attempts}) == 1 and len({a.body for a in attempts}) == 1
    assert [p.answered for p in callback.pushes] == [500, 503, 200]


def test_a_callback_that_always_fails_is_given_up_after_four_attempts(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    callback.post_statuses = [500] * 10

    started = time.monotonic()
    add_media(base, username="bob", caption="#sunset")
    attempts = sandbox.wait_pushes_idle()

    assert [(a.attempt, a.outcome) for a in attempts] == [
        (1, "retrying"),
        (2, "retrying"),
        (3, "retrying"),
        (4, "failed"),
    ]
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2  # the backoff of this sandbox


def test_a_callback_too_slow_to_answer_times_out_and_is_retried(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    callback.post_delay = 1.5  # the sandbox waits 1 s here (3 s by default)

    answered = time.monotonic()
    add_media(base, username="bob", caption="#sunset")
    # The control never waits for the push: one that did would answer after the push's 1 s timeout at
    # the earliest (the callback takes 1.5 s); it answers in milliseconds.
    assert time.monotonic() - answered < 1.0

    callback.wait_pushes(1)
    callback.post_delay = 0.0
    attempts = sandbox.wait_pushes_idle()
    assert (attempts[0].status, attempts[0].error, attempts[0].outcome) == (None, "timeout", "retrying")
    assert attempts[-1].outcome == "delivered"


def test_the_pushes_control_waits_for_idle_and_lists_attempts(base: str, callback: CallbackServer) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    callback.post_statuses = [500]
    add_media(base, username="bob", caption="#sunset")

    answer = requests.get(f"{base}/__sandbox__/pushes", params={"wait": "5"}, timeout=TIMEOUT).json()

    assert answer["idle"] is True and answer["pending"] == 0
    assert [(p["attempt"], p["status"], p["outcome"]) for p in answer["pushes"]] == [
        (1, 500, "retrying"),
        (2, 200, "delivered"),
    ]
    assert set(answer["pushes"][0]) >= {"url", "body", "signature", "subscription_ids", "error", "elapsed_ms"}
    bad = requests.get(f"{base}/__sandbox__/pushes", params={"wait": "soon"}, timeout=TIMEOUT)
    assert bad.status_code == 400


def test_reset_drops_queued_retries_and_forgets_pushes(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    slow = InstagramSandbox(push_retry_delays=(30.0,))
    server = slow.start()
    try:
        subscribe(server.url, callback.url(), "tag", object_id="sunset")
        callback.post_statuses = [500]
        add_media(server.url, username="bob", caption="#sunset")
        callback.wait_pushes(1)
        assert slow.pending_pushes() == 1  # waiting 30 s before its retry

        slow.reset()

        assert slow.wait_pushes_idle(2.0) == [] and slow.subscriptions() == []
        assert len(callback.pushes) == 1
    finally:
        slow.stop()


def test_stop_ends_the_delivery_threads_and_a_new_push_starts_them(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")
    add_media(base, username="bob", caption="#sunset")
    sandbox.wait_pushes_idle()

    sandbox._state.pushes.stop()
    sandbox.add_media("bob", caption="#sunset again")

    assert len(sandbox.wait_pushes_idle()) == 2 and len(callback.pushes) == 2


def test_wait_pushes_idle_times_out_with_a_report(base: str, callback: CallbackServer) -> None:
    slow = InstagramSandbox(push_retry_delays=(30.0,))
    server = slow.start()
    try:
        subscribe(server.url, callback.url(), "tag", object_id="sunset")
        callback.post_statuses = [500]
        slow.add_media("bob", caption="#sunset")
        with pytest.raises(TimeoutError, match="1 push"):
            slow.wait_pushes_idle(0.3)
    finally:
        slow.stop()


def test_the_default_schedule_is_three_seconds_and_three_retries() -> None:
    assert (DEFAULT_TIMEOUT_SECONDS, DEFAULT_RETRY_DELAYS) == (3.0, (0.5, 1.0, 2.0))
    with pytest.raises(ValueError):
        InstagramSandbox(push_timeout_seconds=0)
