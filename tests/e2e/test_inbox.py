"""The inbox end to end (issue 13): `/ig inbox`, comments pushed by the sandbox's signed webhooks (graph)
or read on a schedule (API v1), threads, the Reply modal, Hide / Unhide / Delete, who may act, and the
webhook's defences. Real HTTP everywhere, a real Redis and an `igbot worker` process."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from bot.storage.inbox import POLLS
from tests.stack import WEBHOOK_VERIFY_TOKEN, Stack, start_stack

CHANNEL = "C0GENERAL"
BURST_SIZE = 10
BURST = re.compile(r"burst comment \d\d")
HOSTILE = "<!channel> ping <@U0ALICE> and <https://evil.example|your bank> *now*"


@pytest.fixture
def graph(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    running = start_stack(redis_url, api="graph")
    running.slack.set_post_rate(None)  # the channel's 1 message/s is not what these tests are about
    yield running
    running.close()


def _bakery_media(stack: Stack) -> list[str]:
    account = next(a for a in stack.instagram.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    return [m.id for m in stack.instagram.graph_world.media_of(str(account["id"]))]


def _inbox_on(stack: Stack, user_id: str = "U0BOB", channel: str = CHANNEL) -> None:
    stack.command("inbox", user_id=user_id, channel_id=channel)
    stack.wait_message("Inbox on", user_id=user_id, timeout=10)


def _comment_messages(stack: Stack, channel: str = CHANNEL) -> list[Any]:
    return [
        m
        for m in stack.slack.messages(channel_id=channel)
        if m.valid and m.source == "chat.postMessage" and "commented on" in m.all_text()
    ]


def _settled(stack: Stack) -> None:
    stack.instagram.wait_webhooks_idle(timeout=10)
    assert stack.wait_idle()


def test_comments_arrive_once_in_threads_and_are_answered_from_slack(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    media = _bakery_media(graph)[0]
    first = graph.instagram.add_comment(media, "chloemurphy", HOSTILE)
    top = graph.slack.wait_for(lambda m: "commented on" in m.all_text() and m.thread_ts is None, timeout=10)
    text = json.dumps(top.blocks)
    assert "<!channel>" not in text and "<@U0ALICE>" not in text and "<https://evil.example" not in text
    assert "&lt;!channel&gt;" in text and "chloemurphy" in text
    graph.instagram.add_comment(media, "aishasilva", "second one")
    threaded = graph.slack.wait_for(lambda m: "second one" in m.all_text(), timeout=10)
    assert threaded.thread_ts == top.ts
    _settled(graph)
    assert len(_comment_messages(graph)) == 2  # each once

    # Reply through the modal: the reply is made at Instagram and recorded in the thread.
    graph.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
    view = graph.slack.wait_view(lambda v: v.user_id == "U0BOB", timeout=10)
    graph.slack.submit_view(view, {"text": "Thanks for stopping by!"}, user_id="U0BOB")
    note = graph.slack.wait_for(lambda m: "replied" in m.all_text() and m.thread_ts == top.ts, timeout=10)
    assert "Thanks for stopping by!" in note.all_text() and "<@U0BOB>" in note.all_text()
    comments = {c["id"]: c for c in graph.instagram.comments_of(media)}
    assert [r["text"] for r in comments[first["id"]]["replies"]] == ["Thanks for stopping by!"]

    # Hide, then Unhide: Instagram changes, the message says so, the thread records who.
    graph.slack.click_button(top, "ig_inbox_hide", user_id="U0BOB")
    graph.slack.wait_for(lambda m: m.thread_ts == top.ts and "Hidden by <@U0BOB>" in m.all_text(), timeout=10)
    assert {c["id"]: c for c in graph.instagram.comments_of(media)}[first["id"]]["hidden"] is True
    hidden = graph.slack.latest(CHANNEL, top.ts)
    assert "Hidden on Instagram by <@U0BOB>" in hidden.all_text()
    assert [b.action_id for b in hidden.buttons()] == ["ig_inbox_unhide", "ig_inbox_delete"]
    graph.slack.click_button(hidden, "ig_inbox_unhide", user_id="U0BOB")
    graph.slack.wait_for(
        lambda m: m.thread_ts == top.ts and "Unhidden by <@U0BOB>" in m.all_text(), timeout=10
    )
    assert {c["id"]: c for c in graph.instagram.comments_of(media)}[first["id"]]["hidden"] is False

    # Delete (the button asks first in Slack), then the message shows it deleted, without buttons.
    graph.slack.click_button(threaded, "ig_inbox_delete", user_id="U0BOB")
    graph.slack.wait_for(
        lambda m: m.thread_ts == top.ts and "Deleted by <@U0BOB>" in m.all_text(), timeout=10
    )
    deleted = graph.slack.latest(CHANNEL, threaded.ts)
    assert "Deleted from Instagram" in deleted.all_text() and deleted.buttons() == []
    assert any(c.get("deleted") for c in graph.instagram.comments_of(media))
    _settled(graph)
    assert len(_comment_messages(graph)) == 2  # the replies made from Slack do not come back as comments


def test_someone_without_access_changes_nothing(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    graph.link_graph("alice", "alice.studio", user_id="U0ALICE")  # connected, but to another account
    _inbox_on(graph)
    media = _bakery_media(graph)[0]
    comment = graph.instagram.add_comment(media, "chloemurphy", "hello bakery")
    top = graph.slack.wait_for(lambda m: "hello bakery" in m.all_text(), timeout=10)
    for user, action in (
        ("U0ALICE", "ig_inbox_hide"),
        ("U0CAROL", "ig_inbox_delete"),
        ("U0ALICE", "ig_inbox_reply"),
    ):
        before = max(m.seq for m in graph.slack.messages())
        graph.slack.click_button(top, action, user_id=user)
        told = graph.slack.wait_for(
            lambda m, u=user, b=before: m.seq > b and m.user_id == u and "Only people whose" in m.all_text(),
            timeout=10,
        )
        assert told.ephemeral and "@bobs_bakery" in told.all_text() and "/ig login" in told.all_text()
    _settled(graph)
    state = {c["id"]: c for c in graph.instagram.comments_of(media)}[comment["id"]]
    assert not state["hidden"] and not state.get("deleted") and not state["replies"]
    assert graph.slack.open_views() == []
    assert graph.slack.latest(CHANNEL, top.ts).all_text() == top.all_text()


def test_a_second_person_connected_to_the_account_can_act(graph: Stack) -> None:
    graph.instagram.add_page_role("bobs_bakery", "alice")
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    graph.link_graph("alice", "bobs_bakery", user_id="U0ALICE")  # through her own Facebook login
    _inbox_on(graph)
    media = _bakery_media(graph)[0]
    comment = graph.instagram.add_comment(media, "chloemurphy", "who runs this?")
    top = graph.slack.wait_for(lambda m: "who runs this?" in m.all_text(), timeout=10)
    graph.slack.click_button(top, "ig_inbox_hide", user_id="U0ALICE")
    graph.slack.wait_for(lambda m: "Hidden by <@U0ALICE>" in m.all_text(), timeout=10)
    assert {c["id"]: c for c in graph.instagram.comments_of(media)}[comment["id"]]["hidden"] is True


def _post_webhook(stack: Stack, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{stack.bot.url}/instagram/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=5,
    )


def _signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_forged_missing_replayed_and_wrong_token_webhooks_post_nothing_twice(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    media = _bakery_media(graph)[0]
    graph.instagram.add_comment(media, "chloemurphy", "the real one")
    graph.slack.wait_for(lambda m: "the real one" in m.all_text(), timeout=10)
    _settled(graph)
    delivered = next(d for d in graph.instagram.webhook_deliveries() if d["ok"])
    body = delivered["body"].encode() if isinstance(delivered["body"], str) else delivered["body"]

    # Replayed exactly as Meta signed it: accepted (200) and posts nothing new.
    replay = _post_webhook(
        graph, body, {"X-Hub-Signature-256": _signature(body, graph.instagram.client_secret)}
    )
    assert replay.status_code == 200
    # Forged: same text, another comment id, signed with a wrong secret; and one without a signature.
    forged = body.replace(b'"the real one"', b'"forged"')
    assert (
        _post_webhook(graph, forged, {"X-Hub-Signature-256": _signature(forged, "wrong")}).status_code == 403
    )
    assert _post_webhook(graph, forged, {}).status_code == 403
    wrong = requests.get(
        f"{graph.bot.url}/instagram/webhook",
        params={"hub.mode": "subscribe", "hub.challenge": "1234", "hub.verify_token": "not-it"},
        timeout=5,
    )
    assert wrong.status_code == 403 and "1234" not in wrong.text
    right = requests.get(
        f"{graph.bot.url}/instagram/webhook",
        params={"hub.mode": "subscribe", "hub.challenge": "1234", "hub.verify_token": WEBHOOK_VERIFY_TOKEN},
        timeout=5,
    )
    assert right.status_code == 200 and right.text == "1234"
    _settled(graph)
    assert len(_comment_messages(graph)) == 1
    assert not any("forged" in m.all_text() for m in graph.slack.messages())


def test_a_mention_arrives_with_the_post(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    other = next(a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio")
    post = graph.instagram.graph_world.media_of(str(other["id"]))[0]
    graph.instagram.add_mention("bobs_bakery", "chloemurphy", "look @bobs_bakery <!here>", media_id=post.id)
    shown = graph.slack.wait_for(lambda m: "mentioned" in m.all_text(), timeout=10)
    assert "@bobs_bakery" in shown.all_text() and "<!here>" not in json.dumps(shown.blocks)
    assert "in a comment" in shown.all_text()
    graph.instagram.add_mention("bobs_bakery", "alice.studio", "shout out to @bobs_bakery")
    caption = graph.slack.wait_for(lambda m: "shout out to" in m.all_text(), timeout=10)
    # Meta gives a mentioned post no permalink: its author's profile is linked instead
    profile = "<https://www.instagram.com/alice.studio/|their profile>"
    assert f"*@alice.studio* mentioned *@bobs_bakery* in a post ({profile})" in caption.all_text()


def _bakery_id(stack: Stack) -> str:
    return str(
        next(a["id"] for a in stack.instagram.graph_accounts_of("bob") if a["username"] == "bobs_bakery")
    )


def _mention_replies(stack: Stack) -> list[dict[str, Any]]:
    """What igbot sent to ``POST /{ig-user-id}/mentions`` (query and form together)."""
    path = f"/graph/v25.0/{_bakery_id(stack)}/mentions"
    sent = [r for r in stack.instagram.requests_log() if r["method"] == "POST" and r["path"] == path]
    return [{k: v for k, v in {**r["query"], **r["form"]}.items() if k != "access_token"} for r in sent]


def _reply_from_slack(stack: Stack, message: Any, text: str) -> None:
    """Click the message's Reply as U0BOB and submit ``text``; the reply is noted in the thread."""
    assert [b.action_id for b in message.buttons()] == ["ig_inbox_reply"]  # answered, never moderated
    stack.slack.click_button(message, "ig_inbox_reply", user_id="U0BOB")
    view = stack.slack.wait_view(lambda v: v.user_id == "U0BOB", timeout=10)
    stack.slack.submit_view(view, {"text": text}, user_id="U0BOB")
    note = stack.slack.wait_for(lambda m: "replied" in m.all_text() and m.thread_ts == message.ts, timeout=10)
    assert text in note.all_text() and "<@U0BOB>" in note.all_text()


def test_a_comment_mention_shows_without_an_author_and_its_reply_goes_to_the_mentions_edge(
    graph: Stack,
) -> None:
    # Issue 20, item 4: Meta's mentioned_comment has no username (the sandbox, like Graph, refuses it),
    # and a mention is answered with POST /{ig-user-id}/mentions (media_id, comment_id, message).
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    other = next(a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio")
    post = graph.instagram.graph_world.media_of(str(other["id"]))[0].id
    mention = graph.instagram.add_mention("bobs_bakery", "chloemurphy", "look @bobs_bakery", media_id=post)
    shown = graph.slack.wait_for(lambda m: "in a comment" in m.all_text(), timeout=10)
    assert "Someone mentioned *@bobs_bakery* in a comment" in shown.all_text()
    assert "chloemurphy" not in shown.all_text()  # Meta does not say who wrote it
    _reply_from_slack(graph, shown, "Thanks for the shout-out!")
    assert _mention_replies(graph) == [
        {"media_id": post, "comment_id": mention["comment_id"], "message": "Thanks for the shout-out!"}
    ]
    answered = {c["id"]: c for c in graph.instagram.comments_of(post)}[mention["comment_id"]]
    assert [(r["username"], r["text"]) for r in answered["replies"]] == [
        ("bobs_bakery", "Thanks for the shout-out!")
    ]


def test_a_caption_mention_is_answered_through_the_mentions_edge_without_a_comment_id(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    mention = graph.instagram.add_mention("bobs_bakery", "alice.studio", "shout out to @bobs_bakery")
    shown = graph.slack.wait_for(lambda m: "shout out to" in m.all_text(), timeout=10)
    _reply_from_slack(graph, shown, "Thank you, neighbours!")
    assert _mention_replies(graph) == [{"media_id": mention["media_id"], "message": "Thank you, neighbours!"}]
    made = [(c["username"], c["text"]) for c in graph.instagram.comments_of(mention["media_id"])]
    assert made == [("bobs_bakery", "Thank you, neighbours!")]


def test_inbox_moves_lists_and_turns_off(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    _inbox_on(graph, channel="C0RANDOM")
    moved = graph.slack.wait_for(lambda m: "moved to <#C0RANDOM>" in m.all_text(), timeout=10)
    assert moved.channel_id == CHANNEL
    graph.command("subscriptions", user_id="U0BOB", channel_id="C0RANDOM")
    graph.wait_message("*Inbox*", user_id="U0BOB", timeout=10)
    graph.instagram.add_comment(_bakery_media(graph)[0], "chloemurphy", "where does this go")
    arrived = graph.slack.wait_for(lambda m: "where does this go" in m.all_text(), timeout=10)
    assert arrived.channel_id == "C0RANDOM"
    graph.command("inbox off", user_id="U0BOB", channel_id="C0RANDOM")
    graph.wait_message("won't come into", user_id="U0BOB", timeout=10)
    graph.instagram.add_comment(_bakery_media(graph)[0], "chloemurphy", "after off")
    _settled(graph)
    assert not any("after off" in m.all_text() for m in graph.slack.messages())


def test_inbox_explains_what_meta_must_allow(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB", scope="instagram_basic,pages_show_list")
    graph.command("inbox", user_id="U0BOB")
    refused = graph.wait_message("permission", user_id="U0BOB", timeout=10)
    assert "Connect" in refused.all_text() or "/ig login" in refused.all_text()
    assert graph.services.inbox.get(_account_id(graph)) is None


def _account_id(stack: Stack) -> str:
    return str(
        next(a for a in stack.instagram.graph_accounts_of("bob") if a["username"] == "bobs_bakery")["id"]
    )


def test_api_v1_reads_comments_on_a_schedule_and_has_no_hide(
    redis_client: redis.Redis, redis_url: str
) -> None:
    stack = start_stack(redis_url)
    try:
        stack.slack.set_post_rate(None)
        stack.link("bob", user_id="U0BOB")
        _inbox_on(stack)
        account = stack.instagram.world.user_by_username("bob")
        media = next(m for m in stack.instagram.world.media if m.owner_id == account.id)
        stack.instagram.add_comment(media.id, "chloemurphy", HOSTILE)
        redis_client.zadd(POLLS, {str(account.id): 0})  # due now instead of in a minute
        top = stack.slack.wait_for(lambda m: "commented on" in m.all_text(), timeout=15)
        assert "&lt;!channel&gt;" in json.dumps(top.blocks)
        assert [b.action_id for b in top.buttons()] == ["ig_inbox_reply", "ig_inbox_delete"]
        redis_client.zadd(POLLS, {str(account.id): 0})  # read again: nothing new
        assert stack.wait_idle()
        stack.slack.click_button(top, "ig_inbox_reply", user_id="U0BOB")
        view = stack.slack.wait_view(lambda v: v.user_id == "U0BOB", timeout=10)
        stack.slack.submit_view(view, {"text": "merci"}, user_id="U0BOB")
        stack.slack.wait_for(lambda m: "replied" in m.all_text(), timeout=10)
        texts = [c["text"] for c in stack.instagram.comments_of(media.id)]
        assert "@chloemurphy merci" in texts
        stack.slack.click_button(top, "ig_inbox_delete", user_id="U0BOB")
        stack.slack.wait_for(lambda m: "Deleted by <@U0BOB>" in m.all_text(), timeout=10)
        assert HOSTILE not in [
            c["text"] for c in stack.instagram.comments_of(media.id) if not c.get("deleted")
        ]
        redis_client.zadd(POLLS, {str(account.id): 0})
        assert stack.wait_idle()
        assert len(_comment_messages(stack)) == 1
    finally:
        stack.close()


def test_a_burst_into_a_rate_limited_channel_arrives_whole_and_once(graph: Stack) -> None:
    graph.slack.set_post_rate(1.0, burst=3)  # Slack's per-channel limit: about 1 message a second
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    media = _bakery_media(graph)
    for n in range(BURST_SIZE):
        graph.instagram.add_comment(media[n % 3], "chloemurphy", f"burst comment {n:02d}")
    graph.slack.wait_for(
        lambda m: "burst comment" in m.all_text() and len(_burst(graph)) >= BURST_SIZE, timeout=30
    )
    _settled(graph)
    assert sorted(_burst(graph)) == [f"burst comment {n:02d}" for n in range(BURST_SIZE)]
    assert any(call.status == 429 for call in graph.slack.api_calls("chat.postMessage"))


def _burst(stack: Stack) -> list[str]:
    return [found.group(0) for m in _comment_messages(stack) if (found := BURST.search(m.all_text()))]


def test_the_owner_logging_out_stops_the_inbox_and_says_so_once(graph: Stack) -> None:
    graph.link_graph("bob", "bobs_bakery", user_id="U0BOB")
    _inbox_on(graph)
    graph.command("logout", user_id="U0BOB")
    graph.wait_message("forgot your Instagram connection", user_id="U0BOB", timeout=10)
    media = _bakery_media(graph)[0]
    graph.instagram.add_comment(media, "chloemurphy", "anyone there?")
    graph.instagram.add_comment(media, "aishasilva", "hello?")
    told = graph.slack.wait_for(lambda m: "The inbox of *@bobs_bakery* stopped" in m.all_text(), timeout=10)
    assert told.channel_id == CHANNEL and "<@U0BOB>" in told.all_text() and "/ig login" in told.all_text()
    _settled(graph)
    assert _comment_messages(graph) == []
    assert sum("stopped" in m.all_text() for m in graph.slack.messages(channel_id=CHANNEL)) == 1
    assert graph.services.inbox.get(_account_id(graph)) is None
