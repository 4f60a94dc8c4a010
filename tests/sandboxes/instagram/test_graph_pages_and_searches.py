"""Graph mode for bot tests: ``me/accounts`` paging over many Pages (``graph/pages``), and
``recently_searched_hashtags`` following searches made in igbot and elsewhere (``graph/hashtag_searches``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, FakeClock, query_of
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, BOBS_BAKERY, VERSION, error_of, graph

ACCOUNTS_FIELDS = "id,name,instagram_business_account{id,username}"


def control(base: str, action: str, **body: object) -> requests.Response:
    return requests.post(f"{base}/__sandbox__/graph/{action}", json=body, timeout=TIMEOUT)


def test_many_pages_put_the_instagram_account_on_the_second_answer_page(
    base: str, sandbox: InstagramSandbox
) -> None:
    added = control(base, "pages", username="bob", count=29)
    assert added.status_code == 200, added.text
    body = added.json()
    assert len(body["added"]) == 29 and len({p["id"] for p in body["added"]}) == 29
    pages = body["facebook_user"]["pages"]
    assert len(pages) == 30 and pages[-1]["name"] == "Bob's Bakery"
    assert pages[-1]["instagram_business_account"] == {"id": BOBS_BAKERY, "username": "bobs_bakery"}

    token = sandbox.issue_graph_token("bob")
    first = graph(base, "/me/accounts", token, fields=ACCOUNTS_FIELDS)
    assert first.status_code == 200
    one = first.json()
    assert set(one) == {"data", "paging"} and len(one["data"]) == 25  # the default limit
    assert not any("instagram_business_account" in p for p in one["data"])
    assert set(one["paging"]) == {"cursors", "next"}  # the first page has no "previous"
    assert set(one["paging"]["cursors"]) == {"before", "after"}
    following = one["paging"]["next"]
    assert urlsplit(following).netloc == urlsplit(base).netloc  # absolute, on this host
    assert urlsplit(following).path == f"/graph/{VERSION}/me/accounts"
    query = query_of(following)
    assert query["access_token"] == token and query["limit"] == "25"
    assert query["after"] == one["paging"]["cursors"]["after"] and query["fields"] == ACCOUNTS_FIELDS

    two = requests.get(following, timeout=TIMEOUT).json()
    assert len(two["data"]) == 5 and "next" not in two["paging"] and "previous" in two["paging"]
    assert two["data"][-1]["instagram_business_account"] == {"id": BOBS_BAKERY, "username": "bobs_bakery"}
    assert requests.get(two["paging"]["previous"], timeout=TIMEOUT).json()["data"] == one["data"]

    small = graph(base, "/me/accounts", token, limit=10).json()
    assert len(small["data"]) == 10 and query_of(small["paging"]["next"])["limit"] == "10"
    assert len(graph(base, "/me/accounts", token, limit=30).json()["data"]) == 30
    # the dialog, the accounts listing and the Python face see the same Pages
    assert [a["username"] for a in sandbox.graph_accounts_of("bob")] == ["bobs_bakery"]
    bob = sandbox.graph_world.fb_user_by_username("bob")
    assert bob is not None and len(sandbox.graph_world.pages_of(bob.id)) == 30


def test_added_pages_after_and_reset(base: str, sandbox: InstagramSandbox) -> None:
    pages = sandbox.add_graph_pages("alice", 3, position="after")
    assert [p.ig_account_id for p in pages] == [None, None, None]
    token = sandbox.issue_graph_token("alice")
    data = graph(base, "/me/accounts", token, fields=ACCOUNTS_FIELDS).json()["data"]
    assert [p["id"] for p in data[-3:]] == [p.id for p in pages]
    assert "instagram_business_account" in data[0]
    other = InstagramSandbox()  # same seed, shared seeded world: untouched
    alice = other.graph_world.fb_user_by_username("alice")
    assert alice is not None and len(other.graph_world.pages_of(alice.id)) == 2
    sandbox.reset()
    token = sandbox.issue_graph_token("alice")
    assert len(graph(base, "/me/accounts", token).json()["data"]) == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "nobody", "count": 3}, 400),
        ({"username": "bob", "count": 0}, 400),
        ({"username": "bob", "count": 1001}, 400),
        ({"username": "bob", "count": "x"}, 400),
        ({"username": "bob", "count": 2, "position": "middle"}, 400),
    ],
)
def test_pages_control_rejects_bad_requests(base: str, body: dict[str, object], status: int) -> None:
    response = control(base, "pages", **body)
    assert response.status_code == status and "error" in response.json()


def test_recently_searched_hashtags_shape_and_paging(
    base: str, sandbox: InstagramSandbox, clock: FakeClock
) -> None:
    token = sandbox.issue_graph_token("alice")
    tags = sandbox.graph_world.hashtags()[:28]
    for tag in tags:
        assert graph(base, "/ig_hashtag_search", token, user_id=ALICE_SHOP, q=tag).status_code == 200
        clock.advance(1)
    first = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", token).json()
    assert len(first["data"]) == 25 and all(set(h) == {"id"} for h in first["data"])  # Meta: only ids
    assert first["data"][0]["id"] == sandbox.graph_world.hashtag_id(tags[-1])  # newest first
    rest = requests.get(first["paging"]["next"], timeout=TIMEOUT).json()
    assert len(rest["data"]) == 3 and "next" not in rest["paging"]
    named = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", token, limit=30, fields="id,name").json()
    assert [h["name"] for h in named["data"]] == list(reversed(tags))
    assert "next" not in named["paging"]
    capped = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", token, limit=31).json()
    assert len(capped["data"]) == 28 and "next" not in capped["paging"]  # limit is capped at 30
    bad = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", token, fields="media_count")
    assert bad.status_code == 400 and error_of(bad)["code"] == 100
    foreign = graph(base, f"/{BOBS_BAKERY}/recently_searched_hashtags", token)
    assert foreign.status_code == 400 and error_of(foreign)["code"] == 100
    other_token = sandbox.issue_graph_token("alice")
    listed = graph(base, f"/{ALICE_SHOP}/recently_searched_hashtags", other_token).json()["data"]
    assert len(listed) == 25  # searches are the account's, whichever token asks
    bob = sandbox.issue_graph_token("bob")
    assert graph(base, f"/{BOBS_BAKERY}/recently_searched_hashtags", bob).json() == {"data": []}


def test_searches_made_outside_igbot_count_and_show(
    base: str, sandbox: InstagramSandbox, clock: FakeClock
) -> None:
    token = sandbox.issue_graph_token("bob")
    assert graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread").status_code == 200
    clock.advance(10)
    outside = control(base, "hashtag_searches", account="bobs_bakery", hashtags=["#Coffee", "sunset"])
    assert outside.status_code == 200, outside.text
    body = outside.json()
    assert body["recorded"] == ["coffee", "sunset"]
    assert body["account"] == {"id": BOBS_BAKERY, "username": "bobs_bakery"}
    assert (body["count"], body["limit"]) == (3, 30)
    assert [h["name"] for h in body["hashtags"]] == ["coffee", "sunset", "bread"]
    assert body["hashtags"][-1]["searched_at"] == clock.now - 10
    listed = graph(base, f"/{BOBS_BAKERY}/recently_searched_hashtags", token, fields="name").json()["data"]
    assert {h["name"] for h in listed} == {"coffee", "sunset", "bread"}
    by_id = requests.get(
        f"{base}/__sandbox__/graph/hashtag_searches", params={"account": BOBS_BAKERY}, timeout=TIMEOUT
    )
    assert by_id.json()["count"] == 3
    # an old search made elsewhere drops out of the week before a new one
    control(base, "hashtag_searches", account="bobs_bakery", hashtag="surfing", seconds_ago=7 * 86400 - 60)
    assert "surfing" in sandbox.hashtags_searched("bobs_bakery")
    clock.advance(61)
    assert "surfing" not in sandbox.hashtags_searched("bobs_bakery")


def test_outside_searches_fill_the_quota(base: str, sandbox: InstagramSandbox) -> None:
    tags = sandbox.graph_world.hashtags()
    assert sandbox.record_hashtag_search("alice.shop", *tags[:29]) == tags[:29]  # same second: by name
    over = control(base, "hashtag_searches", account="alice.shop", hashtags=[tags[29], tags[30]])
    assert over.status_code == 409
    assert over.json()["recorded"] == [tags[29]] and over.json()["count"] == 30
    token = sandbox.issue_graph_token("alice")
    refused = graph(base, "/ig_hashtag_search", token, user_id=ALICE_SHOP, q=tags[31])
    assert error_of(refused)["code"] == 24 and "error_subcode" not in error_of(refused)
    again = graph(base, "/ig_hashtag_search", token, user_id=ALICE_SHOP, q=tags[0])  # already counted
    assert again.status_code == 200
    with pytest.raises(ValueError, match="already searched 30"):
        sandbox.record_hashtag_search("alice.shop", tags[32])
    sandbox.reset()
    assert sandbox.hashtags_searched("alice.shop") == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account": "nobody", "hashtag": "coffee"}, 404),
        ({"account": "alice", "hashtag": "coffee"}, 404),  # a Facebook user, not an IG account
        ({"account": "alice.shop", "hashtag": "nosuchtagatall"}, 404),
        ({"account": "alice.shop"}, 400),
        ({"account": "alice.shop", "hashtags": "coffee"}, 400),
        ({"account": "alice.shop", "hashtag": "coffee", "seconds_ago": -1}, 400),
        ({"account": "alice.shop", "hashtag": "coffee", "seconds_ago": 604800}, 400),
    ],
)
def test_hashtag_searches_control_rejects_bad_requests(
    base: str, sandbox: InstagramSandbox, body: dict[str, object], status: int
) -> None:
    response = control(base, "hashtag_searches", **body)
    assert response.status_code == status and "error" in response.json()
    assert sandbox.hashtags_searched("alice.shop") == []
    missing = requests.get(f"{base}/__sandbox__/graph/hashtag_searches", timeout=TIMEOUT)
    assert missing.status_code == 404
