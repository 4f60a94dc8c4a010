"""Dependencies failing under a running bot (docs/security.md, section 4): Instagram slow, down, limiting
or talking nonsense, a token revoked mid-command, Redis killed and restarted mid-run, Slack's
response_url failing. The user always gets the promised answer, the process keeps serving, and nothing
is left half done. Each injected fault is counted in the figures table.

A job that meets a transient failure (timeout, 5xx, a malformed answer, a refused connection) runs again
up to `MAX_RETRIES` times before the user is told; a fault the user must see is therefore injected for
every attempt (`ATTEMPTS`), and the test checks that every attempt met it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import redis

from bot.core.jobs import MAX_RETRIES
from bot.slack.responder import RESPONSE_URL_TIMEOUT_SECONDS
from bot.storage.embedded import EmbeddedRedis
from bot.storage.keys import link_key, state_key
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import (
    REDIS_CONNECTION_LOST,
    RESPONSE_URL_REFUSED,
    RESPONSE_URL_TIMED_OUT,
    LogWindow,
    RawFault,
    RawFaults,
    ResponseUrlStub,
    SilentServer,
    alive,
    answer,
    command_body,
    consent,
    crash,
    login_url,
    open_callback,
    pending_faults,
    query_param,
    response_url,
    send_signed,
)
from tests.stack import TEAM, Stack, start_stack

DOWN = "Instagram didn't answer; nothing was changed"
LIMITED = "Instagram is limiting requests; try again in about"
STORAGE = "igbot can't reach its storage"
STORAGE_UNSURE = "may or may not run"
JSON = {"Content-Type": "application/json"}
ATTEMPTS = 1 + MAX_RETRIES  # runs of a job that keeps meeting a transient failure

Inject = Callable[[Stack, RawFaults, int], None]  # the fault for the next ``n`` Instagram requests


def _sandbox(**fault: Any) -> Inject:
    return lambda stack, raw, n: stack.instagram.inject_faults(n, **fault)


def _raw(fault: RawFault) -> Inject:
    def add(stack: Stack, raw: RawFaults, n: int) -> None:
        for _ in range(n):
            raw.add(fault)

    return add


def _times(expected: str) -> int:
    """How often to inject a fault whose message the user must read: once per attempt of the job when
    it is transient (retried), once when it is final (a rate limit is answered at once)."""
    return ATTEMPTS if expected == DOWN else 1


# (name, how, command, what the user must read)
INSTAGRAM_FAULTS: list[tuple[str, Inject, str, str]] = [
    ("read timeout", _sandbox(status=None, latency_ms=1500), "follow dan_the_man", DOWN),
    ("500 with nginx's HTML page", _sandbox(status=500), "popular 2", DOWN),
    ("502 with a v1 error envelope", _sandbox(status=502, error_type="APIError"), "user bob", DOWN),
    ("503", _sandbox(status=503), "unfollow dan_the_man", DOWN),
    ("504", _sandbox(status=504), "follow dan_the_man", DOWN),
    ("429 with rate-limit headers", _sandbox(status=429), "follow dan_the_man", f"{LIMITED} 60 minutes"),
    ("429 without any header or body", _raw(RawFault(429)), "popular 2", f"{LIMITED} 60 minutes"),
    ("429 with Retry-After: 120", _raw(RawFault(429, headers={"Retry-After": "120"})), "user bob",
     f"{LIMITED} 2 minutes"),
    ("200 with malformed JSON", _sandbox(malformed=True), "user bob", DOWN),
    ("200 with an HTML page", _raw(RawFault(200, b"<html>oops</html>", {"Content-Type": "text/html"})),
     "follow dan_the_man", DOWN),
    ("200 with an empty body", _raw(RawFault(200)), "popular 1", DOWN),
    ("200 with JSON but no envelope", _raw(RawFault(200, b'{"data": []}', JSON)), "user bob", DOWN),
    ("200 with meta.code 500", _raw(RawFault(200, b'{"meta": {"code": 500}}', JSON)), "popular 1", DOWN),
    ("answer cut short", _raw(RawFault(200, b'{"meta": {"code": 200}, "da', JSON, content_length=4096)),
     "follow dan_the_man", DOWN),
]  # fmt: skip


def _run_faults(stack: Stack, faults: list[tuple[int, tuple[str, Inject, str, str]]]) -> None:
    """Inject each fault, send its command, check the answer; then nothing changed and nothing is left."""
    raw = RawFaults(stack)
    stack.link("alice")
    before = stack.instagram.follows_of("alice")
    for index, (name, inject, text, expected) in faults:
        inject(stack, raw, _times(expected))
        channel = f"C0FAULT{index}"
        ack = stack.command(text, channel_id=channel)
        said = answer(stack, channel).all_text()
        survived = ack.status == 200 and expected in said and alive(stack)
        assert FIGURES.fault(name, survived), (name, ack.status, said)
        FIGURES.commands(1, 1)
    assert stack.wait_idle()
    assert stack.instagram.follows_of("alice") == before
    raw_faults = [expected for _, (_, how, _, expected) in faults if how.__qualname__.startswith("_raw")]
    assert raw.served == sum(_times(expected) for expected in raw_faults), "an attempt missed its fault"
    assert pending_faults(stack) == 0, "an attempt missed its fault"
    assert stack.services.links.get(TEAM, "U0ALICE") is not None, "a transient fault removed the link"


def test_every_instagram_failure_gets_its_message_changes_nothing_and_the_bot_lives_on(
    make_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    # Most of this is waiting out retries' backoff, one fault after another: two stacks (each with its
    # own sandbox and Redis, so their faults and jobs never mix) take half the faults each, side by side.
    second = EmbeddedRedis(tmp_path / "redis")
    stacks = [make_stack(read_timeout=0.5), make_stack(second.start(), read_timeout=0.5)]
    try:
        faults = list(enumerate(INSTAGRAM_FAULTS))
        with ThreadPoolExecutor(2, thread_name_prefix="faults") as pool:
            runs = [pool.submit(_run_faults, stack, faults[i::2]) for i, stack in enumerate(stacks)]
            for run in runs:
                run.result()
    finally:
        stacks[1].close()
        second.stop()


def test_a_timeout_on_the_follow_itself_never_claims_nothing_changed(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(read_timeout=0.3)
    stack.link("alice")
    dan = stack.instagram.world.user_by_username("dan_the_man")
    assert dan is not None
    stack.instagram.inject_faults(
        1, status=None, latency_ms=800, path_prefix=f"/v1/users/{dan.id}/relationship"
    )
    stack.command("follow dan_the_man", channel_id="C0SLOWPOST")
    said = answer(stack, "C0SLOWPOST").all_text()
    deadline = time.monotonic() + 30
    while not any(
        r["path"].endswith("/relationship") and r["status"] for r in stack.instagram.requests_log()
    ):
        assert time.monotonic() < deadline, "the held follow never finished"  # else the check is empty
        time.sleep(0.02)  # polling the sandbox until its delayed request has finished
    followed = "dan_the_man" in stack.instagram.follows_of("alice")["follows"]
    assert not (followed and "nothing was changed" in said), said


def test_instagram_refusing_connections_then_coming_back(
    make_stack: Callable[..., Stack], redis_client: redis.Redis
) -> None:
    stack = make_stack()
    stack.link("alice")
    approval = consent(stack, _login(stack, "U0BOB", "C0BOBLOGIN"), username="bob")  # code not used yet
    port = stack.servers[0].port
    stack.servers[0].stop()  # the Instagram sandbox: connections are now refused
    texts = ("follow dan_the_man", "popular 3", "user bob")
    for index, text in enumerate(texts):  # all at once: each waits out its retries
        stack.command(text, channel_id=f"C0REFUSED{index}")
    for index, text in enumerate(texts):
        survived = DOWN in answer(stack, f"C0REFUSED{index}").all_text() and alive(stack)
        assert FIGURES.fault(f"connection refused during /ig {text}", survived)
        FIGURES.commands(1, 1)
    # A link approved just before: the exchange is refused, the page says so, the link stays usable.
    page = open_callback(stack, approval)
    assert page.status_code == 400 and "press the Connect Instagram button again" in page.text
    state = query_param(approval, "state")
    assert redis_client.exists(state_key(state)), "the pending link was lost"
    assert FIGURES.fault("connection refused during the code exchange", True)

    stack.servers.append(stack.instagram.start(port=port))  # Instagram is back on the same address
    assert open_callback(stack, approval).status_code == 200  # the very same redirect now works
    stack.wait_message("Connected as @bob", user_id="U0BOB")
    stack.command("follow dan_the_man", channel_id="C0BACK")
    assert "You now follow @dan_the_man" in answer(stack, "C0BACK").all_text()
    FIGURES.commands(1, 1)


def _login(stack: Stack, user_id: str, channel_id: str) -> str:
    stack.command("login", user_id=user_id, channel_id=channel_id)
    return login_url(answer(stack, channel_id))


TOKEN_ENDPOINT_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("503 from the token endpoint", {"status": 503}),
    ("429 from the token endpoint", {"status": 429}),
    ("token endpoint timeout", {"status": None, "latency_ms": 1200}),
]


def test_a_transient_exchange_failure_keeps_the_same_link_usable(
    make_stack: Callable[..., Stack], redis_client: redis.Redis
) -> None:
    stack = make_stack(read_timeout=0.5)
    for index, (name, fault) in enumerate(TOKEN_ENDPOINT_FAULTS):
        user = f"U0RETRY{index}"
        url = _login(stack, user, f"C0RETRY{index}")
        stack.instagram.inject_faults(1, path_prefix="/oauth/access_token", **fault)
        failed = open_callback(stack, consent(stack, url, username="bob"))
        kept = redis_client.exists(state_key(query_param(url, "state")))
        retried = open_callback(stack, consent(stack, url, username="bob"))  # the same button again
        survived = failed.status_code == 400 and bool(kept) and retried.status_code == 200
        assert FIGURES.fault(name, survived), (name, failed.status_code, kept, retried.status_code)
        assert redis_client.exists(link_key(TEAM, user))


def test_a_token_revoked_in_the_middle_of_a_command(
    make_stack: Callable[..., Stack], redis_client: redis.Redis
) -> None:
    stack = make_stack()
    stack.link("alice")
    dan = stack.instagram.world.user_by_username("dan_the_man")
    assert dan is not None
    relationship = f"/v1/users/{dan.id}/relationship"
    # The search goes through; the follow itself is held for a moment, and the token revoked meanwhile
    # (the hold is the time this test has to notice the request and revoke: ample on a loaded machine).
    stack.instagram.inject_faults(1, status=None, latency_ms=2000, path_prefix=relationship)
    stack.command("follow dan_the_man", channel_id="C0REVOKED")
    deadline = time.monotonic() + 30
    while not any(r["path"] == relationship for r in stack.instagram.requests_log()):
        assert time.monotonic() < deadline, "the follow request never reached Instagram"
        time.sleep(0.01)  # polling the sandbox's request log for the held request
    assert stack.instagram.revoke(username="alice") >= 1
    told = answer(stack, "C0REVOKED")
    survived = "connection has expired" in told.all_text() and bool(login_url(told)) and alive(stack)
    assert FIGURES.fault("token revoked mid-command", survived), told.all_text()
    FIGURES.commands(1, 1)
    assert redis_client.keys("igbot:link:*") == []
    assert "dan_the_man" not in stack.instagram.follows_of("alice")["follows"]
    # The login button resumes the command once the user approves again.
    assert open_callback(stack, consent(stack, login_url(told))).status_code == 200
    stack.wait_message("You now follow @dan_the_man", user_id="U0ALICE")


# --- Redis killed and restarted while commands keep coming -----------------------------------------


def _answered_once(found: list[Any]) -> bool:
    """One answer; or, for a command Redis took while dying, the ack that says it may or may not run
    and then at most its one answer (the enqueue was written before the reply to it was lost)."""
    if len(found) == 1:
        return True
    return len(found) == 2 and found[0].source == "ack" and STORAGE_UNSURE in found[0].all_text()


RUN = ["me", "follow dan_the_man", "popular 1", "unfollow dan_the_man", "help", "user bob"]


def test_redis_killed_and_restarted_during_a_run_of_commands(
    make_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    stack = make_stack(server.start(), expect_errors=[REDIS_CONNECTION_LOST])
    restarted: EmbeddedRedis | None = None
    users = [f"U0RUN{i}" for i in range(4)]
    for index, user in enumerate(users):
        stack.link(("alice", "bob", "chloemurphy", "aishasilva")[index], user_id=user)
    pending = _login(stack, "U0PENDING", "C0PENDING")  # a login link issued before the crash
    sent: list[str] = []
    stop = threading.Event()

    def keep_sending() -> None:
        for number in itertools.count():
            if stop.is_set():
                return
            channel = f"C0RUN{number}"
            result = stack.command(
                RUN[number % len(RUN)], user_id=users[number % len(users)], channel_id=channel
            )
            assert result.status == 200, result.raw_text
            sent.append(channel)

    def wait_sent(count: int) -> None:
        # Each command waits for its ack (up to Slack's 3 s): flowing means one more was sent lately.
        last, progress_at = len(sent), time.monotonic()
        while len(sent) < count:
            if len(sent) > last:
                last, progress_at = len(sent), time.monotonic()
            assert sender.is_alive(), "the sender stopped (its assertion is in the output above)"
            assert time.monotonic() - progress_at < 20, f"commands stopped flowing at {len(sent)} sent"
            time.sleep(0.01)  # waiting for the sender thread to make progress

    sender = threading.Thread(target=keep_sending, name="command-sender")
    sender.start()
    try:
        wait_sent(12)
        crash(server, clean_up=False)  # nothing saved beyond the append-only file
        killed_at = len(sent)
        wait_sent(killed_at + 12)
        health = stack.igbot.services.storage_ok()
        restarted = EmbeddedRedis(tmp_path / "redis", socket_path=server.socket_path)
        restarted.start()
        restarted_at = len(sent)
        wait_sent(restarted_at + 12)
    finally:
        stop.set()
        sender.join(20)
    try:
        answers = {channel: stack.slack.messages(channel_id=channel) for channel in sent}
        deadline = time.monotonic() + 30  # a bound for answers that never come; the check below says which
        while any(not found for found in answers.values()) and time.monotonic() < deadline:
            time.sleep(0.05)  # the last answers are still on their way
            answers = {channel: stack.slack.messages(channel_id=channel) for channel in sent}
        assert stack.wait_idle()
        answers = {channel: stack.slack.messages(channel_id=channel) for channel in sent}
        answered = sum(1 for found in answers.values() if _answered_once(found))
        FIGURES.commands(len(sent), answered)
        assert answered == len(sent), {
            c: [m.describe() for m in f] for c, f in answers.items() if not _answered_once(f)
        }
        down_answers = [answers[c][0].all_text() for c in sent[killed_at + 2 : restarted_at]]
        assert not health, "healthz would have said ok while Redis was down"
        assert any(STORAGE in text for text in down_answers), down_answers
        # Recovered by itself: no restart of the bot, the links written before the crash are there.
        lost = sum(1 for user in users if stack.services.links.get(TEAM, user) is None)
        FIGURES.links(len(users), lost)
        assert lost == 0
        assert stack.igbot.services.storage_ok() and alive(stack)
        assert open_callback(stack, consent(stack, pending, username="bob")).status_code == 200
        assert FIGURES.fault("Redis killed and restarted mid-run", True)
    finally:
        stack.close()
        if restarted is not None:
            crash(restarted)
        crash(server)


def test_a_callback_during_a_redis_outage_keeps_the_link_usable(
    make_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    stack = make_stack(server.start(), expect_errors=[REDIS_CONNECTION_LOST])
    restarted = EmbeddedRedis(tmp_path / "redis", socket_path=server.socket_path)
    try:
        approval = consent(stack, _login(stack, "U0ALICE", "C0OUTAGE"))
        crash(server, clean_up=False)
        page = open_callback(stack, approval)
        assert page.status_code == 503 and "storage" in page.text
        restarted.start()
        survived = open_callback(stack, approval).status_code == 200
        assert FIGURES.fault("Redis down during the OAuth callback", survived)
        assert stack.services.links.get(TEAM, "U0ALICE") is not None
    finally:
        stack.close()
        crash(restarted)
        crash(server)


# --- Slack's response_url failing ------------------------------------------------------------------


def test_a_failing_response_url_neither_crashes_nor_blocks_the_bot(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(expect_errors=[RESPONSE_URL_REFUSED])  # slack_sdk's line for the closed port
    stubs = [ResponseUrlStub(500), ResponseUrlStub(404, b'{"ok": false, "error": "expired_url"}')]
    targets = [stub.start() for stub in stubs] + ["http://127.0.0.1:9/closed-port"]
    try:
        # All three at once (each its own user): 500 and a refused connection are retried, then given
        # up; 404 expired_url goes through the Web API instead. Either way each job ends without an error.
        window = LogWindow(stack)
        acks = [
            send_signed(stack, command_body("me", user_id=f"U0RURL{index}", response_url=target))
            for index, target in enumerate(targets)
        ]
        idle = stack.wait_idle()
        finished = bool(idle) and window.errors([RESPONSE_URL_REFUSED]) == []
        for target, ack in zip(targets, acks, strict=True):
            survived = ack.status_code == 200 and finished and alive(stack)
            name = f"response_url {target.rsplit('/', 2)[-2:]}"
            assert FIGURES.fault(name, survived), (idle, window.errors())
        assert len(stubs[0].posts) == ATTEMPTS, "a 500 from Slack is retried, then given up"
        assert stubs[1].posts, "the bot did not try to answer"
        fallbacks = [c.params.get("user") for c in stack.slack.api_calls("chat.postEphemeral")]
        assert fallbacks == ["U0RURL1"], "an expired response_url's answer goes privately via the Web API"
    finally:
        for stub in stubs:
            stub.stop()


def test_a_link_made_through_a_prompt_whose_response_url_fails_still_resumes_its_command(
    redis_client: redis.Redis, redis_url: str
) -> None:
    # Its own stack, not make_stack: the failure this documents would also fail make_stack's teardown.
    stack = start_stack(redis_url)
    stub = ResponseUrlStub(500)
    target = stub.start()
    try:
        window = LogWindow(stack)
        prompt = command_body("follow dan_the_man", user_id="U0RURLX", response_url=target)
        assert send_signed(stack, prompt).status_code == 200
        assert stack.wait_idle()
        last_post = stub.posts[-1]
        button_url = next(
            e["url"] for b in last_post.get("blocks", []) for e in b.get("elements", [])
            if isinstance(e, dict) and "/oauth/authorize" in str(e.get("url", ""))
        )  # fmt: skip
        # The link and the resumed command still happen; only the Slack side notes are lost.
        assert open_callback(stack, consent(stack, button_url)).status_code == 200
        assert stack.wait_idle()
        assert window.errors() == []
        deadline = time.monotonic() + 60  # the resumed follow, however loaded the machine
        while "dan_the_man" not in stack.instagram.follows_of("alice")["follows"]:
            if time.monotonic() > deadline:
                log = stack.worker_log.read_text(errors="replace")[-4000:] if stack.worker_log else ""
                raise AssertionError(f"the resumed follow never happened; posts {len(stub.posts)}; {log}")
            time.sleep(0.05)  # polling the sandbox for the follow
        assert FIGURES.fault("response_url failing after a link", alive(stack))
    finally:
        stub.stop()
        stack.close()


def test_a_response_url_that_never_answers_releases_the_worker_and_is_not_posted_blindly(
    make_stack: Callable[..., Stack],
) -> None:
    # One job at a time: a hung answer would block every other. The silent peer takes each post and
    # never answers: an unknown outcome, so the private answer is sent once more (bot.core.once) and
    # never again, and the job is not retried. slack_sdk logs an error line for each timeout.
    stack = make_stack(worker_threads=1, expect_errors=[RESPONSE_URL_TIMED_OUT])
    silent = SilentServer()
    try:
        send_signed(stack, command_body("me", user_id="U0HUNG", response_url=silent.url))
        url = response_url(stack, user_id="U0NEXT", channel_id="C0NEXT")
        send_signed(stack, command_body("me", user_id="U0NEXT", channel_id="C0NEXT", response_url=url))
        # The only worker thread gives up on the silent peer after the responder's timeout, twice,
        # then takes the next job.
        stack.slack.wait_for(lambda m: m.user_id == "U0NEXT", timeout=2 * RESPONSE_URL_TIMEOUT_SECONDS + 20)
        assert silent.connections() == 2, "the hung answer is posted, sent once more, and never again"
    finally:
        silent.close()
    assert stack.wait_idle(15)
