"""The inbox's pure parts (webhook parsing, rendering, grammar) and its Redis store."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import Usage
from bot.features.inbox import blocks as inbox_blocks
from bot.features.inbox.command import Inbox
from bot.instagram.graph.inbox import inbox_events
from bot.instagram.models import InboxEvent
from bot.storage.inbox import Claim, InboxStore, PostedComment, caption_mention_id
from bot.storage.inbox import Inbox as Route
from tests.commands import parse


def _comment_change(comment_id: str = "1790001", media_id: str = "1780001") -> dict[str, Any]:
    return {
        "field": "comments",
        "value": {
            "id": comment_id,
            "text": "nice",
            "from": {"id": "555", "username": "fan"},
            "media": {"id": media_id, "media_product_type": "FEED"},
        },
    }


def test_a_comment_and_a_mention_notification_become_events() -> None:
    body = {
        "object": "instagram",
        "entry": [
            {"id": "17841400000000001", "time": 1, "changes": [_comment_change()]},
            {
                "id": "17841400000000002",
                "time": 1,
                "changes": [
                    {"field": "mentions", "value": {"media_id": "1780009", "comment_id": "1790009"}},
                    {"field": "mentions", "value": {"media_id": "1780010"}},
                ],
            },
        ],
    }
    assert inbox_events(body) == [
        InboxEvent("comment", "17841400000000001", "1780001", "1790001"),
        InboxEvent("mention", "17841400000000002", "1780009", "1790009"),
        InboxEvent("mention", "17841400000000002", "1780010", ""),
    ]


def test_a_repeated_change_in_one_body_is_one_event() -> None:
    body = {"object": "instagram", "entry": [{"id": "1", "changes": [_comment_change(), _comment_change()]}]}
    assert len(inbox_events(body)) == 1


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"object": "page", "entry": [{"id": "1", "changes": [_comment_change()]}]},
        {"object": "instagram", "entry": "x"},
        {"object": "instagram", "entry": [{"id": "../../me", "changes": [_comment_change()]}]},
        {"object": "instagram", "entry": [{"id": "1", "changes": [_comment_change(comment_id="1/../2")]}]},
        {"object": "instagram", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {}}]}]},
        {"object": "instagram", "entry": [{"id": True, "changes": [_comment_change()]}]},
    ],
)
def test_nonsense_and_unsafe_ids_are_skipped(body: object) -> None:
    assert inbox_events(body) == []


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_any_json_parses_without_raising(body: object) -> None:
    for event in inbox_events(body):
        assert event.account_id and event.media_id


def test_comment_text_cannot_ping_mention_or_link() -> None:
    hostile = "<!channel> hi <@U0BOSS> see <https://evil.example|your bank> & *bold*"
    message = inbox_blocks.comment_message(
        comment_id="1790001",
        account="bobs_bakery",
        username="fan",
        text=hostile,
        link="https://www.instagram.com/p/abc/",
        image_url="http://127.0.0.1/x.jpg",
    )
    dumped = json.dumps(message)
    for dangerous in ("<!channel>", "<@U0BOSS>", "<https://evil.example"):
        assert dangerous not in dumped
    assert "&lt;!channel&gt;" in message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in message["text"]


def test_buttons_follow_the_comment_state() -> None:
    def action_ids(**kw: Any) -> list[str]:
        message = inbox_blocks.comment_message(
            comment_id="1", account="a", username="u", text="t", link="", image_url="", **kw
        )
        actions = [b for b in message["blocks"] if b["type"] == "actions"]
        return [e["action_id"] for e in actions[0]["elements"]] if actions else []

    assert action_ids() == ["ig_inbox_reply", "ig_inbox_hide", "ig_inbox_delete"]
    assert action_ids(state="hidden") == ["ig_inbox_unhide", "ig_inbox_delete"]
    assert action_ids(state="deleted") == []
    assert action_ids(can_hide=False) == ["ig_inbox_reply", "ig_inbox_delete"]
    assert action_ids(kind="mention") == ["ig_inbox_reply"]  # someone else's comment: only answered


def test_a_mention_in_a_caption_has_reply_and_names_no_one_it_does_not_know() -> None:
    # Issue 20, item 4: a mention is answered from Slack; Meta gives a mentioned post no permalink and a
    # mentioning comment no author, so igbot links the post's author and says "Someone".
    key = caption_mention_id("17955055105436599")
    message = inbox_blocks.mention_message(
        account="bobs_bakery", username="alice.studio", caption="hi", link="", image_url="", reply_id=key
    )
    text = message["blocks"][0]["text"]["text"]
    assert "in a post (<https://www.instagram.com/alice.studio/|their profile>)" in text
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    (reply,) = actions["elements"]
    assert reply["action_id"] == "ig_inbox_reply" and inbox_blocks.comment_of(reply["value"]) == key
    odd = inbox_blocks.mention_message(account="a", username="<!here>", caption="", link="", image_url="")
    assert "instagram.com" not in json.dumps(odd) and not [b for b in odd["blocks"] if b["type"] == "actions"]
    modal = inbox_blocks.reply_modal("17900042", "", "look @bobs_bakery", channel_id="C1")
    assert modal["blocks"][0]["text"]["text"].startswith("Someone wrote:")  # type: ignore[index]


def test_the_delete_button_asks_first_and_values_round_trip() -> None:
    message = inbox_blocks.comment_message(
        comment_id="17900042", account="a", username="u", text="t", link="", image_url=""
    )
    delete = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "ig_inbox_delete"
    )
    assert delete["confirm"]["confirm"]["text"] == "Delete"
    assert inbox_blocks.comment_of(delete["value"]) == "17900042"
    modal = inbox_blocks.reply_modal("17900042", "u", "t", channel_id="C1")
    assert inbox_blocks.comment_of(str(modal["private_metadata"])) == "17900042"
    assert inbox_blocks.comment_of('{"c": "../x"}') == "" and inbox_blocks.comment_of("[") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("inbox", Inbox()),
        ("inbox off", Inbox(off=True)),
        ("INBOX OFF", Inbox(off=True)),
        ("inbox on", Inbox()),
    ],
)
def test_inbox_grammar(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_inbox_with_other_words_gets_usage() -> None:
    assert isinstance(parse("inbox #travel"), Usage)


def _route(channel: str = "C1", team: str = "T1") -> Route:
    return Route(
        account_id="178", username="bobs_bakery", team_id=team, channel_id=channel, owner_id="U1", since=1
    )


def test_an_inbox_moves_and_turns_off(redis_client: redis.Redis) -> None:
    store = InboxStore(redis_client)
    assert store.turn_on(_route()) is None
    moved_from = store.turn_on(_route("C2"))
    assert moved_from is not None and moved_from.channel_id == "C1"
    assert store.get("178") == _route("C2")
    assert store.routed({"178", "999"}) == {"178"}
    assert [i.channel_id for i in store.of_team("T1")] == ["C2"]
    assert store.remove("178") == _route("C2")
    assert store.get("178") is None and store.of_team("T1") == []


def test_each_event_is_claimed_once(redis_client: redis.Redis) -> None:
    first, second = InboxStore(redis_client), InboxStore(redis_client)
    assert first.claim("178", "c:1") is Claim.CLAIMED
    assert first.claim("178", "c:1") is Claim.CLAIMED  # the same run again (a re-sent script)
    assert second.claim("178", "c:1") is Claim.BUSY
    first.posted("178", "c:1")
    assert second.claim("178", "c:1") is Claim.POSTED
    second.claim("178", "c:2")
    second.release("178", "c:2")
    assert first.claim("178", "c:2") is Claim.CLAIMED


def test_a_posted_comment_round_trips(redis_client: redis.Redis) -> None:
    store = InboxStore(redis_client)
    posted = PostedComment(
        comment_id="17900042",
        account_id="178",
        media_id="1780001",
        team_id="T1",
        channel_id="C1",
        ts="1.000001",
        thread_ts="",
        username="fan",
        text="multi\nline <!here>",
        account="bobs_bakery",
        state="hidden",
        changed_by="U2",
    )
    store.save_comment(posted)
    assert store.comment("17900042") == posted
    assert redis_client.ttl("igbot:inbox-comment:17900042") > 29 * 86400


def test_only_one_run_opens_a_posts_thread(redis_client: redis.Redis) -> None:
    store = InboxStore(redis_client)
    lock = store.lock_thread("T1", "C1", "1780001")
    assert lock is not None
    assert store.lock_thread("T1", "C1", "1780001") is None
    store.open_thread("T1", "C1", "1780001", "1.000002", lock)
    assert store.thread("T1", "C1", "1780001") == "1.000002"
    assert store.lock_thread("T1", "C1", "1780001") is not None


def test_api_v1_comment_refusals_say_why_and_keep_the_link() -> None:
    from bot.instagram.errors import ActionRefused
    from bot.instagram.legacy.parsing import error_for

    refused = error_for(
        400,
        "APICommentTooLongError",
        "The comment cannot exceed 300 characters.",
        sent_token=True,
        retry_minutes=1,
    )
    assert (
        isinstance(refused, ActionRefused) and refused.reason == "The comment cannot exceed 300 characters."
    )
