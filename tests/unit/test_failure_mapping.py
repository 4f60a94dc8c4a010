"""Failure mapping (`bot.core.failures`): each exception a command can end with becomes the
one message docs/interfaces.md "Behaviour under failure" promises, and nothing is half-done.

Stand-ins: a recording Reply, a fake Instagram backend, the real stores on the real Redis (or on a
Redis that is down, for storage failures). Message assertions use docs/interfaces.md's stable fragments.
"""

from __future__ import annotations

import logging
import re

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.core.commands import Commands, Parsed, Subcommand
from bot.core.failures import report_failure
from bot.features.catalog import SUBCOMMANDS
from bot.instagram.errors import (
    NotAllowed,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
    Unavailable,
    Unconfirmed,
)
from bot.storage import StorageUnavailable
from bot.storage.keys import link_key
from tests.commands import COMMANDS
from tests.unit.test_handlers import (
    GRAPH,
    TEAM,
    TOKEN,
    USER,
    FakeInstagram,
    Replies,
    assert_login_prompt,
    connect_button,
    invocation,
    link,
    make_services,
)

TRACE_MARKERS = ("Traceback", 'File "', "Error", "Exception")


def _dead_redis() -> redis.Redis:
    """A client for a Redis that is not there: every call fails at once."""
    return redis.Redis(
        unix_socket_path="/nonexistent/igbot-redis.sock", decode_responses=True, retry=Retry(NoBackoff(), 0)
    )


def _only(replies: Replies) -> str:
    """The one message's text: every failure gets exactly one answer."""
    assert len(replies) == 1, replies.texts()
    assert replies[0]["response_type"] == "ephemeral"
    return replies.texts()[0]


def _report(
    redis_client: redis.Redis, exc: Exception, *, text: str = "follow bob", username: str = ""
) -> Replies:
    services, replies = make_services(redis_client), Replies()
    report_failure(exc, invocation(text), services, replies, username)  # type: ignore[arg-type]
    return replies


def test_storage_down_says_igbot_cannot_reach_its_storage(redis_client: redis.Redis) -> None:
    text = _only(_report(redis_client, StorageUnavailable("ConnectionError")))
    assert "igbot can't reach its storage right now" in text
    assert "nothing was changed" in text


@pytest.mark.parametrize(("minutes", "when"), [(7, "about 7 minutes"), (1, "about a minute")])
def test_rate_limit_says_when_to_try_again(redis_client: redis.Redis, minutes: int, when: str) -> None:
    text = _only(_report(redis_client, RateLimited(minutes)))
    assert "Instagram is limiting requests" in text and f"try again in {when}" in text


def test_instagram_down_says_nothing_was_changed(redis_client: redis.Redis) -> None:
    text = _only(_report(redis_client, Unavailable("HTTP 503")))
    assert "Instagram didn't answer" in text and "nothing was changed" in text
    assert "503" not in text


def test_not_found_names_the_account_the_user_typed(redis_client: redis.Redis) -> None:
    assert "No Instagram account named @bob" in _only(_report(redis_client, NotFound(""), username="bob"))


def test_not_found_without_a_typed_name_uses_the_backends_name_and_hint(redis_client: redis.Redis) -> None:
    text = _only(_report(redis_client, NotFound("carol", hint="Only professional accounts can be found.")))
    assert "No Instagram account named @carol" in text
    assert text.endswith("Only professional accounts can be found.")


def test_not_allowed_says_instagram_wont_show_it(redis_client: redis.Redis) -> None:
    assert "won't show that account" in _only(_report(redis_client, NotAllowed("APINotAllowedError")))


def test_unconfirmed_says_it_may_have_happened_and_how_to_check(redis_client: redis.Redis) -> None:
    text = _only(_report(redis_client, Unconfirmed("timeout"), username="bob"))
    assert "may or may not have happened" in text and "`/ig user bob`" in text


def test_an_unexpected_failure_gets_a_reference_and_no_details(
    redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    crash = RuntimeError('tok-secret-123 at File "/srv/bot.py", line 3')
    with caplog.at_level(logging.ERROR, logger="bot.core.failures"):
        text = _only(_report(redis_client, crash))
    assert "something went wrong" in text and "nothing was changed" in text
    for leak in ("tok-secret-123", "RuntimeError", *TRACE_MARKERS):
        assert leak not in text, leak
    reference = re.search(r"`([0-9a-f]{8})`", text)
    assert reference is not None
    logged = [r for r in caplog.records if r.exc_info and reference.group(1) in r.getMessage()]
    assert logged, "the reference the user quotes is in the log, with the traceback"


@pytest.mark.parametrize(
    ("exc", "fragment"),
    [(TokenInvalid("OAuthAccessTokenException"), "expired"), (PermissionMissing("scope"), "permission")],
)
def test_a_dead_token_brings_the_connect_button_back_and_resumes_the_command(
    redis_client: redis.Redis, exc: Exception, fragment: str
) -> None:
    services, replies = make_services(redis_client), Replies()
    link(services)
    report_failure(exc, invocation("follow bob"), services, replies, "bob")  # type: ignore[arg-type]
    text = _only(replies)
    assert fragment in text.lower()
    assert connect_button(replies[0]) is not None
    assert_login_prompt(replies[0], redis_client, resume="follow bob")


def test_a_dead_token_while_storage_is_down_says_storage(redis_client: redis.Redis) -> None:
    services, replies = make_services(_dead_redis()), Replies()
    report_failure(TokenInvalid("x"), invocation("me"), services, replies)  # type: ignore[arg-type]
    assert "igbot can't reach its storage right now" in _only(replies)


# --- through Commands.run: the handler fails, the user gets the one answer ------------------------------


def test_a_revoked_token_during_a_command_removes_the_link_and_offers_the_button(
    redis_client: redis.Redis,
) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, fail={"own_account": TokenInvalid("code 190")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    COMMANDS.run(invocation("me"), services, replies)  # type: ignore[arg-type]
    text = _only(replies)
    assert "Instagram connection has expired" in text
    assert_login_prompt(replies[0], redis_client, resume="me")
    assert services.links.get(TEAM, USER) is None
    assert redis_client.exists(link_key(TEAM, USER)) == 0


def test_storage_down_during_a_command_says_storage(redis_client: redis.Redis) -> None:
    services, replies = make_services(_dead_redis()), Replies()
    COMMANDS.run(invocation("recent 3"), services, replies)  # type: ignore[arg-type]
    assert "igbot can't reach its storage right now" in _only(replies)


def test_a_rate_limit_during_a_command_keeps_the_link(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, fail={"recent": RateLimited(12)})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    COMMANDS.run(invocation("recent 3"), services, replies)  # type: ignore[arg-type]
    assert "try again in about 12 minutes" in _only(replies)
    stored = services.links.get(TEAM, USER)
    assert stored is not None and stored.token == TOKEN


def test_instagram_down_during_a_command_says_nothing_was_changed(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, fail={"recent": Unavailable("timeout")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    COMMANDS.run(invocation("recent 3"), services, replies)  # type: ignore[arg-type]
    text = _only(replies)
    assert "Instagram didn't answer" in text and "nothing was changed" in text
    assert services.links.get(TEAM, USER) is not None


def test_a_crash_during_a_command_gets_a_reference(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, fail={"recent": KeyError("media_url")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    COMMANDS.run(invocation("recent 3"), services, replies)  # type: ignore[arg-type]
    text = _only(replies)
    assert re.search(r"`[0-9a-f]{8}`", text) and "KeyError" not in text and "media_url" not in text


def test_an_unknown_account_during_a_command_is_named_as_typed(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()  # the stand-in knows nobody
    link(services)
    COMMANDS.run(invocation("user nobody"), services, replies)  # type: ignore[arg-type]
    assert "No Instagram account named @nobody" in _only(replies)


def test_an_unfollow_of_an_unknown_account_is_named_as_typed(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(fail={"set_following": NotFound("")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    COMMANDS.run(invocation("unfollow ghost"), services, replies)  # type: ignore[arg-type]
    assert "No Instagram account named @ghost" in _only(replies)
    assert instagram.called("set_following") == [(TOKEN, "ghost", False)]


def test_every_subcommand_and_alias_runs_its_own_declaration() -> None:
    for sub in SUBCOMMANDS:
        for word in (sub.name, *sub.aliases):
            parsed = COMMANDS.parse(word)
            assert not isinstance(parsed, Parsed) or parsed.subcommand is sub, word
            assert COMMANDS.parse(f"{word.upper()} x y z") is not None


def test_a_name_declared_twice_is_refused() -> None:
    twice = Subcommand("me", SUBCOMMANDS[0].parse, SUBCOMMANDS[0].run)
    with pytest.raises(ValueError, match="/ig me is declared twice"):
        Commands((*SUBCOMMANDS, twice))
