"""New graph-mode posts (``POST /__sandbox__/graph/media``): first in the account's media, in Business
Discovery's media edge and in ``recent_media`` of their hashtags, with the usage headers still counting."""

from __future__ import annotations

import json

import pytest
import requests

from bot.threaded_server import RunningServer
from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, FakeClock, add_media
from tests.sandboxes.instagram.graph_helpers import (
    ALICE_SHOP,
    BOBS_BAKERY,
    HASHTAG_MEDIA_FIELDS,
    error_of,
    graph,
)

NOW = 1_780_000_000.0  # 2026: the seeded graph posts (2024-2025) are older than a day


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def alice(sandbox: InstagramSandbox) -> str:
    return sandbox.issue_graph_token("alice")


def add_graph_media(base: str, **body: object) -> requests.Response:
    return requests.post(f"{base}/__sandbox__/graph/media", json=body, timeout=TIMEOUT)


def hashtag_id(base: str, token: str, tag: str, user_id: str = ALICE_SHOP) -> str:
    found = graph(base, "/ig_hashtag_search", token, user_id=user_id, q=tag).json()["data"]
    return str(found[0]["id"])


def test_a_new_post_is_first_in_the_accounts_media(base: str, sandbox: InstagramSandbox) -> None:
    bob = sandbox.issue_graph_token("bob")

    post = add_graph_media(base, account="bobs_bakery", caption="Fresh #sourdough today").json()

    listed = graph(base, f"/{BOBS_BAKERY}/media", bob, fields="id,caption,timestamp,like_count").json()
    assert listed["data"][0] == {
        "id": post["id"],
        "caption": "Fresh #sourdough today",
        "timestamp": "2026-05-28T20:26:40+0000",
        "like_count": 0,
    }
    node = graph(base, f"/{post['id']}", bob, fields="id,media_type,media_url,permalink,username").json()
    assert node["media_type"] == "IMAGE" and node["username"] == "bobs_bakery"
    assert requests.get(node["media_url"], timeout=TIMEOUT).headers["Content-Type"] == "image/png"
    assert requests.get(node["permalink"], timeout=TIMEOUT).status_code == 200
    assert post["hashtags"] == [{"name": "sourdough", "id": hashtag_id(base, bob, "sourdough", BOBS_BAKERY)}]


def test_business_discovery_shows_the_new_post_first(
    base: str, sandbox: InstagramSandbox, alice: str
) -> None:
    before = graph(
        base, f"/{ALICE_SHOP}", alice, fields="business_discovery.username(bobs_bakery){media_count}"
    )
    count = before.json()["business_discovery"]["media_count"]
    post = sandbox.add_graph_media(BOBS_BAKERY, caption="Croissants", hashtags=["pastry"])

    fields = (
        "business_discovery.username(bobs_bakery){media_count,"
        "media.limit(5){id,caption,media_url,permalink,timestamp,username}}"
    )
    found = graph(base, f"/{ALICE_SHOP}", alice, fields=fields).json()["business_discovery"]

    assert found["media_count"] == count + 1
    first = found["media"]["data"][0]
    assert (first["id"], first["caption"], first["username"]) == (
        post.id,
        "Croissants #pastry",
        "bobs_bakery",
    )
    assert len(found["media"]["data"]) == 5 and "after" in found["media"]["paging"]["cursors"]


def test_recent_media_of_a_hashtag_holds_the_last_day(
    base: str, sandbox: InstagramSandbox, alice: str, clock: FakeClock
) -> None:
    seeded = hashtag_id(base, alice, "coffee")
    assert graph(base, f"/{seeded}/recent_media", alice, user_id=ALICE_SHOP).json() == {"data": []}

    older = add_graph_media(base, account="alice.studio", caption="Morning #coffee").json()["id"]
    clock.advance(60)
    newer = add_graph_media(base, account=ALICE_SHOP, caption="Flat white", hashtags=["Coffee"]).json()["id"]

    body = graph(
        base, f"/{seeded}/recent_media", alice, user_id=ALICE_SHOP, fields=HASHTAG_MEDIA_FIELDS
    ).json()
    assert [m["id"] for m in body["data"]] == [newer, older]
    assert "username" not in body["data"][0]
    refused = graph(base, f"/{seeded}/recent_media", alice, user_id=ALICE_SHOP, fields="id,username")
    assert error_of(refused)["code"] == 100
    clock.advance(86_400)
    later = graph(base, f"/{seeded}/recent_media", alice, user_id=ALICE_SHOP).json()
    assert [m["id"] for m in later["data"]] == [newer]  # the older one is 24 h and 1 min old
    top = graph(base, f"/{seeded}/top_media", alice, user_id=ALICE_SHOP).json()
    assert newer not in [m["id"] for m in top["data"][:3]]
    assert newer in [m.id for m in sandbox.graph_world.top_media("coffee")[-2:]]  # 0 likes: the least popular


def test_a_brand_new_hashtag_becomes_searchable(base: str, sandbox: InstagramSandbox, alice: str) -> None:
    before = graph(base, "/ig_hashtag_search", alice, user_id=ALICE_SHOP, q="igbotlaunch")
    assert (error_of(before)["code"], error_of(before)["error_subcode"]) == (24, 2207024)  # not found

    post = add_graph_media(base, account="bobs_bakery", caption="We are live #IgbotLaunch").json()

    (tag,) = post["hashtags"]
    assert tag["name"] == "igbotlaunch" and tag["id"] == hashtag_id(base, alice, "igbotlaunch")
    recent = graph(base, f"/{tag['id']}/recent_media", alice, user_id=ALICE_SHOP).json()
    assert [m["id"] for m in recent["data"]] == [post["id"]]


def test_usage_headers_keep_counting_the_call_budget(base: str, sandbox: InstagramSandbox) -> None:
    bob = sandbox.issue_graph_token("bob")
    sandbox.add_graph_media("bobs_bakery", caption="#bread")

    usages = []
    for _ in range(3):
        response = graph(base, f"/{BOBS_BAKERY}/media", bob, fields="id")
        usage = json.loads(response.headers["X-Business-Use-Case-Usage"])[BOBS_BAKERY][0]
        usages.append(usage["call_count"])
        assert usage["type"] == "instagram" and "X-App-Usage" in response.headers
    assert usages == sorted(usages)


def test_limited_sandbox_still_refuses_over_budget(clock: FakeClock) -> None:
    small = InstagramSandbox(clock=clock, graph_rate_limit_per_hour=2)
    server: RunningServer = small.start()
    try:
        token = small.issue_graph_token("bob")
        small.add_graph_media("bobs_bakery", caption="#bread")
        answers = [graph(server.url, f"/{BOBS_BAKERY}/media", token) for _ in range(3)]
        assert [a.status_code for a in answers][:2] == [200, 200]
        assert error_of(answers[2])["code"] == 80002
        assert (
            json.loads(answers[2].headers["X-Business-Use-Case-Usage"])[BOBS_BAKERY][0]["call_count"] == 100
        )
    finally:
        small.stop()


@pytest.mark.parametrize(
    ("body", "status", "part"),
    [
        ({"account": "bob"}, 404, "no professional account"),  # a personal (v1) account
        ({}, 400, "account"),
        ({"account": "bobs_bakery", "media_type": "STORY"}, 400, "media_type"),
        ({"account": "bobs_bakery", "hashtags": ["no spaces allowed"]}, 400, "not a hashtag"),
        ({"account": "bobs_bakery", "caption": ["x"]}, 400, "caption"),
    ],
)
def test_bad_graph_posts_are_refused(base: str, body: dict[str, object], status: int, part: str) -> None:
    response = add_graph_media(base, **body)

    assert response.status_code == status and part in response.json()["error"]


def test_a_public_v1_post_shows_in_graph_hashtag_search(
    base: str, sandbox: InstagramSandbox, alice: str
) -> None:
    add_media(base, username="bob", caption="From the oven #sourdough")

    tag = hashtag_id(base, alice, "sourdough")
    recent = graph(base, f"/{tag}/recent_media", alice, user_id=ALICE_SHOP, fields="id,caption")
    (item,) = recent.json()["data"]
    assert item["caption"] == "From the oven #sourdough"


def test_reset_forgets_graph_posts(base: str, sandbox: InstagramSandbox) -> None:
    post = sandbox.add_graph_media("bobs_bakery", caption="gone soon")

    requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT)

    assert sandbox.graph_world.media_by_id(post.id) is None
