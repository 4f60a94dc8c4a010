"""The `/ig` grammar: command text -> intent, over examples and generated input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.intents import (
    MAX_POPULAR,
    Follow,
    Help,
    Login,
    Logout,
    Me,
    Popular,
    Recent,
    Usage,
    UserCard,
    normalize_username,
    parse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("login", Login()),
        ("connect", Login()),
        ("link", Login()),
        ("logout", Logout()),
        ("disconnect", Logout()),
        ("unlink", Logout()),
        ("me", Me()),
        ("status", Me()),
        ("WhoAmI", Me()),
        ("follow alice", Follow("alice")),
        ("Follow @Alice", Follow("alice")),
        ("follow   alice  ", Follow("alice")),
        ("follow\u00a0alice", Follow("alice")),
        ("unfollow bob", Follow("bob", follow=False)),
        ("follow https://www.instagram.com/carol.private/", Follow("carol.private")),
        ("follow instagram.com/dan_the_man", Follow("dan_the_man")),
        ("follow <https://instagram.com/alice|instagram.com/alice>", Follow("alice")),
        ("user natgeo", UserCard("natgeo")),
        ("popular", Popular(5)),
        ("popular 3", Popular(3)),
        ("popular 10", Popular(10)),
    ],
)
def test_valid_commands_become_intents(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "follow",
        "follow alice bob",
        "follow al!ce",
        "follow " + "a" * 31,
        "follow https://example.com/alice",
        "follow instagram.com/p/abc",
        "unfollow @",
        "user",
        "popular 0",
        "popular 11",
        "popular three",
        "popular 3 4",
        "popular ²",
        "popular " + "9" * 5000,
        "login now",
        "me please",
    ],
)
def test_invalid_arguments_get_a_usage_line(text: str) -> None:
    result = parse(text)
    assert isinstance(result, Usage)
    assert "`/ig" in result.message


def test_unknown_subcommand_gets_help_with_the_closest_match() -> None:
    assert parse("folow alice") == Help(unknown="folow", suggestion="follow")
    assert parse("popualr") == Help(unknown="popualr", suggestion="popular")
    assert parse("xyzzy") == Help(unknown="xyzzy", suggestion=None)


def test_usernames_normalize_to_lowercase_and_reject_invalid_ones() -> None:
    assert normalize_username("@Alice") == "alice"
    assert normalize_username("a.b_c9") == "a.b_c9"
    assert normalize_username("é") is None
    assert normalize_username("") is None
    assert normalize_username("@") is None
    assert normalize_username("x" * 30) == "x" * 30


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_to_an_intent_or_a_usage_line(text: str) -> None:
    result = parse(text)
    assert isinstance(result, Help | Usage | Login | Logout | Me | Follow | Popular | Recent | UserCard)
    if isinstance(result, Follow | UserCard):
        assert normalize_username(result.username) == result.username
        assert 1 <= len(result.username) <= 30
    if isinstance(result, Popular):
        assert 1 <= result.count <= MAX_POPULAR
    if isinstance(result, Help) and result.unknown is not None:
        assert len(result.unknown) <= 40


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["follow", "unfollow", "user", "popular", "recent", "FOLLOW", "Popular"]),
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Zs", "Cc"]), min_size=1), max_size=3),
    st.sampled_from([" ", "  ", "\t", "\u3000"]),
)
def test_subcommands_with_any_arguments_never_crash(sub: str, args: list[str], sep: str) -> None:
    result = parse(sep.join([sub, *args]))
    assert isinstance(result, Usage | Follow | Popular | Recent | UserCard | Help)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("popular #Travel", Popular(5, "travel")),
        ("popular #travel 3", Popular(3, "travel")),
        ("popular 3 #travel", Popular(3, "travel")),
        ("popular #café", Popular(5, "café")),
        ("recent", Recent(5)),
        ("recent 2", Recent(2)),
    ],
)
def test_hashtags_and_recent(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text", ["popular #a #b", "popular 3 4", "popular #", "popular #a-b", "recent 0", "recent x"]
)
def test_bad_hashtag_and_recent_arguments(text: str) -> None:
    assert isinstance(parse(text), Usage)
