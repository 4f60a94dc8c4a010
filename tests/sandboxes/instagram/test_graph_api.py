"""Graph mode's API: me/accounts, the IG user node, its media, Business Discovery and other nodes."""

from __future__ import annotations

import re

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT
from tests.sandboxes.instagram.graph_helpers import (
    ACCOUNT_FIELDS,
    ALICE_SHOP,
    ALICE_STUDIO,
    BOBS_BAKERY,
    MEDIA_FIELDS,
    error_of,
    graph,
)

ACCOUNTS_FIELDS = "name,instagram_business_account{id,username,name,profile_picture_url}"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


def bd_fields(
    username: str, media: str = "media.limit(3){id,caption,media_type,media_url,like_count}"
) -> str:
    return f"business_discovery.username({username}){{{ACCOUNT_FIELDS},{media}}}"


@pytest.mark.parametrize(
    ("fb_user", "expected"),
    [
        ("alice", [("alice.shop", ALICE_SHOP), ("alice.studio", ALICE_STUDIO)]),
        ("bob", [("bobs_bakery", BOBS_BAKERY)]),
        ("carol.private", []),
        ("dan_the_man", []),
        ("erin.private", [("trailrunner.jo", "17841400000000107")]),
    ],
)
def test_me_accounts(
    base: str, sandbox: InstagramSandbox, fb_user: str, expected: list[tuple[str, str]]
) -> None:
    token = sandbox.issue_graph_token(fb_user)
    body = graph(base, "/me/accounts", token, fields=ACCOUNTS_FIELDS).json()
    linked = [p["instagram_business_account"] for p in body["data"] if "instagram_business_account" in p]
    assert [(a["username"], a["id"]) for a in linked] == expected
    for account in linked:
        assert set(account) == {"id", "username", "name", "profile_picture_url"}
        picture = requests.get(account["profile_picture_url"], timeout=TIMEOUT)
        assert picture.headers["Content-Type"] == "image/png"
    for page in body["data"]:
        assert set(page) <= {"id", "name", "instagram_business_account"}
    if body["data"]:
        assert set(body["paging"]["cursors"]) == {"before", "after"}
    assert [a["username"] for a in sandbox.graph_accounts_of(fb_user)] == [u for u, _ in expected]


def test_carol_has_a_page_without_instagram(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("carol.private")
    body = graph(base, "/me/accounts", token, fields=ACCOUNTS_FIELDS).json()
    assert body["data"] == [{"name": "Carol's Book Club", "id": "104000000000031"}]
    assert graph(base, "/me/accounts", sandbox.issue_graph_token("dan_the_man")).json() == {"data": []}


def test_me_accounts_fields_are_checked_and_need_pages_show_list(
    base: str, sandbox: InstagramSandbox
) -> None:
    token = sandbox.issue_graph_token("bob")
    default = graph(base, "/me/accounts", token).json()["data"][0]
    assert set(default) == {"id", "name", "category", "tasks"}
    known = graph(base, "/me/accounts", token, fields="instagram_business_account").json()
    assert known["data"][0] == {"instagram_business_account": {"id": BOBS_BAKERY}, "id": "104000000000021"}
    # Graph refuses a field a Page does not have (issue 20, item 4: so does the sandbox)
    unknown = graph(base, "/me/accounts", token, fields="instagram_business_account,whatever")
    assert unknown.status_code == 400
    assert (
        error_of(unknown)["message"]
        == "(#100) Tried accessing nonexisting field (whatever) on node type (Page)"
    )
    assert (error_of(unknown)["code"], error_of(unknown)["type"]) == (100, "OAuthException")
    no_pages = sandbox.issue_graph_token("bob", scope="instagram_basic")
    assert graph(base, "/me/accounts", no_pages).json() == {"data": []}


def test_ig_user_node(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("alice")
    response = graph(base, f"/{ALICE_STUDIO}", token, fields=ACCOUNT_FIELDS)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ACCOUNT_FIELDS.split(",")
    assert body["username"] == "alice.studio"
    assert body["media_count"] == len(sandbox.graph_world.media_of(ALICE_STUDIO))
    assert isinstance(body["followers_count"], int)
    assert body["profile_picture_url"].startswith(base + "/")
    assert graph(base, f"/{ALICE_STUDIO}", token).json() == {"id": ALICE_STUDIO}
    assert graph(base, f"/{ALICE_STUDIO}", token, fields="username").json() == {
        "username": "alice.studio",
        "id": ALICE_STUDIO,
    }


def test_ig_user_node_only_for_managed_accounts(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    for node in (ALICE_SHOP, "17841400000009999", "1574083"):
        error = error_of(graph(base, f"/{node}", token, fields="id,username"))
        assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")
        assert "Unsupported get request" in error["message"]
    narrow = sandbox.issue_graph_token("bob", scope="pages_show_list")
    assert error_of(graph(base, f"/{BOBS_BAKERY}", narrow))["code"] == 10


def test_unknown_field_and_syntax_errors(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    unknown = error_of(graph(base, f"/{BOBS_BAKERY}", token, fields="id,password"))
    assert unknown["code"] == 100
    assert "nonexisting field (password)" in unknown["message"]
    syntax = error_of(graph(base, f"/{BOBS_BAKERY}", token, fields="id,media{id"))
    assert syntax["code"] == 2500
    assert syntax["message"].startswith("Syntax error")


def test_media_edge(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("alice")
    expected = sandbox.graph_world.media_of(ALICE_STUDIO)
    response = graph(base, f"/{ALICE_STUDIO}/media", token, fields=MEDIA_FIELDS, limit=50)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [m["id"] for m in data] == [m.id for m in expected]
    assert {m["media_type"] for m in data} <= {"IMAGE", "VIDEO", "CAROUSEL_ALBUM"}
    assert "VIDEO" in {m["media_type"] for m in data}
    for item in data:
        assert TIMESTAMP.match(item["timestamp"])
        assert ("thumbnail_url" in item) is (item["media_type"] == "VIDEO")
        assert item["permalink"].startswith(base + "/p/")
        assert isinstance(item["like_count"], int) and isinstance(item["comments_count"], int)
    image = next(m for m in data if m["media_type"] == "IMAGE")
    picture = requests.get(image["media_url"], timeout=TIMEOUT)
    assert (picture.status_code, picture.content[:8]) == (200, b"\x89PNG\r\n\x1a\n")
    video = next(m for m in data if m["media_type"] == "VIDEO")
    assert requests.get(video["thumbnail_url"], timeout=TIMEOUT).content[:4] == b"\x89PNG"
    page = requests.get(image["permalink"], timeout=TIMEOUT)
    assert page.status_code == 200 and "alice.studio" in page.text


def test_some_videos_have_no_media_url(base: str, sandbox: InstagramSandbox) -> None:
    flagged = next(m for m in sandbox.graph_world.media if m.professional and not m.has_media_url)
    token = sandbox.issue_graph_token("alice")
    fields = bd_fields(flagged.owner_username, "media.limit(100){id,media_type,media_url,thumbnail_url}")
    found = graph(base, f"/{ALICE_SHOP}", token, fields=fields).json()["business_discovery"]
    item = next(m for m in found["media"]["data"] if m["id"] == flagged.id)
    assert item["media_type"] == "VIDEO"
    assert "media_url" not in item
    assert "thumbnail_url" in item


def test_media_paging(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("alice")
    first = graph(base, f"/{ALICE_STUDIO}/media", token, fields="id", limit=3).json()
    assert len(first["data"]) == 3
    assert "previous" not in first["paging"]
    second = requests.get(first["paging"]["next"], timeout=TIMEOUT).json()
    assert len(second["data"]) == 3
    assert not {m["id"] for m in second["data"]} & {m["id"] for m in first["data"]}
    back = requests.get(second["paging"]["previous"], timeout=TIMEOUT).json()
    assert back["data"] == first["data"]
    assert error_of(graph(base, f"/{ALICE_STUDIO}/media", token, limit="many"))["code"] == 100
    assert error_of(graph(base, f"/{ALICE_STUDIO}/media", token, after="garbage!"))["code"] == 100
    assert error_of(graph(base, f"/{ALICE_STUDIO}/stories", token))["code"] == 2500


def test_business_discovery_found(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("alice")
    response = graph(base, f"/{ALICE_SHOP}", token, fields=bd_fields("brewlab.coffee"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"business_discovery", "id"} and body["id"] == ALICE_SHOP
    found = body["business_discovery"]
    assert found["username"] == "brewlab.coffee"
    assert found["id"] == "17841400000000101"
    assert found["followers_count"] == 267788
    media = found["media"]["data"]
    assert len(media) == 3
    assert all(set(m) <= {"id", "caption", "media_type", "media_url", "like_count"} for m in media)
    assert "after" in found["media"]["paging"]["cursors"]
    creator = graph(base, f"/{ALICE_SHOP}", token, fields="business_discovery.username(SUNSET.CHASER){id}")
    assert creator.json()["business_discovery"] == {"id": "17841400000000102"}


@pytest.mark.parametrize("username", ["dan_the_man", "alice", "carol.private", "no_such_account_123"])
def test_business_discovery_cannot_find_personal_or_unknown(
    base: str, sandbox: InstagramSandbox, username: str
) -> None:
    token = sandbox.issue_graph_token("bob")
    response = graph(base, f"/{BOBS_BAKERY}", token, fields=bd_fields(username))
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["message"]) == (110, "(#110) Cannot find User")


def test_business_discovery_needs_permissions_and_a_username(base: str, sandbox: InstagramSandbox) -> None:
    narrow = sandbox.issue_graph_token("bob", scope="instagram_basic,pages_show_list")
    assert error_of(graph(base, f"/{BOBS_BAKERY}", narrow, fields=bd_fields("urban.lens")))["code"] == 10
    token = sandbox.issue_graph_token("bob")
    assert error_of(graph(base, f"/{BOBS_BAKERY}", token, fields="business_discovery{id}"))["code"] == 100


def test_other_nodes(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    page = graph(base, "/104000000000021", token, fields="name,instagram_business_account").json()
    assert page == {
        "name": "Bob's Bakery",
        "instagram_business_account": {"id": BOBS_BAKERY},
        "id": "104000000000021",
    }
    post = sandbox.graph_world.media_of(BOBS_BAKERY)[0]
    node = graph(base, f"/{post.id}", token, fields="id,media_type,username,owner").json()
    assert node == {
        "id": post.id,
        "media_type": post.media_type,
        "username": "bobs_bakery",
        "owner": {"id": BOBS_BAKERY},
    }
    foreign = sandbox.graph_world.media_of(ALICE_SHOP)[0]
    assert error_of(graph(base, f"/{foreign.id}", token))["code"] == 100
    assert graph(base, "/me", token, fields="id").json() == {"id": "10158000000000002"}
    unversioned = requests.get(f"{base}/graph/me", params={"access_token": token}, timeout=TIMEOUT)
    assert unversioned.json()["name"] == "Bob Baker"


def test_token_required_and_bearer_header(base: str, sandbox: InstagramSandbox) -> None:
    missing = graph(base, "/me")
    assert missing.status_code == 400
    assert error_of(missing)["code"] == 104
    token = sandbox.issue_graph_token("bob")
    response = requests.get(
        f"{base}/graph/v25.0/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert response.json()["name"] == "Bob Baker"
    posted = requests.post(f"{base}/graph/v25.0/{BOBS_BAKERY}", data={"access_token": token}, timeout=TIMEOUT)
    assert error_of(posted)["error_subcode"] == 33
    assert "Unsupported post request" in error_of(posted)["message"]
    v1_token = sandbox.issue_token("bob")
    assert error_of(graph(base, "/me", v1_token))["code"] == 190
