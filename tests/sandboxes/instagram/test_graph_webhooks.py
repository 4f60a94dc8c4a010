"""Graph mode's webhooks over real HTTP: the handshake, signed notifications, retries, the delivery
conditions (subscribed_apps, Live, Advanced Access, no echo of the account's own comments), mentions
and reset (docs/inbox-wire.md)."""

from __future__ import annotations

import json

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from igbot_sandboxes.instagram.graph.webhooks import WebhookRefused
from tests.sandboxes.instagram.callback_server import CallbackServer
from tests.sandboxes.instagram.conftest import CLIENT_SECRET, TIMEOUT, FakeClock
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, BOBS_BAKERY
from tests.sandboxes.instagram.inbox_helpers import (
    ALICE_SHOP_PAGE,
    BOBS_BAKERY_PAGE,
    call,
    newest_post,
    page_token,
    wire_webhook,
)


def test_configuring_the_callback_does_metas_handshake(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    control = f"{base}/__sandbox__/graph/webhook"
    wrong = requests.post(
        control, json={"callback_url": callback.url(), "verify_token": "nope"}, timeout=TIMEOUT
    )
    assert wrong.status_code == 409 and "couldn't be validated" in wrong.json()["error"]
    check = callback.checks[-1]
    assert (
        check["hub.mode"] == "subscribe"
        and check["hub.challenge"].isdigit()
        and check["hub.verify_token"] == "nope"
    )

    callback.challenge_reply = "something else"
    echo = requests.post(
        control, json={"callback_url": callback.url(), "verify_token": "vt-123"}, timeout=TIMEOUT
    )
    assert echo.status_code == 409 and "does not match challenge" in echo.json()["error"]
    callback.challenge_reply = None
    offline = requests.post(
        control, json={"callback_url": "https://example.com/hook", "verify_token": "vt-123"}, timeout=TIMEOUT
    )
    assert offline.status_code == 409
    assert requests.get(control, timeout=TIMEOUT).json()["callback_url"] is None
    with pytest.raises(WebhookRefused):
        sandbox.set_webhook(callback.url(), "wrong")

    ok = requests.post(
        control, json={"callback_url": callback.url(), "verify_token": "vt-123"}, timeout=TIMEOUT
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "callback_url": callback.url(),
        "verify_token": "vt-123",
        "fields": ["comments", "mentions"],
    }
    bad_fields = requests.post(
        control,
        json={"callback_url": callback.url(), "verify_token": "vt-123", "fields": ["likes"]},
        timeout=TIMEOUT,
    )
    assert bad_fields.status_code == 400
    off = requests.post(control, json={"callback_url": None}, timeout=TIMEOUT)
    assert off.json()["callback_url"] is None


def test_a_new_comment_is_pushed_signed_with_the_app_secret(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer, clock: FakeClock
) -> None:
    wire_webhook(base, sandbox, callback)
    media = newest_post(sandbox)
    top = sandbox.add_comment(media, "bobs_bakery", "Great latte art/☕")
    reply = sandbox.add_comment(media, "sunset.chaser", "agreed", parent_id=top["id"])

    pushes = callback.wait_pushes(2)  # delivered concurrently: in any order
    first, second = sorted(pushes, key=lambda p: json.loads(p.body)["entry"][0]["changes"][0]["value"]["id"])
    assert first.signed_like_meta(CLIENT_SECRET) and not first.signed_like_meta("another-secret")
    assert first.headers["content-type"] == "application/json"
    assert b"\\/" in first.body and b"\\u2615" in first.body  # Facebook-style escapes: verify the raw bytes
    assert json.loads(first.body) == {
        "object": "instagram",
        "entry": [
            {
                "id": ALICE_SHOP,
                "time": int(clock.now),
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": top["id"],
                            "text": "Great latte art/☕",
                            "from": {"id": BOBS_BAKERY, "username": "bobs_bakery"},
                            "media": {"id": media, "media_product_type": "FEED"},
                        },
                    }
                ],
            }
        ],
    }
    assert json.loads(second.body)["entry"][0]["changes"][0]["value"]["parent_id"] == top["id"]
    assert json.loads(second.body)["entry"][0]["changes"][0]["value"]["id"] == reply["id"]
    deliveries = sandbox.wait_webhooks_idle()
    assert [(d["attempt"], d["status"], d["ok"]) for d in deliveries] == [(1, 200, True), (1, 200, True)]
    assert first.body.decode() in [d["body"] for d in deliveries]
    assert json.loads(first.body) in [d["payload"] for d in deliveries]
    listed = requests.get(f"{base}/__sandbox__/graph/webhooks", params={"wait": 2}, timeout=TIMEOUT).json()
    assert listed["idle"] is True and len(listed["deliveries"]) == 2


def test_a_failed_delivery_is_retried_at_once_then_dropped_after_the_last_delay(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    wire_webhook(base, sandbox, callback)
    callback.post_statuses = [500]
    sandbox.add_comment(newest_post(sandbox), "bobs_bakery", "retry me")
    deliveries = sandbox.wait_webhooks_idle()
    assert [(d["attempt"], d["status"], d["ok"]) for d in deliveries] == [(1, 500, False), (2, 200, True)]
    assert deliveries[0]["id"] == deliveries[1]["id"] and deliveries[0]["outcome"] == "retrying"
    first, second = callback.wait_pushes(2)
    assert first.body == second.body and second.signed_like_meta(CLIENT_SECRET)

    callback.post_statuses = [503] * 4  # one attempt and the three retries of the test schedule
    sandbox.add_comment(newest_post(sandbox), "bobs_bakery", "never gets through")
    dropped = [d for d in sandbox.wait_webhooks_idle() if d["id"] != deliveries[0]["id"]]
    assert [(d["attempt"], d["status"]) for d in dropped] == [(1, 503), (2, 503), (3, 503), (4, 503)]
    assert dropped[-1]["outcome"] == "failed"


def test_a_callback_slower_than_the_timeout_is_retried(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    wire_webhook(base, sandbox, callback)
    callback.post_delays = [0.8]  # the test sandbox gives up after 0.5 s (Meta: 5 s)
    sandbox.add_comment(newest_post(sandbox), "bobs_bakery", "slow")
    deliveries = sandbox.wait_webhooks_idle()
    assert [(d["attempt"], d["status"], d["error"], d["ok"]) for d in deliveries] == [
        (1, None, "timeout", False),
        (2, 200, None, True),
    ]


def test_nothing_is_delivered_without_subscribed_apps_or_while_not_live(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    sandbox.set_webhook(callback.url(), "vt-123")
    media = newest_post(sandbox)
    sandbox.add_comment(media, "bobs_bakery", "no Page subscription yet")
    assert sandbox.wait_webhooks_idle() == []

    token = wire_webhook(base, sandbox, callback)
    sandbox.set_app(live=False)
    sandbox.add_comment(media, "bobs_bakery", "app in development mode")
    assert requests.post(
        f"{base}/__sandbox__/graph/app", json={"live": True, "advanced_access": False}, timeout=TIMEOUT
    ).json() == {
        "live": True,
        "advanced_access": False,
    }
    sandbox.add_comment(media, "bobs_bakery", "standard access only")
    assert sandbox.wait_webhooks_idle() == []
    sandbox.set_app(advanced_access=True)

    own = call(base, "POST", f"/{media}/comments", token, message="our own comment").json()["id"]
    assert call(base, "POST", f"/{own}/replies", token, message="and a reply to it").status_code == 200
    sandbox.add_comment(media, "alice.shop", "the owner again, from the app")
    assert sandbox.wait_webhooks_idle() == []  # the account's own comments are not echoed

    other_page = page_token(base, token, ALICE_SHOP_PAGE)
    call(base, "DELETE", f"/{ALICE_SHOP_PAGE}/subscribed_apps", other_page)
    sandbox.add_comment(media, "bobs_bakery", "after unsubscribing")
    assert sandbox.wait_webhooks_idle() == []
    sandbox.set_webhook(callback.url(), "vt-123", fields=["mentions"])
    call(base, "POST", f"/{ALICE_SHOP_PAGE}/subscribed_apps", other_page, subscribed_fields="feed")
    sandbox.add_comment(media, "bobs_bakery", "comments field not configured")
    assert sandbox.wait_webhooks_idle() == [] and callback.pushes == []


def test_mentions_are_pushed_in_the_entry_of_the_mentioned_account(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    token = wire_webhook(base, sandbox, callback)
    caption = requests.post(
        f"{base}/__sandbox__/graph/mentions",
        json={"account": "alice.shop", "username": "bobs_bakery", "text": "Coffee by @alice.shop"},
        timeout=TIMEOUT,
    ).json()
    (push,) = callback.wait_pushes(1)
    entry = json.loads(push.body)["entry"][0]
    assert entry["id"] == ALICE_SHOP
    assert entry["changes"] == [{"field": "mentions", "value": {"media_id": caption["media_id"]}}]

    # bob's Page subscribed too: a comment on bobs_bakery's post mentioning alice.shop goes to both
    bob_page = page_token(
        base,
        sandbox.issue_graph_token("bob", scope="pages_show_list,pages_manage_metadata"),
        BOBS_BAKERY_PAGE,
    )
    call(base, "POST", f"/{BOBS_BAKERY_PAGE}/subscribed_apps", bob_page, subscribed_fields="feed")
    mention = sandbox.add_mention(
        "alice.shop", "sunset.chaser", "try this", newest_post(sandbox, BOBS_BAKERY)
    )
    assert mention["comment"]["text"] == "try this @alice.shop"
    pushes = callback.wait_pushes(3)[1:]
    changes = {
        json.loads(p.body)["entry"][0]["id"]: json.loads(p.body)["entry"][0]["changes"][0] for p in pushes
    }
    assert changes[BOBS_BAKERY]["field"] == "comments"
    assert changes[ALICE_SHOP] == {
        "field": "mentions",
        "value": {"media_id": newest_post(sandbox, BOBS_BAKERY), "comment_id": mention["comment_id"]},
    }
    assert token


def test_reset_forgets_comments_webhooks_subscriptions_and_roles(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    wire_webhook(base, sandbox, callback)
    media = newest_post(sandbox)
    sandbox.add_page_role("alice.shop", "bob")
    sandbox.add_comment(media, "bobs_bakery", "before reset")
    sandbox.wait_webhooks_idle()
    sandbox.set_app(live=False)
    assert requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT).json() == {"ok": True}

    assert sandbox.comments_of(media) == [] and sandbox.webhook_deliveries() == []
    assert requests.get(f"{base}/__sandbox__/graph/webhook", timeout=TIMEOUT).json()["callback_url"] is None
    assert requests.get(f"{base}/__sandbox__/graph/app", timeout=TIMEOUT).json() == {
        "live": True,
        "advanced_access": True,
    }
    assert [a["username"] for a in sandbox.graph_accounts_of("bob")] == ["bobs_bakery"]
    sandbox.set_webhook(callback.url(), "vt-123")
    sandbox.add_comment(media, "bobs_bakery", "the Page is no longer subscribed")
    assert sandbox.wait_webhooks_idle() == []
