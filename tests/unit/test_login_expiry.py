"""Login helpers a user sees the effect of (issue 11, items 6 and 8): the expiry reminder a scheduled
DM can use, and what happens after Instagram refused a token, on a real Redis with a stand-in backend."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import redis
from cryptography.fernet import Fernet

from bot.core import links as login
from bot.core import replies
from bot.instagram.errors import PermissionMissing, TokenInvalid
from bot.instagram.models import Credentials
from bot.slack.invocation import Invocation
from bot.storage.crypto import TokenCipher
from bot.storage.links import Link, LinkStore
from bot.storage.states import StateStore

DAY = 86400
NOW = 1_900_000_000.0
ALICE = Invocation("T1", "U1", "alice", "C1", "http://127.0.0.1:9/respond", "recent 2")


def _link(expires_at: int) -> Link:
    return Link("tok", "17841", "alice.shop", "instagram_basic", int(NOW) - DAY, expires_at)


def test_the_reminder_says_how_long_and_what_to_run() -> None:
    warning = login.expiry_warning(_link(int(NOW + 3 * DAY + 5)), now=NOW)
    assert warning is not None
    assert (
        "@alice.shop" in warning["text"]
        and "in 3 days" in warning["text"]
        and "`/ig login`" in warning["text"]
    )
    last_day = login.expiry_warning(_link(int(NOW + 3600)), now=NOW)
    assert last_day is not None and "expires today" in last_day["text"]


def test_no_reminder_without_expiry_far_from_it_or_after_it() -> None:
    assert login.expiry_warning(_link(0), now=NOW) is None  # API v1: no expiry
    assert login.expiry_warning(_link(int(NOW + 8 * DAY)), now=NOW) is None
    assert login.expiry_warning(_link(int(NOW - 1)), now=NOW) is None  # expired: that is no link at all
    assert _link(int(NOW - 1)).expired(NOW) and not _link(0).expired(NOW)


def _services(redis_client: redis.Redis) -> Any:
    links = LinkStore(redis_client, TokenCipher([Fernet.generate_key().decode()]))
    backend = SimpleNamespace(authorization_url=lambda state: f"https://example.test/oauth?state={state}")
    return SimpleNamespace(links=links, states=StateStore(redis_client), instagram=backend)


def _save(services: Any, token: str) -> None:
    services.links.save("T1", "U1", token=token, ig_user_id="17841", ig_username="alice.shop", scope="s")


def test_a_refused_token_forgets_its_link_and_offers_to_resume(redis_client: redis.Redis) -> None:
    services, said = _services(redis_client), []
    _save(services, "old")
    failure = TokenInvalid("graph code 190/463", Credentials("old").fingerprint)
    login.relink_after_rejection(failure, ALICE, services, said.append)
    assert services.links.get("T1", "U1") is None
    assert len(said) == 1 and replies.EXPIRED in str(said[0]) and "state=" in str(said[0])


def test_a_refused_old_token_keeps_the_link_made_since(redis_client: redis.Redis) -> None:
    services, said = _services(redis_client), []
    _save(services, "new")
    failure = PermissionMissing("graph code 200", Credentials("old").fingerprint)
    login.relink_after_rejection(failure, ALICE, services, said.append)
    kept = services.links.get("T1", "U1")
    assert kept is not None and kept.token == "new"
    assert said == [replies.plain(replies.RELINKED_MEANWHILE)]


def test_a_refusal_when_the_link_is_gone_offers_login(redis_client: redis.Redis) -> None:
    services, said = _services(redis_client), []
    login.relink_after_rejection(
        TokenInvalid("x", Credentials("old").fingerprint), ALICE, services, said.append
    )
    assert len(said) == 1 and "Connect" in str(said[0])


def test_an_expired_link_reads_as_none_and_is_forgotten(redis_client: redis.Redis) -> None:
    services = _services(redis_client)
    services.links.save("T1", "U1", token="t", ig_user_id="1", ig_username="a", scope="s",
                        expires_at=int(time.time()) - 5)  # fmt: skip
    link, expired = login.live_link(ALICE, services)
    assert link is None and expired
    assert services.links.get("T1", "U1") is None
