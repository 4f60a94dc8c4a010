"""Compare-and-delete and compare-and-set of a link on a real Redis (issue 11, item 6): a command or a
menu still holding an old token never removes or rewrites the link the user has made again meanwhile."""

from __future__ import annotations

import time

import redis
from cryptography.fernet import Fernet

from bot.instagram.models import Credentials
from bot.storage.crypto import TokenCipher
from bot.storage.keys import link_key
from bot.storage.links import LinkStore

OLD, NEW = "EAA-old-token-0123456789", "EAA-new-token-9876543210"


def _store(client: redis.Redis, *keys: str) -> LinkStore:
    return LinkStore(client, TokenCipher(list(keys) or [Fernet.generate_key().decode()]))


def _save(store: LinkStore, token: str, ig_user_id: str = "17841", expires_at: int | None = None) -> None:
    store.save("T1", "U1", token=token, ig_user_id=ig_user_id, ig_username="alice.shop", scope="s",
               expires_at=expires_at)  # fmt: skip


def test_the_failing_token_deletes_its_own_link(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD)
    link = store.get("T1", "U1")
    assert link is not None
    assert store.delete_if_token("T1", "U1", link.creds.fingerprint)
    assert store.get("T1", "U1") is None
    assert not store.delete_if_token("T1", "U1", link.creds.fingerprint)  # nothing left to delete


def test_an_old_token_failing_late_keeps_the_link_made_meanwhile(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD)
    stale = store.get("T1", "U1")
    assert stale is not None
    _save(store, NEW)  # the user linked again while the old command was waiting for Instagram
    assert not store.delete_if_token("T1", "U1", stale.creds.fingerprint)
    fresh = store.get("T1", "U1")
    assert fresh is not None and fresh.token == NEW


def test_relinking_with_the_same_token_is_the_same_link(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD)
    first = store.get("T1", "U1")
    _save(store, OLD)  # Instagram handed back the same token: it is still the one that failed
    assert first is not None and store.delete_if_token("T1", "U1", first.creds.fingerprint)


def test_the_fingerprint_is_not_the_token_and_survives_key_rotation(redis_client: redis.Redis) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _save(_store(redis_client, old_key), OLD)
    raw = redis_client.hgetall(link_key("T1", "U1"))
    assert OLD not in "".join(raw.values())
    rotated = _store(redis_client, new_key, old_key)
    link = rotated.get("T1", "U1")  # re-encrypts under the new key
    assert link is not None and redis_client.hget(link_key("T1", "U1"), "token") != raw["token"]
    assert rotated.delete_if_token("T1", "U1", link.creds.fingerprint)


def test_links_stored_before_fingerprints_get_one_on_first_read(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD)
    redis_client.hdel(link_key("T1", "U1"), "token_fp")  # as written by an older igbot
    assert not store.delete_if_token("T1", "U1", Credentials(OLD).fingerprint)  # unknown: keep it
    link = store.get("T1", "U1")
    assert link is not None
    assert store.delete_if_token("T1", "U1", link.creds.fingerprint)


def test_choosing_an_account_from_an_old_menu_leaves_a_new_link_alone(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD, ig_user_id="")
    menu = store.get("T1", "U1")
    assert menu is not None
    _save(store, NEW, ig_user_id="")  # linked again (another Facebook login, other accounts)
    assert not store.choose_account(
        "T1", "U1", ig_user_id="999", ig_username="someone.else", token_fingerprint=menu.creds.fingerprint
    )
    fresh = store.get("T1", "U1")
    assert fresh is not None and fresh.token == NEW and fresh.ig_user_id == ""
    assert store.choose_account(
        "T1", "U1", ig_user_id="17841", ig_username="alice.shop", token_fingerprint=fresh.creds.fingerprint
    )
    chosen = store.get("T1", "U1")
    assert chosen is not None and chosen.ig_user_id == "17841"


def test_corrupt_numbers_in_a_stored_link_do_not_crash_a_read(redis_client: redis.Redis) -> None:
    store = _store(redis_client)
    _save(store, OLD, expires_at=int(time.time()) + 3600)
    redis_client.hset(link_key("T1", "U1"), mapping={"linked_at": "²", "expires_at": "Infinity"})
    link = store.get("T1", "U1")
    assert link is not None and link.linked_at == 0 and link.expires_at == 0
