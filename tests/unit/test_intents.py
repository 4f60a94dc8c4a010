"""The `/ig` grammar: command text -> intent, over examples and generated input."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.commands import Help, Parsed, Usage
from bot.core.grammar import MAX_COUNT as MAX_POPULAR
from bot.core.grammar import USERNAME_RE, fold_width, normalize_username
from bot.features.accounts.follow import Follow, Unfollow
from bot.features.accounts.profile import Profile
from bot.features.gallery.popular import Popular
from bot.features.gallery.recent import Recent
from bot.features.linking.login import Login
from bot.features.linking.logout import Logout
from bot.features.linking.me import Me
from tests.commands import COMMANDS, parse
from tests.hypothesis_profiles import examples


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
        ("unfollow bob", Unfollow("bob")),
        ("Unfollow @Bob", Unfollow("bob")),
        ("follow https://www.instagram.com/carol.private/", Follow("carol.private")),
        ("follow instagram.com/dan_the_man", Follow("dan_the_man")),
        ("follow <https://instagram.com/alice|instagram.com/alice>", Follow("alice")),
        ("user natgeo", Profile("natgeo")),
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


@settings(max_examples=examples(500), deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_to_an_intent_or_a_usage_line(text: str) -> None:
    parsed = COMMANDS.parse(text)
    assert isinstance(parsed, Parsed | Help | Usage)
    if isinstance(parsed, Parsed):  # a declared subcommand's own intent (`/ig inbox` was once missing here)
        assert parsed.subcommand in COMMANDS.subcommands
        assert not isinstance(parsed.intent, Help | Usage)
    result = parse(text)
    if isinstance(result, Follow | Unfollow | Profile):
        assert normalize_username(result.username) == result.username
        assert 1 <= len(result.username) <= 30
    if isinstance(result, Popular):
        assert 1 <= result.count <= MAX_POPULAR
    if isinstance(result, Help) and result.unknown is not None:
        assert len(result.unknown) <= 40


@settings(max_examples=examples(300), deadline=None)
@given(
    st.sampled_from(["follow", "unfollow", "user", "popular", "recent", "FOLLOW", "Popular"]),
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Zs", "Cc"]), min_size=1), max_size=3),
    st.sampled_from([" ", "  ", "\t", "\u3000"]),
)
def test_subcommands_with_any_arguments_never_crash(sub: str, args: list[str], sep: str) -> None:
    result = parse(sep.join([sub, *args]))
    assert isinstance(result, Usage | Follow | Unfollow | Popular | Recent | Profile | Help)


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


# --- Username parsing is a total function (issue 11, item 1) -------------------------------------------

# Each of these made urllib's urlsplit raise inside the ack-path matcher: Bolt answered 500.
CRASHED_URLSPLIT = ["[/", "a]/", "<[/|x>", "\uff20/", "\u2100/", "\ufe56/", "instagram.com\u2100/x"]

# Pieces that steer generated text towards brackets, links, Slack markup and compatibility characters.
_PIECES = [
    *"[]<>|/@:?#%._-!&;= \t",
    "://",
    "https://",
    "http://",
    "www.",
    "m.",
    "instagram.com",
    "instagr.am",
    "[::1]",
    "<@U123>",
    "<!channel>",
    "\u2100",  # ACCOUNT OF (NFKC: a/c)
    "\ufe56",  # SMALL QUESTION MARK (NFKC: ?)
    "\uff20",  # FULLWIDTH COMMERCIAL AT
    "\uff0f",  # FULLWIDTH SOLIDUS
    "\uff3b",  # FULLWIDTH LEFT SQUARE BRACKET
    "\u212a",  # KELVIN SIGN (lowercases to k)
    "\u017f",  # LATIN SMALL LETTER LONG S (case-folds to s)
    "\ufb01",  # LATIN SMALL LIGATURE FI
    "\u00b2",  # SUPERSCRIPT TWO
    "\u2460",  # CIRCLED DIGIT ONE
    "\U0001d41a",  # MATHEMATICAL BOLD SMALL A
    "\u0130",  # LATIN CAPITAL LETTER I WITH DOT ABOVE (lowercases to two characters)
    "\u3000",  # IDEOGRAPHIC SPACE
    "\u200b",  # ZERO WIDTH SPACE
    "\ud800",  # a lone surrogate: not valid UTF-8, but still a str
    "alice",
    "Bob_9",
]
bracket_heavy = st.lists(st.sampled_from(_PIECES) | st.characters(), max_size=24).map("".join)
any_characters = st.text(alphabet=st.characters(blacklist_categories=()), max_size=200)
subcommands = st.sampled_from(["follow", "unfollow", "user", "FOLLOW", "popular", "recent", "me", "x"])


@settings(max_examples=examples(500), deadline=None)
@given(st.one_of(bracket_heavy, any_characters))
@example("[/")
@example("\uff20alice")
@example("instagram.com/\u017fam")
def test_normalize_username_never_raises_and_returns_only_a_name_the_user_typed(raw: str) -> None:
    name = normalize_username(raw)
    if name is not None:
        assert USERNAME_RE.fullmatch(name) and name == name.lower() and name.isascii()
        # No compatibility mapping invented it: the name is in the text (full-width forms read as ASCII).
        assert name in fold_width(raw).lower()


@settings(max_examples=examples(500), deadline=None)
@given(
    subcommands,
    st.lists(st.one_of(bracket_heavy, any_characters), min_size=0, max_size=3),
    st.sampled_from([" ", "  ", "\t", "\u3000", "\n"]),
)
@example("follow", ["\uff20instagram.com"], " ")  # a full-width @ before a host: once a name, not one
@example("follow", ["[/"], " ")
@example("follow", ["a]/"], " ")
@example("follow", ["<[/|x>"], " ")
@example("follow", ["\uff20/"], " ")
@example("follow", ["\u2100/"], " ")
@example("follow", ["\ufe56/"], " ")
@example("follow", ["instagram.com\u2100/x"], " ")
@example("user", ["https://[::1/"], " ")
@example("unfollow", ["<http://instagram.com:99999/a|b>"], " ")
def test_parse_never_raises_on_bracket_and_unicode_heavy_text(sub: str, args: list[str], sep: str) -> None:
    result = parse(sep.join([sub, *args]))
    assert isinstance(
        result, Help | Usage | Login | Logout | Me | Follow | Unfollow | Popular | Recent | Profile
    )
    if isinstance(result, Follow | Unfollow | Profile):
        assert normalize_username(result.username) == result.username


@settings(max_examples=examples(300), deadline=None)
@given(any_characters)
def test_parse_never_raises_for_any_str_including_surrogates(text: str) -> None:
    parse(text)


@pytest.mark.parametrize("arg", CRASHED_URLSPLIT)
def test_arguments_that_crashed_the_url_parser_get_the_usage_line(arg: str) -> None:
    for sub in ("follow", "unfollow", "user"):
        result = parse(f"{sub} {arg}")
        assert isinstance(result, Usage), (sub, arg, result)
        assert f"`/ig {sub} <username>`" in result.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.instagram.com/alice/", "alice"),
        ("http://instagram.com/alice", "alice"),
        ("HTTPS://M.INSTAGRAM.COM/Alice", "alice"),
        ("instagr.am/alice", "alice"),
        ("https://instagr.am/alice/", "alice"),
        ("www.instagram.com/alice", "alice"),
        ("https://www.instagram.com/alice/?igsh=abc123&utm_source=qr", "alice"),
        ("https://www.instagram.com/alice#top", "alice"),
        ("instagram.com/@alice", "alice"),
        ("<https://instagram.com/alice>", "alice"),
        ("<https://www.instagram.com/alice/|@alice>", "alice"),
        ("a" * 30, "a" * 30),
    ],
)
def test_profile_links_give_the_name(raw: str, expected: str) -> None:
    assert normalize_username(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "instagram.com",
        "instagram.com/",
        "instagram.comalice",  # starts like a link: never read as a bare name
        "instagram.com/alice/photos",
        "instagram.com//alice/x",
        "instagram.com/" + "a" * 31,
        "www.instagr.am/alice",
        "instagram.com.evil.example/alice",
        "https://evil.example/instagram.com/alice",
        "http://user@instagram.com/alice",
        "instagram.com:443/alice",
        "ftp://instagram.com/alice",
        "alice/",
        "<@U123>",  # a Slack user mention is not an Instagram name
        "<@U123|alice>",
        "<#C123|general>",
        "<alice>",
        "<https://example.com/alice|instagram.com/alice>",
    ],
)
def test_anything_else_that_looks_like_a_link_is_refused(raw: str) -> None:
    assert normalize_username(raw) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A full-width @ or name is what an East Asian input method types for ASCII: read it as such.
        ("follow \uff20alice", Follow("alice")),
        ("follow \uff20\uff21\uff4c\uff49\uff43\uff45", Follow("alice")),
        ("\uff46\uff4f\uff4c\uff4c\uff4f\uff57 bob", Follow("bob")),
        ("user \uff49\uff4e\uff53\uff54\uff41\uff47\uff52\uff41\uff4d.com\uff0fbob", Profile("bob")),
        ("popular \uff13", Popular(3)),
    ],
)
def test_full_width_ascii_reads_as_ascii(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "arg",
    [
        "\ufb01ona",  # ligature fi: NFKC would make it "fiona", another person's account
        "ali\u00b2",  # superscript two: NFKC "ali2"
        "\u2460bob",  # circled one: NFKC "1bob"
        "\U0001d41alice",  # mathematical bold a: NFKC "alice"
        "\u212aate",  # Kelvin sign: lower() gives "kate"
        "\u017fam",  # long s: case-insensitive matching would give "sam"
        "a\u2100",  # account of: NFKC "aa/c"
        "\ufe6balice",  # small commercial at: NFKC "@alice"
    ],
)
def test_other_compatibility_characters_never_become_a_valid_name(arg: str) -> None:
    result = parse(f"follow {arg}")
    assert isinstance(result, Usage), result


def test_compatibility_characters_never_become_a_subcommand() -> None:
    # "lin" + KELVIN SIGN lowercases to "link" (= login): not a subcommand anyone typed.
    result = parse("lin\u212a")
    assert isinstance(result, Help) and result.unknown == "lin\u212a"
    assert isinstance(parse("\u017fTATUS"), Help)
