"""The App Home tab: connection status with Connect / Disconnect, the person's feeds and inboxes with
their buttons, help; escaping and Slack's limits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.home.blocks import (
    HOME_CONNECT,
    HOME_DISCONNECT,
    HOME_INBOX_OFF,
    HOME_UNSUBSCRIBE,
    MAX_BLOCKS,
    MAX_FEEDS_SHOWN,
    HomeLink,
    HomeState,
    home_error_view,
    home_view,
    inbox_off_value,
    parse_inbox_off_value,
    parse_unsubscribe_value,
    unsubscribe_value,
)
from bot.storage.feeds import Feed
from bot.storage.inbox import Inbox
from tests.hypothesis_profiles import examples
from tests.unit.test_unfurls import walk

NOW = 1_700_000_000
CONNECT = "https://igbot.example/instagram/login?state=s1"
LEGACY = HomeLink("alice", linked_at=NOW - 86400, expires_at=None, api="API v1")
GRAPH = HomeLink("alice.studio", linked_at=NOW - 86400, expires_at=NOW + 50 * 86400, api="Graph API")


def feed(channel: str = "C111", target: str = "tag:sunset", label: str = "#sunset", paused: str = "") -> Feed:
    return Feed("T1", channel, target, label, "U1", "alice", NOW - 3600, paused=paused)


def inbox(account: str = "17841400000000012", channel: str = "C222", username: str = "alice.studio") -> Inbox:
    return Inbox(account, username, "T1", channel, "U1", NOW - 3600)


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in walk(view["blocks"]) if o.get("type") == "button"]


def text_of(view: dict[str, Any]) -> str:
    return "\n".join(o["text"] for o in walk(view["blocks"]) if isinstance(o.get("text"), str))


def assert_within_slack_limits(view: dict[str, Any]) -> None:
    json.dumps(view)
    assert view["type"] == "home"
    assert 0 < len(view["blocks"]) <= MAX_BLOCKS
    for obj in walk(view["blocks"]):
        if obj.get("type") == "section":
            assert len(obj["text"]["text"]) <= 3000
        if obj.get("type") == "header":
            assert len(obj["text"]["text"]) <= 150
        if obj.get("type") == "button":
            assert len(obj["text"]["text"]) <= 75
            assert len(obj.get("value", "")) <= 2000
            assert "url" in obj or "value" in obj
            if "url" in obj:
                assert obj["url"].startswith(("https://", "http://")) and len(obj["url"]) <= 3000
            if "confirm" in obj:
                confirm = obj["confirm"]
                assert len(confirm["title"]["text"]) <= 100 and len(confirm["text"]["text"]) <= 300
                assert len(confirm["confirm"]["text"]) <= 30 and len(confirm["deny"]["text"]) <= 30
                assert all(confirm[k]["type"] == "plain_text" for k in ("title", "text", "confirm", "deny"))
    # action_ids are unique within each block
    for block in view["blocks"]:
        ids = [o["action_id"] for o in walk(block) if "action_id" in o]
        assert len(ids) == len(set(ids))


def test_unlinked_shows_connect_only() -> None:
    view = home_view(HomeState(now=NOW, connect_url=CONNECT))
    assert_within_slack_limits(view)
    assert view["blocks"][0]["type"] == "header"
    assert [b["action_id"] for b in buttons(view)] == [HOME_CONNECT]
    assert buttons(view)[0]["url"] == CONNECT
    assert "haven't connected" in text_of(view)
    assert "None yet" in text_of(view)  # no feeds
    assert "`/ig help`" in text_of(view)


def test_unlinked_without_a_login_link_has_no_button() -> None:
    view = home_view(HomeState(now=NOW, connect_url="javascript:alert(1)"))
    assert buttons(view) == []


def test_legacy_link_never_expires_and_can_be_disconnected() -> None:
    view = home_view(HomeState(now=NOW, link=LEGACY, connect_url=CONNECT))
    assert_within_slack_limits(view)
    text = text_of(view)
    assert "<https://www.instagram.com/alice/|@alice>" in text
    assert f"<!date^{NOW - 86400}^{{date_short_pretty}}|2023-11-13>" in text
    assert "API v1 · the connection doesn't expire" in text
    (disconnect,) = buttons(view)
    assert disconnect["action_id"] == HOME_DISCONNECT
    assert disconnect["confirm"]["style"] == "danger"
    assert "@alice" in disconnect["confirm"]["text"]["text"]


def test_graph_link_says_when_it_expires_and_offers_renewal_in_its_last_week() -> None:
    fine = home_view(HomeState(now=NOW, link=GRAPH, connect_url=CONNECT))
    assert f"the connection expires <!date^{GRAPH.expires_at}^" in text_of(fine)
    assert [b["action_id"] for b in buttons(fine)] == [HOME_DISCONNECT]
    soon = HomeLink("alice.studio", NOW - 86400, NOW + 3 * 86400, "Graph API")
    renew = home_view(HomeState(now=NOW, link=soon, connect_url=CONNECT))
    assert [b["action_id"] for b in buttons(renew)] == [HOME_DISCONNECT, HOME_CONNECT]
    assert_within_slack_limits(renew)


def test_expired_link_brings_connect_back() -> None:
    gone = HomeLink("alice.studio", NOW - 90 * 86400, NOW - 1, "Graph API")
    view = home_view(HomeState(now=NOW, link=gone, connect_url=CONNECT))
    assert [b["action_id"] for b in buttons(view)] == [HOME_CONNECT]
    assert "expired" in text_of(view)


def test_feeds_each_have_an_unsubscribe_button_carrying_channel_and_target() -> None:
    feeds = (
        feed(),
        feed("C333", "geography:48.871,2.365,2000", "near 48.871,2.365 (2000 m)", paused="link"),
        feed("C444", "user:2082346", "@bob", paused="channel"),
    )
    view = home_view(HomeState(now=NOW, link=LEGACY, feeds=feeds))
    assert_within_slack_limits(view)
    unsubscribes = [b for b in buttons(view) if b["action_id"] == HOME_UNSUBSCRIBE]
    assert [parse_unsubscribe_value(b["value"]) for b in unsubscribes] == [
        ("C111", "tag:sunset"),
        ("C333", "geography:48.871,2.365,2000"),
        ("C444", "user:2082346"),
    ]
    assert all(b["confirm"]["style"] == "danger" for b in unsubscribes)
    text = text_of(view)
    assert "*#sunset* in <#C111>" in text
    assert "paused until you connect Instagram again" in text and "igbot can't post there" in text


def test_many_feeds_stay_within_100_blocks() -> None:
    feeds = tuple(feed(f"C{n:04d}", f"tag:t{n}", f"#t{n}") for n in range(500))
    inboxes = tuple(inbox(str(n), f"C{n:04d}") for n in range(50))
    view = home_view(HomeState(now=NOW, link=LEGACY, feeds=feeds, inboxes=inboxes))
    assert_within_slack_limits(view)
    assert len([b for b in buttons(view) if b["action_id"] == HOME_UNSUBSCRIBE]) == MAX_FEEDS_SHOWN
    assert f"…and {500 - MAX_FEEDS_SHOWN} more: `/ig subscriptions`" in text_of(view)
    assert "…and 40 more" in text_of(view)  # inboxes


def test_inboxes_have_a_turn_off_button() -> None:
    view = home_view(HomeState(now=NOW, link=GRAPH, inboxes=(inbox(),)))
    (off,) = [b for b in buttons(view) if b["action_id"] == HOME_INBOX_OFF]
    assert parse_inbox_off_value(off["value"]) == ("17841400000000012", "C222")
    assert "*<https://www.instagram.com/alice.studio/|@alice.studio>*'s posts come into <#C222>" in text_of(
        view
    )
    assert "Your inbox" not in text_of(home_view(HomeState(now=NOW, link=GRAPH)))


def test_text_from_instagram_and_users_is_escaped() -> None:
    evil = "<!channel> & <@U999>"
    view = home_view(
        HomeState(
            now=NOW,
            link=HomeLink(evil, NOW, None, "<!here>"),
            feeds=(feed(label=evil), feed("<!everyone>", "tag:x", "#x")),
            inboxes=(inbox(username=evil), inbox("bad id!", "C1")),
        )
    )
    assert_within_slack_limits(view)
    text = text_of(view)
    mrkdwn = [o["text"] for o in walk(view["blocks"]) if o.get("type") == "mrkdwn"]
    ours = re.compile(r"<!date\^\d+\^\{date_short_pretty\}\|[0-9-]+>")  # igbot's own date tokens
    assert not any("<!" in ours.sub("", t) or "<@" in t for t in mrkdwn)
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in text
    # odd ids get no button (the commands still work) and no channel link
    assert all(
        parse_unsubscribe_value(b["value"]) for b in buttons(view) if b["action_id"] == HOME_UNSUBSCRIBE
    )
    assert len([b for b in buttons(view) if b["action_id"] == HOME_INBOX_OFF]) == 1


def test_home_error_view() -> None:
    view = home_error_view("igbot can't reach its storage right now.")
    assert_within_slack_limits(view)
    assert buttons(view) == []
    assert "can't reach its storage" in text_of(view)


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("c111", "tag:x"),  # not a channel id
        ("C1|C2", "tag:x"),
        ("C111", "tag:"),
        ("C111", "stories:x"),
        ("C111", "tag:a|b"),
        ("C111", "tag:\n"),
        ("C111", "tag:" + "x" * 2000),
    ],
)
def test_values_that_cannot_be_made(channel: str, target: str) -> None:
    assert unsubscribe_value(channel, target) is None


@settings(max_examples=examples(100), deadline=None)
@given(
    channel=st.from_regex(r"[A-Z0-9]{1,32}", fullmatch=True),
    kind=st.sampled_from(["user", "tag", "location", "geography"]),
    name=st.text(min_size=1, max_size=300).filter(lambda s: s.isprintable() and "|" not in s),
)
def test_unsubscribe_values_round_trip_within_2000(channel: str, kind: str, name: str) -> None:
    value = unsubscribe_value(channel, f"{kind}:{name}")
    assert value is not None and len(value) <= 2000
    assert parse_unsubscribe_value(value) == (channel, f"{kind}:{name}")


@settings(max_examples=examples(100), deadline=None)
@given(value=st.text(max_size=80))
def test_any_value_parses_to_something_it_was_made_from_or_none(value: str) -> None:
    parsed = parse_unsubscribe_value(value)
    assert parsed is None or unsubscribe_value(*parsed) == value
    off = parse_inbox_off_value(value)
    assert off is None or inbox_off_value(*off) == value
