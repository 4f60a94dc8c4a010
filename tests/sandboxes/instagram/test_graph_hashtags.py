"""Graph mode's hashtag search: ids, top_media, and 30 unique hashtags per account per rolling 7 days."""

from __future__ import annotations

import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, FakeClock
from tests.sandboxes.instagram.graph_helpers import (
    ALICE_SHOP,
    ALICE_STUDIO,
    BOBS_BAKERY,
    HASHTAG_MEDIA_FIELDS,
    error_of,
    graph,
)

WEEK = 7 * 86400


def search(base: str, token: str, tag: str, user_id: str = BOBS_BAKERY) -> requests.Response:
    return graph(base, "/ig_hashtag_search", token, user_id=user_id, q=tag)


def test_search_then_top_media(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    response = search(base, token, "coffee")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data"] and len(body["data"]) == 1
    hashtag_id = body["data"][0]["id"]
    assert hashtag_id == sandbox.graph_world.hashtag_id("coffee")
    assert search(base, token, "#Coffee").json() == body  # '#' and case do not matter
    top = graph(
        base, f"/{hashtag_id}/top_media", token, user_id=BOBS_BAKERY, fields=HASHTAG_MEDIA_FIELDS, limit=10
    )
    assert top.status_code == 200, top.text
    data = top.json()["data"]
    assert len(data) == 10
    likes = [m["like_count"] for m in data]
    assert likes == sorted(likes, reverse=True)
    for item in data:
        assert set(item) <= set(HASHTAG_MEDIA_FIELDS.split(","))
        assert "#coffee" in item["caption"].lower()
    assert set(top.json()["paging"]["cursors"]) == {"after"}
    following = requests.get(top.json()["paging"]["next"], timeout=TIMEOUT).json()["data"]
    assert following[0]["like_count"] <= likes[-1] and following[0]["id"] not in {m["id"] for m in data}
    picture = next(m for m in data if m["media_type"] == "IMAGE")["media_url"]
    assert requests.get(picture, timeout=TIMEOUT).content[:4] == b"\x89PNG"
    node = graph(base, f"/{hashtag_id}", token, fields="id,name").json()
    assert node == {"id": hashtag_id, "name": "coffee"}


def test_hashtag_media_cannot_have_username(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    hashtag_id = search(base, token, "sunset").json()["data"][0]["id"]
    response = graph(base, f"/{hashtag_id}/top_media", token, user_id=BOBS_BAKERY, fields="id,username")
    assert response.status_code == 400
    assert error_of(response)["code"] == 100


def test_hashtag_parameters(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    unknown = search(base, token, "nosuchtagatall")  # as Meta answers a hashtag that does not exist
    assert unknown.status_code == 400
    error = error_of(unknown)
    assert (error["code"], error["error_subcode"]) == (24, 2207024)
    assert (error["message"], error["error_user_title"]) == (
        "The requested resource does not exist",
        "Hashtag not found",
    )
    assert error_of(search(base, token, ""))["code"] == 100
    assert error_of(search(base, token, "two words"))["code"] == 100
    assert error_of(search(base, token, "☕"))["code"] == 100
    assert error_of(search(base, token, "coffee", user_id=""))["code"] == 100
    assert error_of(search(base, token, "coffee", user_id=ALICE_SHOP))["code"] == 10  # not bob's account
    hashtag_id = sandbox.graph_world.hashtag_id("coffee")
    assert error_of(graph(base, f"/{hashtag_id}/top_media", token))["code"] == 100  # user_id required
    assert sandbox.hashtags_searched("bobs_bakery") == []  # nothing above counted


def test_thirty_unique_hashtags_per_rolling_week(
    base: str, sandbox: InstagramSandbox, clock: FakeClock
) -> None:
    token = sandbox.issue_graph_token("alice")
    tags = sandbox.graph_world.hashtags()
    assert len(tags) >= 40
    for tag in tags[:30]:
        assert search(base, token, tag, ALICE_SHOP).status_code == 200
        clock.advance(60)
    refused = search(base, token, tags[30], ALICE_SHOP)
    assert refused.status_code == 400
    error = error_of(refused)
    # Meta documents no answer for the 31st: not the "does not exist" subcode, so no client relies on it
    assert error["code"] == 24 and "error_subcode" not in error, error
    for tag in (tags[0], tags[29], tags[0].upper()):  # repeats pass and do not count again
        assert search(base, token, tag, ALICE_SHOP).status_code == 200
    assert search(base, token, tags[31], ALICE_SHOP).status_code == 400
    assert search(base, token, tags[30], ALICE_STUDIO).status_code == 200  # per account
    searched = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", token, limit=30).json()["data"]
    assert len(searched) == 30
    assert len(sandbox.hashtags_searched("alice.shop")) == 30
    # a week after the first search, its slot frees (a repeat did not reset its timer)
    clock.advance(WEEK - 30 * 60 + 1)
    assert search(base, token, tags[30], ALICE_SHOP).status_code == 200
    assert search(base, token, tags[31], ALICE_SHOP).status_code == 400
    clock.advance(60)
    assert search(base, token, tags[31], ALICE_SHOP).status_code == 200
