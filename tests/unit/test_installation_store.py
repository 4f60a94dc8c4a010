"""Slack installation and Slack OAuth state storage on a real Redis server (bot.storage.installations)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis
from cryptography.fernet import Fernet
from redis.backoff import NoBackoff
from redis.retry import Retry
from slack_sdk.oauth.installation_store import Bot, Installation

from bot.storage.crypto import TokenCipher
from bot.storage.errors import StorageUnavailable
from bot.storage.installations import (
    InstallationNotSaved,
    RedisInstallationStore,
    RedisOAuthStateStore,
    state_key,
)

CLIENT_ID = "111.222"
KEY = Fernet.generate_key().decode()


def _store(client: redis.Redis, *keys: str) -> RedisInstallationStore:
    return RedisInstallationStore(client, TokenCipher(list(keys or [KEY])), client_id=CLIENT_ID)


def _installation(
    user_id: str = "U1", team_id: str | None = "T1", enterprise_id: str | None = "E1", **extra: Any
) -> Installation:
    fields: dict[str, Any] = {
        "app_id": "A1",
        "enterprise_id": enterprise_id,
        "team_id": team_id,
        "team_name": "Team one",
        "user_id": user_id,
        "bot_id": "B1",
        "bot_user_id": "UBOT",
        "bot_token": f"xoxb-bot-of-{team_id}-by-{user_id}",
        "bot_scopes": ["chat:write", "commands"],
        "user_token": f"xoxp-user-{team_id}-{user_id}",
        "user_scopes": ["search:read"],
        "installed_at": 1_700_000_000.1234567,  # more digits than a datetime keeps
        **extra,
    }
    return Installation(**fields)


def _same(found: Installation | Bot | None, saved: Installation | Bot) -> None:
    assert found is not None
    assert vars(found) == vars(saved)


def _everything(client: redis.Redis) -> str:
    """Every key and every value stored (not DUMP: Redis compresses long strings in it)."""
    texts: list[str] = []
    for key in client.scan_iter("*"):
        kind = client.type(key)
        texts.append(str(key))
        if kind == "string":
            texts.append(str(client.get(key)))
        elif kind == "zset":
            texts += [str(m) for m in client.zrange(key, 0, -1)]
        else:
            raise AssertionError(f"unexpected {kind} at {key}")
    return "\n".join(texts)


def _decrypted_secrets(client: redis.Redis) -> set[str]:
    """Every encrypted value stored, decrypted."""
    cipher, found = TokenCipher([KEY]), set()
    for key in client.scan_iter("igbot:slack-*"):
        if client.type(key) == "string":
            for value in json.loads(str(client.get(key))).values():
                if isinstance(value, str) and value.startswith("gAAAA"):  # a Fernet token
                    found.add(cipher.decrypt(value)[0])
    return found


def test_saved_installation_is_found_again_field_for_field(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    installation = _installation(
        enterprise_name="Org",
        enterprise_url="https://org.enterprise.slack.com/",
        bot_refresh_token="xoxe-1-bot-refresh",
        bot_token_expires_at=1_700_043_200,
        user_refresh_token="xoxe-1-user-refresh",
        user_token_expires_at=1_700_043_300,
        incoming_webhook_url="https://hooks.slack.com/services/T1/B1/secret",
        incoming_webhook_channel="#general",
        incoming_webhook_channel_id="C1",
        incoming_webhook_configuration_url="https://teamone.slack.com/services/B1",
        token_type="bot",
        custom_values={"plan": "free"},
    )
    store.save(installation)
    _same(store.find_installation(enterprise_id="E1", team_id="T1"), installation)
    _same(store.find_installation(enterprise_id="E1", team_id="T1", user_id="U1"), installation)
    bot = store.find_bot(enterprise_id="E1", team_id="T1")
    _same(bot, installation.to_bot())
    assert bot is not None and bot.bot_refresh_token == "xoxe-1-bot-refresh"
    assert bot.bot_token_expires_at == 1_700_043_200 and isinstance(bot.bot_token_expires_at, int)
    # As in slack_sdk's own store tests: another team, no enterprise, another user: nothing.
    assert store.find_bot(enterprise_id="E1", team_id="T2") is None
    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id="E1", team_id="T2") is None
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id="E1", team_id="T1", user_id="U2") is None
    assert store.find_installation(enterprise_id="E1", team_id="T2", user_id="U1") is None


def test_tokens_and_webhook_urls_are_nowhere_in_plaintext(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    secrets = {
        "bot_token": "xoxb-plain-bot-token",
        "bot_refresh_token": "xoxe-plain-bot-refresh",
        "user_token": "xoxp-plain-user-token",
        "user_refresh_token": "xoxe-plain-user-refresh",
        "incoming_webhook_url": "https://hooks.slack.com/services/T1/B1/plainsecret",
    }
    store.save(_installation(**secrets))
    store.save(_installation(user_id="U2", team_id="T2", **secrets))
    store.save_bot(_installation(team_id="T3", **secrets).to_bot())
    dumped = _everything(redis_client)
    assert dumped
    for secret in secrets.values():
        assert secret not in dumped
    raw = redis_client.get(store.bot_key("E1", "T1"))
    assert raw is not None and "xoxb" not in raw
    found = store.find_installation(enterprise_id="E1", team_id="T2", user_id="U2")
    assert found is not None and {name: getattr(found, name) for name in secrets} == secrets


def test_two_slack_apps_sharing_a_redis_do_not_see_each_other(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    other = RedisInstallationStore(redis_client, TokenCipher([KEY]), client_id="333.444")
    store.save(_installation())
    assert other.find_installation(enterprise_id="E1", team_id="T1") is None
    assert other.find_bot(enterprise_id="E1", team_id="T1") is None
    other.delete_all(enterprise_id="E1", team_id="T1")
    assert store.find_installation(enterprise_id="E1", team_id="T1") is not None


def test_two_teams_do_not_see_each_other_and_one_user_id_is_two_rows(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    one, two = _installation(team_id="T1"), _installation(team_id="T2", installed_at=1_700_000_100.0)
    store.save(one)
    store.save(two)
    _same(store.find_installation(enterprise_id="E1", team_id="T1", user_id="U1"), one)
    _same(store.find_installation(enterprise_id="E1", team_id="T2", user_id="U1"), two)
    _same(store.find_installation(enterprise_id="E1", team_id="T1"), one)
    store.delete_installation(enterprise_id="E1", team_id="T1", user_id="U1")
    assert store.find_installation(enterprise_id="E1", team_id="T1", user_id="U1") is None
    _same(store.find_installation(enterprise_id="E1", team_id="T2", user_id="U1"), two)


def test_latest_installation_and_per_user_rows(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    first = _installation("U1", installed_at=1_700_000_000.5)
    second = _installation("U2", installed_at=1_700_000_100.5, bot_token="xoxb-newer")
    store.save(first)
    store.save(second)
    latest = store.find_installation(enterprise_id="E1", team_id="T1")
    _same(latest, second)
    # U1's row survives U2's install, and is read with the team's current bot.
    mine = store.find_installation(enterprise_id="E1", team_id="T1", user_id="U1")
    assert mine is not None and mine.user_id == "U1" and mine.user_token == first.user_token
    assert mine.bot_token == "xoxb-newer"
    # U1 installing again replaces their row and makes it the latest; no history is kept.
    again = _installation("U1", installed_at=1_700_000_200.5, user_token="xoxp-again")
    store.save(again)
    _same(store.find_installation(enterprise_id="E1", team_id="T1"), again)
    assert len(redis_client.keys("igbot:slack-install:*")) == 2
    # Revoking the latest installer's tokens makes the previous installer's row the latest.
    store.delete_installation(enterprise_id="E1", team_id="T1", user_id="U1")
    latest = store.find_installation(enterprise_id="E1", team_id="T1")
    assert latest is not None and latest.user_id == "U2"
    store.delete_installation(enterprise_id="E1", team_id="T1", user_id="U2")
    assert store.find_installation(enterprise_id="E1", team_id="T1") is None
    assert store.find_bot(enterprise_id="E1", team_id="T1") is not None  # the bot token was not revoked


def test_delete_installation_without_a_user_deletes_every_installation_of_the_team(
    redis_client: redis.Redis,
) -> None:
    store = _store(redis_client)
    store.save(_installation("U1"))
    store.save(_installation("U2"))
    store.save(_installation("U1", team_id="T2"))
    store.delete_installation(enterprise_id="E1", team_id="T1")
    for user in ("U1", "U2", None):
        assert store.find_installation(enterprise_id="E1", team_id="T1", user_id=user) is None
    assert store.find_bot(enterprise_id="E1", team_id="T1") is not None
    assert store.find_installation(enterprise_id="E1", team_id="T2", user_id="U1") is not None


def test_a_deleted_bot_token_is_gone_from_the_installations_too(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    installation = _installation(bot_refresh_token="xoxe-bot-refresh")
    store.save(installation)
    store.delete_bot(enterprise_id="E1", team_id="T2")  # another team: nothing happens
    assert store.find_bot(enterprise_id="E1", team_id="T1") is not None
    store.delete_bot(enterprise_id="E1", team_id="T1")
    assert store.find_bot(enterprise_id="E1", team_id="T1") is None
    found = store.find_installation(enterprise_id="E1", team_id="T1")
    assert found is not None and found.user_token == installation.user_token
    assert found.bot_token is None and found.bot_refresh_token is None
    remaining = _decrypted_secrets(redis_client)
    assert installation.user_token in remaining
    assert installation.bot_token not in remaining and "xoxe-bot-refresh" not in remaining


def test_delete_all_leaves_no_key_of_the_team_and_keeps_the_others(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    for user in ("U1", "U2", "U3"):
        store.save(_installation(user, team_id="T1"))
    store.save(_installation("U1", team_id="T2"))
    assert redis_client.keys("*T1*")
    store.delete_all(enterprise_id="E1", team_id="T1")
    assert redis_client.keys("*T1*") == []
    assert store.find_bot(enterprise_id="E1", team_id="T1") is None
    assert store.find_installation(enterprise_id="E1", team_id="T1") is None
    assert len(redis_client.keys("*T2*")) == 3  # bot, row, installers
    assert store.find_installation(enterprise_id="E1", team_id="T2", user_id="U1") is not None


def test_enterprise_install_is_keyed_by_the_org(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    org = _installation("UO1", team_id=None, enterprise_id="EO1", is_enterprise_install=True)
    store.save(org)
    assert all(":EO1:-" in key for key in redis_client.keys("igbot:*"))
    _same(store.find_bot(enterprise_id="EO1", team_id=None), org.to_bot())
    _same(store.find_bot(enterprise_id="EO1", team_id="TO2", is_enterprise_install=True), org.to_bot())
    assert store.find_bot(enterprise_id="EO1", team_id="TO2") is None
    assert store.find_bot(enterprise_id=None, team_id="TO1") is None
    _same(store.find_installation(enterprise_id="EO1", team_id=None), org)
    _same(store.find_installation(enterprise_id="EO1", team_id="T1", is_enterprise_install=True), org)
    _same(store.find_installation(enterprise_id="EO1", team_id=None, user_id="UO1"), org)
    assert store.find_installation(enterprise_id="EO1", team_id="T2") is None
    # A workspace of the org is not the org.
    store.delete_bot(enterprise_id="EO1", team_id="TO2")
    store.delete_all(enterprise_id="EO1", team_id="TO2")
    assert store.find_bot(enterprise_id="EO1", team_id=None) is not None
    store.delete_all(enterprise_id="EO1", team_id=None)
    assert redis_client.keys("*EO1*") == []


def test_bot_only(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    bot = Bot(
        team_id="T1",
        bot_token="xoxb-alone",
        bot_id="B1",
        bot_user_id="UB",
        bot_scopes="chat:write,commands",
        installed_at=1_700_000_000.25,
    )
    store.save_bot(bot)
    _same(store.find_bot(enterprise_id=None, team_id="T1"), bot)
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    store.save_bot(Bot(team_id="T9", bot_token=None, bot_id="B9", bot_user_id="U9", installed_at=1.0))  # type: ignore[arg-type]
    assert redis_client.keys("*T9*") == []


def test_a_user_only_installation_is_read_with_the_team_bot(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    store.save(_installation("U1", installed_at=1_700_000_000.0))
    user_only = _installation(
        "U2", bot_token=None, bot_id=None, bot_user_id=None, bot_scopes="", installed_at=1_700_000_100.0
    )
    store.save(user_only)
    latest = store.find_installation(enterprise_id="E1", team_id="T1")
    assert latest is not None and latest.user_id == "U2" and latest.bot_token == "xoxb-bot-of-T1-by-U1"


def test_rotated_tokens_replace_the_stored_ones(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    store.save(_installation(bot_refresh_token="xoxe-1-initial", bot_token_expires_in=43200))
    bot = store.find_bot(enterprise_id="E1", team_id="T1")
    assert bot is not None and bot.bot_refresh_token == "xoxe-1-initial"
    refreshed = Bot(**{**bot.to_dict_for_copying(), "bot_token": "xoxb-refreshed"})
    refreshed.bot_refresh_token = "xoxe-1-refreshed"
    refreshed.bot_token_expires_at = 1_800_000_000
    store.save_bot(refreshed)
    _same(store.find_bot(enterprise_id="E1", team_id="T1"), refreshed)
    for user in (None, "U1"):
        found = store.find_installation(enterprise_id="E1", team_id="T1", user_id=user)
        assert found is not None and found.bot_token == "xoxb-refreshed"
        assert found.bot_refresh_token == "xoxe-1-refreshed" and found.bot_token_expires_at == 1_800_000_000
    user_rotated = _installation(user_refresh_token="xoxe-u-2", user_token_expires_at=1_800_000_001)
    store.save(user_rotated)
    _same(store.find_installation(enterprise_id="E1", team_id="T1", user_id="U1"), user_rotated)


def test_an_encryption_key_rotation_re_encrypts_on_read(redis_client: redis.Redis) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    installation = _installation()
    _store(redis_client, old).save(installation)
    rotated = _store(redis_client, new, old)
    _same(rotated.find_installation(enterprise_id="E1", team_id="T1", user_id="U1"), installation)
    _same(rotated.find_installation(enterprise_id="E1", team_id="T1"), installation)
    _same(rotated.find_bot(enterprise_id="E1", team_id="T1"), installation.to_bot())
    only_new = _store(redis_client, new)
    _same(only_new.find_installation(enterprise_id="E1", team_id="T1", user_id="U1"), installation)
    # Under a key no longer configured, the installation reads as absent.
    stranger = _store(redis_client, Fernet.generate_key().decode())
    assert stranger.find_installation(enterprise_id="E1", team_id="T1") is None
    assert stranger.find_bot(enterprise_id="E1", team_id="T1") is None


def test_redis_failures_raise_the_storage_error() -> None:
    down = redis.Redis(
        unix_socket_path="/nonexistent/igbot.sock",
        decode_responses=True,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    store = _store(down)
    with pytest.raises(StorageUnavailable):
        store.find_installation(enterprise_id="E1", team_id="T1")
    with pytest.raises(StorageUnavailable):
        store.find_bot(enterprise_id="E1", team_id="T1")
    with pytest.raises(StorageUnavailable):
        store.delete_all(enterprise_id="E1", team_id="T1")
    with pytest.raises(InstallationNotSaved) as saving:
        store.save(_installation())
    assert isinstance(saving.value, StorageUnavailable)  # igbot's flow answers it with its storage page
    with pytest.raises(StorageUnavailable):
        RedisOAuthStateStore(down).consume("x" * 43)


def test_state_is_random_single_use_and_expires(redis_client: redis.Redis) -> None:
    states = RedisOAuthStateStore(redis_client)
    state = states.issue()
    assert len(state) >= 43 and states.issue() != state
    assert 590 < redis_client.ttl(state_key(state)) <= 600
    assert states.consume(state) is True
    assert states.consume(state) is False
    assert states.consume("unknown") is False
    assert states.consume("") is False
    assert states.issue(foo=123, bar="baz")  # Bolt may pass arguments; they are not needed


def test_state_expires_with_its_redis_ttl(redis_client: redis.Redis) -> None:
    states = RedisOAuthStateStore(redis_client, expiration_seconds=1)
    state = states.issue()
    assert 0 < redis_client.pttl(state_key(state)) <= 1000
    redis_client.pexpire(state_key(state), 20)  # the rest of its second, shortened
    deadline = time.monotonic() + 1.5
    while redis_client.exists(state_key(state)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert states.consume(state) is False
