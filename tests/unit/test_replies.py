"""What igbot says when something fails or needs the user: one short line that says what happened and
what to do next, never a stack trace. Assertions use the stable fragments docs/interfaces.md promises
("Behaviour under failure"), so rewording a message keeps these tests green while dropping a promise
does not."""

from __future__ import annotations

import re

import pytest

from bot.core import replies
from bot.instagram.models import Capability
from bot.slack.blocks import Message
from igbot_sandboxes.slack.blockkit import validate_message
from tests.commands import COMMANDS

# A next step: try again (when), run or type a command, check something, pick, connect again.
NEXT_STEP = re.compile(
    r"try again|please type|\brun `/ig|\btry `/ig|check |connect again|pick |frees up in|`/ig \w+",
    re.IGNORECASE,
)
SHORT = 300  # "one short line" (README): no failure message is longer than this
TRACE_MARKERS = ("Traceback", 'File "', "Exception", "Error:", "{", "}")  # and no unfilled placeholder


def _standalone_failures() -> dict[str, str]:
    """Every failure answer that is sent on its own (not as the reason above a Connect button)."""
    return {
        "STORAGE_DOWN": replies.STORAGE_DOWN,
        "INSTAGRAM_DOWN": replies.INSTAGRAM_DOWN,
        "UNCONFIRMED": replies.UNCONFIRMED.format(username="alice"),
        "UNSUPPORTED": replies.UNSUPPORTED,
        "POPULAR_NEEDS_TAG": replies.POPULAR_NEEDS_TAG,
        "rate_limited(1)": replies.rate_limited(1)["text"],
        "rate_limited(7)": replies.rate_limited(7)["text"],
        "not_found": replies.not_found("alice")["text"],
        "hashtag_refused": replies.hashtag_refused(30, 7, 3 * 86400)["text"],
    }


def _button_reasons() -> dict[str, str]:
    """Failure reasons shown above the Connect Instagram button: the button is the next step."""
    return {
        "NOT_LINKED": replies.NOT_LINKED,
        "EXPIRED": replies.EXPIRED,
        "NEEDS_PERMISSION": replies.NEEDS_PERMISSION,
        "NEEDS_LINK": replies.NEEDS_LINK.format(command="follow"),
        "expiring(0)": replies.expiring(0),
        "expiring(3)": replies.expiring(3),
    }


def _assert_short_and_clean(text: str) -> None:
    assert 0 < len(text) <= SHORT, len(text)
    assert "\n" not in text, "one line"
    for marker in TRACE_MARKERS:
        assert marker not in text, marker


@pytest.mark.parametrize(("name", "text"), sorted(_standalone_failures().items()))
def test_each_failure_is_one_short_line_that_says_what_to_do_next(name: str, text: str) -> None:
    _assert_short_and_clean(text)
    assert NEXT_STEP.search(text), f"{name} does not say what to do next: {text!r}"


@pytest.mark.parametrize(("name", "text"), sorted(_button_reasons().items()))
def test_each_reason_above_the_connect_button_is_short_and_clean(name: str, text: str) -> None:
    _assert_short_and_clean(text)


@pytest.mark.parametrize(
    "text",
    [replies.NOT_ALLOWED, replies.UNEXPECTED.format(ref="0a1b2c3d")],
    ids=["NOT_ALLOWED", "UNEXPECTED"],
)
def test_not_allowed_and_unexpected_say_what_to_do_next(text: str) -> None:
    assert NEXT_STEP.search(text)


def test_not_allowed_and_unexpected_are_short_and_clean() -> None:
    _assert_short_and_clean(replies.NOT_ALLOWED)
    unexpected = replies.UNEXPECTED.format(ref="0a1b2c3d")
    _assert_short_and_clean(unexpected)
    assert "`0a1b2c3d`" in unexpected  # the reference to quote when asking for help
    assert "nothing was changed" in unexpected


# --- the promises of docs/interfaces.md "Behaviour under failure" ------------------------------------------


def test_rate_limit_says_when_to_try_again() -> None:
    assert "Instagram is limiting requests" in replies.rate_limited(7)["text"]
    assert "try again in about 7 minutes" in replies.rate_limited(7)["text"]
    assert "try again in about a minute" in replies.rate_limited(1)["text"]
    assert "try again in about a minute" in replies.rate_limited(0)["text"]


def test_instagram_down_says_nothing_was_changed() -> None:
    assert "Instagram didn't answer" in replies.INSTAGRAM_DOWN
    assert "nothing was changed" in replies.INSTAGRAM_DOWN


def test_storage_down_names_igbots_storage_and_says_nothing_was_changed() -> None:
    assert "igbot can't reach its storage right now" in replies.STORAGE_DOWN
    assert "nothing was changed" in replies.STORAGE_DOWN


def test_expired_says_the_connection_expired() -> None:
    assert "Instagram connection has expired" in replies.EXPIRED


def test_not_found_names_the_account_escaped_and_adds_the_backends_hint() -> None:
    assert "No Instagram account named @alice" in replies.not_found("alice")["text"]
    hostile = replies.not_found("<!channel>")["text"]
    assert "<!channel>" not in hostile and "@&lt;!channel&gt;" in hostile
    hinted = replies.not_found("bob", "Only professional accounts can be looked up.")["text"]
    assert hinted.endswith("Only professional accounts can be looked up.")


def test_unconfirmed_says_it_may_have_happened_and_how_to_check() -> None:
    text = replies.UNCONFIRMED.format(username="alice")
    assert "may or may not have happened" in text
    assert "`/ig user alice`" in text


def test_needs_link_names_the_command_and_promises_to_finish_it() -> None:
    text = replies.NEEDS_LINK.format(command="follow")
    assert "`/ig follow`" in text and "connect" in text.lower()


@pytest.mark.parametrize(("days", "when"), [(-2, "today"), (0, "today"), (1, "tomorrow"), (5, "in 5 days")])
def test_expiring_says_when(days: int, when: str) -> None:
    assert f"expires {when}" in replies.expiring(days)


# --- the other answers ----------------------------------------------------------------------------


def test_every_reply_is_private_and_accepted_by_slack() -> None:
    messages: list[Message] = [
        COMMANDS.help_message(frozenset(Capability), None, None),
        COMMANDS.help_message(frozenset(), "folow", "follow"),
        replies.usage("Type `/ig follow <username>`."),
        replies.rate_limited(3),
        replies.not_found("alice"),
        replies.logged_out(None),
        replies.logged_out("alice"),
        replies.me("U1", "alice", 1_700_000_000),
        replies.plain(replies.STORAGE_DOWN),
        replies.hashtag_budget(29, 30, 7),
        replies.hashtag_refused(30, 7, 86400),
    ]
    for message in messages:
        assert message["response_type"] == "ephemeral"
        assert validate_message(message) == [], message


def test_help_lists_only_what_the_backend_can_do() -> None:
    everything = COMMANDS.help_message(frozenset(Capability), None, None)["text"]
    for command in ("/ig follow", "/ig unfollow", "/ig user", "/ig popular #hashtag", "/ig recent"):
        assert command in everything
    basic = COMMANDS.help_message(frozenset(), None, None)["text"]
    for command in ("/ig login", "/ig me", "/ig logout", "/ig help"):
        assert command in basic
    for command in ("/ig follow", "/ig user", "/ig popular", "/ig recent"):
        assert command not in basic


def test_help_for_an_unknown_subcommand_escapes_it_and_suggests_the_closest() -> None:
    text = COMMANDS.help_message(frozenset(), "<!channel>", None)["text"]
    assert "I don't know `/ig &lt;!channel&gt;`." in text and "<!channel>" not in text
    assert "Did you mean `/ig follow`?" in COMMANDS.help_message(frozenset(), "folow", "follow")["text"]


def test_usage_is_the_hint_itself() -> None:
    assert replies.usage("Type `/ig recent`.")["text"] == "Type `/ig recent`."


def test_logged_out_says_what_was_forgotten_and_how_to_come_back() -> None:
    done = replies.logged_out("alice")["text"]
    assert "@alice" in done and "deleted its token" in done and "`/ig login`" in done
    assert "nothing to forget" in replies.logged_out(None)["text"]


def test_me_names_both_sides_with_a_slack_date() -> None:
    text = replies.me("U0ALICE", "<b>", 1_700_000_000)["text"]
    assert "<@U0ALICE>" in text
    assert "*@&lt;b&gt;*" in text
    assert "<!date^1700000000^{date_short}|1700000000>" in text
    assert "`/ig logout`" in text


def test_hashtag_budget_and_refusal_say_how_many_are_left() -> None:
    assert "29 more new hashtags" in replies.hashtag_budget(29, 30, 7)["text"]
    refused = replies.hashtag_refused(30, 7, 2 * 86400)["text"]
    assert "0 left" in refused and "about 2 days" in refused
    assert "about 1 day." in replies.hashtag_refused(30, 7, 60)["text"]
