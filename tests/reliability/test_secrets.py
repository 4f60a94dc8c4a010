"""Secrets at rest and in flight (docs/security.md, sections 3 and 5): what a stolen Redis dump shows,
key rotation through real commands, and /ig logout forgetting the user.

The other half of secrets hygiene runs everywhere: every bot response these tests receive and every
message the bot sends to the Slack stand-in is scanned for remembered secrets (helpers.check_body,
conftest teardown), and the whole-run checks (tests/run_checks.py) scan every log line of the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet

from bot.instagram.models import token_fingerprint
from bot.storage.crypto import TokenCipher, UndecryptableToken
from bot.storage.embedded import EmbeddedRedis
from bot.storage.keys import link_key
from bot.storage.links import LinkStore
from tests import log_capture
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import answer, consent, crash, leaked, login_url, open_callback
from tests.stack import TEAM, Stack

LINK_FIELDS = {"token", "token_fp", "ig_user_id", "ig_username", "scope", "linked_at", "expires_at"}


def _link_through_slack(stack: Stack, user_id: str, username: str, channel: str) -> None:
    stack.command("login", user_id=user_id, channel_id=channel)
    assert (
        open_callback(stack, consent(stack, login_url(answer(stack, channel)), username)).status_code == 200
    )
    stack.wait_message(f"Connected as @{username}", user_id=user_id)


def test_a_stolen_redis_dump_holds_no_token_code_or_secret(
    make_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    stack = make_stack(server.start())
    client = redis.Redis.from_url(server.url)
    try:
        _link_through_slack(stack, "U0ALICE", "alice", "C0DUMP1")
        _link_through_slack(stack, "U0BOB", "bob", "C0DUMP2")
        stack.command("login", user_id="U0CAROL", channel_id="C0DUMP3")  # a pending flow, too
        answer(stack, "C0DUMP3")
        keys = sorted(k.decode() for k in client.keys("*"))
        # docs/interfaces.md's link and state keys, the per-user index of pending states, replay digests, and
        # the worker tier's: the job queue (its messages and heartbeats), the answers a job has sent,
        # the workers' heartbeats. All of them are dumped and scanned below.
        expected = {"link", "state", "states", "seen", "jobs", "sent", "workers"}
        assert {k.split(":")[1] for k in keys} <= expected, keys
        values = b"".join(client.dump(k) or b"" for k in keys)
        on_disk = b"".join(p.read_bytes() for p in (tmp_path / "redis").rglob("*.aof*") if p.is_file())
        assert on_disk, "no append-only file found to inspect"
        # OAuth states are key names (pending ones are a documented risk, used ones are worthless).
        states = set(re.findall(r"igbot:state:([A-Za-z0-9_-]+)", (values + on_disk).decode("latin-1")))
        states.update(k.split(":", 2)[2] for k in keys if ":state:" in k)
        for where, data in (("DUMP of every key", values), ("the append-only file", on_disk)):
            found = leaked(data.decode("latin-1"), allowed=states)
            FIGURES.bodies(1, len(found))
            assert not found, f"{where} reveals {found}"
        for user in ("U0ALICE", "U0BOB"):
            stored = {k.decode(): v.decode() for k, v in client.hgetall(link_key(TEAM, user)).items()}
            assert set(stored) <= LINK_FIELDS, stored
            assert stored["token"].startswith("gAAAAA")  # a Fernet token, nothing readable
            cipher = TokenCipher(stack.igbot.settings.token_encryption_keys)
            token = cipher.decrypt(stored["token"])[0]
            assert token in log_capture.SECRETS
            # The fingerprint names the token for compare-and-delete; 128 bits of its SHA-256 only.
            assert stored["token_fp"] == token_fingerprint(token) and token not in stored["token_fp"]
            assert re.fullmatch(r"sha256:[0-9a-f]{32}", stored["token_fp"]), stored["token_fp"]
            with pytest.raises(UndecryptableToken):  # the dump alone, without the key, is useless
                TokenCipher([Fernet.generate_key().decode()]).decrypt(stored["token"])
    finally:
        client.close()
        stack.close()
        crash(server)


def test_rotating_the_key_re_encrypts_each_token_on_its_next_command(
    make_stack: Callable[..., Stack], redis_client: redis.Redis
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    for key in (old, new):
        log_capture.remember_secret(key)
    first = make_stack(keys=old)
    first.link("alice")
    before = redis_client.hget(link_key(TEAM, "U0ALICE"), "token")
    first.close()

    rotating = make_stack(keys=f"{new},{old}")  # the deploy that introduces the new key
    rotating.command("me", channel_id="C0ROTATE")
    assert "@alice" in answer(rotating, "C0ROTATE").all_text()
    after = redis_client.hget(link_key(TEAM, "U0ALICE"), "token")
    assert after != before
    assert TokenCipher([new]).decrypt(after)[0] in log_capture.SECRETS
    # Finished before the deploy ends: a job still marked taken by a killed worker would be handed to the
    # next deploy's worker only after the heartbeat timeout (10 s), which is not what this test is about.
    assert rotating.wait_idle()
    rotating.close()

    retired = make_stack(keys=new)  # the old key removed: the link still reads
    retired.command("me", channel_id="C0RETIRED")
    assert "connected to Instagram account *@alice*" in answer(retired, "C0RETIRED").all_text()


def test_logout_through_slack_deletes_the_link_and_its_token(stack: Stack, redis_client: redis.Redis) -> None:
    _link_through_slack(stack, "U0ALICE", "alice", "C0LOGOUT1")
    stack.link("bob", user_id="U0BOB")  # someone else, who must keep their link
    token = redis_client.hget(link_key(TEAM, "U0ALICE"), "token")
    stack.command("logout", channel_id="C0LOGOUT2")
    assert "forgot your Instagram connection to @alice" in answer(stack, "C0LOGOUT2").all_text()
    assert stack.wait_idle()
    remaining = {k: redis_client.dump(k) or b"" for k in redis_client.keys("*")}
    assert [k for k in remaining if "U0ALICE" in k] == []
    assert not any(token.encode() in v for v in remaining.values())
    assert redis_client.exists(link_key(TEAM, "U0BOB"))
    stack.command("follow dan_the_man", channel_id="C0LOGOUT3")
    assert login_url(answer(stack, "C0LOGOUT3"))


def test_logout_also_forgets_the_users_pending_login_links(stack: Stack, redis_client: redis.Redis) -> None:
    stack.command("login", channel_id="C0PENDING")
    pending = login_url(answer(stack, "C0PENDING"))
    stack.command("logout", channel_id="C0PENDING2")
    answer(stack, "C0PENDING2")
    assert stack.wait_idle()  # the logout job is done (its queued message, which names Alice, is gone)
    about_alice = [
        k
        for k in redis_client.keys("igbot:*")
        if "U0ALICE" in (redis_client.dump(k) or b"").decode("latin-1")
    ]
    assert about_alice == [], about_alice
    assert open_callback(stack, consent(stack, pending)).status_code == 400


def test_a_token_rotation_racing_a_logout_does_not_resurrect_the_link(redis_client: redis.Redis) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    LinkStore(redis_client, TokenCipher([old])).save(
        "T1", "U1", token="token-rotation-race-1", ig_user_id="1", ig_username="a", scope="basic"
    )
    log_capture.remember_secret("token-rotation-race-1")

    class LogoutRightAfterTheRead(redis.Redis):
        def hgetall(self, name: str) -> dict[str, str]:  # type: ignore[override]
            fields = super().hgetall(name)
            redis_client.delete(name)  # /ig logout, handled by another thread at this very moment
            return fields  # type: ignore[return-value]

    racing = LogoutRightAfterTheRead(connection_pool=redis_client.connection_pool)
    LinkStore(racing, TokenCipher([new, old])).get("T1", "U1")
    assert redis_client.exists(link_key("T1", "U1")) == 0, redis_client.hgetall(link_key("T1", "U1"))
