"""The /v1 endpoints: envelope, auth and scopes, users, relationships, media, locations, tags, pictures."""

from __future__ import annotations

import struct

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, api


@pytest.fixture
def token(sandbox: InstagramSandbox) -> str:
    return sandbox.issue_token("alice")


def uid(sandbox: InstagramSandbox, username: str) -> str:
    user = sandbox.world.user_by_username(username)
    assert user is not None
    return user.id


def error_of(response: requests.Response) -> tuple[int, str, str]:
    meta = response.json()["meta"]
    assert response.status_code == meta["code"]
    assert "data" not in response.json()
    return meta["code"], meta["error_type"], meta["error_message"]


def test_users_self_envelope_and_counts(base: str, token: str) -> None:
    response = api(base, "/users/self", access_token=token)
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"code": 200}
    user = body["data"]
    assert user["username"] == "alice"
    assert isinstance(user["id"], str)
    assert set(user["counts"]) == {"media", "follows", "followed_by"}
    assert user["counts"]["follows"] >= 2
    assert user["profile_picture"] == f"{base}/avatars/{user['id']}.png"


def test_json_suffix_is_accepted(base: str, token: str) -> None:
    assert api(base, "/users/self.json", access_token=token).json()["data"]["username"] == "alice"


def test_missing_credentials(base: str) -> None:
    assert error_of(api(base, "/users/self")) == (
        400,
        "OAuthParameterException",
        "Missing client_id or access_token URL parameter.",
    )


def test_invalid_token(base: str) -> None:
    assert error_of(api(base, "/users/self", access_token="1.abc.def")) == (
        400,
        "OAuthAccessTokenException",
        "The access_token provided is invalid.",
    )


def test_self_needs_a_token(base: str) -> None:
    code, error_type, _ = error_of(api(base, "/users/self", client_id=CLIENT_ID))
    assert (code, error_type) == (400, "no authenticated user")


def test_unknown_user(base: str, token: str) -> None:
    assert error_of(api(base, "/users/999999999999", access_token=token)) == (
        400,
        "APINotFoundError",
        "this user does not exist",
    )


def test_unknown_endpoint_is_enveloped(base: str, token: str) -> None:
    code, error_type, _ = error_of(api(base, "/nothing/here", access_token=token))
    assert (code, error_type) == (404, "APINotFoundError")


def test_other_user_needs_public_content(base: str, sandbox: InstagramSandbox) -> None:
    basic = sandbox.issue_token("alice", scope="basic")
    assert error_of(api(base, f"/users/{uid(sandbox, 'bob')}", access_token=basic)) == (
        400,
        "OAuthPermissionsException",
        "This request requires scope=public_content, "
        "but this access token is not authorized with this scope.",
    )
    assert api(base, "/users/self", access_token=basic).status_code == 200
    full = sandbox.issue_token("alice")
    assert api(base, f"/users/{uid(sandbox, 'bob')}", access_token=full).json()["data"]["username"] == "bob"


def test_relationship_post_needs_relationships_scope(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_token("alice", scope="basic public_content")
    response = api(
        base,
        f"/users/{uid(sandbox, 'dan_the_man')}/relationship",
        "POST",
        {"action": "follow"},
        access_token=token,
    )
    assert error_of(response) == (
        400,
        "OAuthPermissionsException",
        "This request requires scope=relationships, but this access token is not authorized with this scope.",
    )
    follower_list = sandbox.issue_token("alice", scope="follower_list")
    assert (
        api(base, f"/users/{uid(sandbox, 'bob')}/relationship", access_token=follower_list).status_code == 200
    )


def test_user_search_exact_first_then_prefix(base: str, token: str) -> None:
    data = api(base, "/users/search", q="dan", access_token=token).json()["data"]
    names = [u["username"] for u in data]
    assert names[0] == "dan_the_man"
    assert all("dan" in u["username"].lower() or "dan" in u["full_name"].lower() for u in data)
    alice = api(base, "/users/search", q="alice", access_token=token).json()["data"]
    assert alice[0]["username"] == "alice"
    assert (
        api(base, "/users/search", q="Chen", access_token=token).json()["data"][0]["username"]
        == "carol.private"
    )
    assert len(api(base, "/users/search", q="a", count="3", access_token=token).json()["data"]) == 3


def test_private_follow_is_requested_public_follows_unfollow_none(
    base: str, sandbox: InstagramSandbox, token: str
) -> None:
    carol, dan = uid(sandbox, "carol.private"), uid(sandbox, "dan_the_man")
    before = api(base, f"/users/{carol}/relationship", access_token=token).json()["data"]
    assert before == {
        "outgoing_status": "none",
        "incoming_status": "followed_by",
        "target_user_is_private": True,
    }

    private = api(base, f"/users/{carol}/relationship", "POST", {"action": "follow"}, access_token=token)
    assert private.json()["data"]["outgoing_status"] == "requested"
    assert private.json()["data"]["target_user_is_private"] is True

    public = api(base, f"/users/{dan}/relationship.json", "POST", {"action": "follow"}, access_token=token)
    assert public.json()["data"]["outgoing_status"] == "follows"
    assert public.json()["data"]["target_user_is_private"] is False
    graph = sandbox.follows_of("alice")
    assert "dan_the_man" in graph["follows"]
    assert graph["requested"] == ["carol.private"]

    gone = api(base, f"/users/{dan}/relationship", "POST", {"action": "unfollow"}, access_token=token)
    assert gone.json()["data"]["outgoing_status"] == "none"
    assert "dan_the_man" not in sandbox.follows_of("alice")["follows"]
    withdrawn = api(base, f"/users/{carol}/relationship", "POST", {"action": "unfollow"}, access_token=token)
    assert withdrawn.json()["data"]["outgoing_status"] == "none"
    assert sandbox.follows_of("alice")["requested"] == []


def test_private_account_approves_a_request(base: str, sandbox: InstagramSandbox) -> None:
    carol = sandbox.issue_token("carol.private")
    dan = uid(sandbox, "dan_the_man")
    assert sandbox.follows_of("dan_the_man")["requested"] == ["carol.private"]
    incoming = api(base, f"/users/{dan}/relationship", access_token=carol).json()["data"]
    assert incoming["incoming_status"] == "requested_by"
    approved = api(base, f"/users/{dan}/relationship", "POST", {"action": "approve"}, access_token=carol)
    assert approved.json()["data"]["incoming_status"] == "followed_by"
    assert "carol.private" in sandbox.follows_of("dan_the_man")["follows"]


def test_relationship_action_errors(base: str, sandbox: InstagramSandbox, token: str) -> None:
    bob = uid(sandbox, "bob")
    expected = (
        400,
        "APIInvalidParametersError",
        "please supply action=approve,ignore,follow,block,unblock,unfollow",
    )
    assert error_of(api(base, f"/users/{bob}/relationship", action="follow", access_token=token)) == expected
    assert (
        error_of(api(base, f"/users/{bob}/relationship", "POST", {"action": "hug"}, access_token=token))
        == expected
    )
    assert error_of(api(base, "/users/123/relationship", "POST", {"action": "follow"}, access_token=token))[
        1
    ] == ("APINotFoundError")


def test_follow_graph_readable_over_http(base: str, sandbox: InstagramSandbox) -> None:
    response = requests.get(f"{base}/__sandbox__/follows", params={"username": "alice"}, timeout=TIMEOUT)
    assert response.json() == sandbox.follows_of("alice")
    assert "bob" in response.json()["follows"]
    assert "carol.private" not in response.json()["follows"]
    missing = requests.get(f"{base}/__sandbox__/follows", params={"username": "nobody"}, timeout=TIMEOUT)
    assert missing.status_code == 404


def test_private_media_needs_an_approved_follow(base: str, sandbox: InstagramSandbox, token: str) -> None:
    carol = uid(sandbox, "carol.private")
    assert error_of(api(base, f"/users/{carol}/media/recent", access_token=token)) == (
        400,
        "APINotAllowedError",
        "you cannot view this resource",
    )
    erin = uid(sandbox, "erin.private")  # alice was approved by erin.private
    assert api(base, f"/users/{erin}/media/recent", access_token=token).status_code == 200
    own = sandbox.issue_token("carol.private")
    assert api(base, "/users/self/media/recent", access_token=own).status_code == 200
    assert error_of(api(base, f"/users/{erin}/media/recent", client_id=CLIENT_ID))[1] == "APINotAllowedError"


def test_recent_media_pagination(base: str, sandbox: InstagramSandbox, token: str) -> None:
    alice = uid(sandbox, "alice")
    everything = [m.id for m in sandbox.world.media_of(alice)]
    seen: list[str] = []
    response = api(base, f"/users/{alice}/media/recent", count="2", access_token=token)
    while True:
        body = response.json()
        seen += [m["id"] for m in body["data"]]
        if "next_url" not in body["pagination"]:
            break
        assert body["pagination"]["next_max_id"] == seen[-1]
        assert body["pagination"]["next_url"].startswith(f"{base}/v1/users/{alice}/media/recent?")
        response = requests.get(body["pagination"]["next_url"], timeout=TIMEOUT)
    assert seen == everything


def test_feed_is_own_and_followed_media(base: str, sandbox: InstagramSandbox, token: str) -> None:
    data = api(base, "/users/self/feed", count="33", access_token=token).json()["data"]
    allowed = {uid(sandbox, "alice"), *(uid(sandbox, n) for n in sandbox.follows_of("alice")["follows"])}
    assert data
    assert {m["user"]["id"] for m in data} <= allowed
    times = [int(m["created_time"]) for m in data]
    assert times == sorted(times, reverse=True)
    assert error_of(api(base, "/users/self/feed", client_id=CLIENT_ID))[1] == "OAuthParameterException"


def test_popular_with_client_id_only(base: str, sandbox: InstagramSandbox) -> None:
    response = api(base, "/media/popular", client_id=CLIENT_ID, count="5")
    body = response.json()
    assert "pagination" not in body
    assert len(body["data"]) == 5
    likes = [m["likes"]["count"] for m in body["data"]]
    assert likes == sorted(likes, reverse=True)
    private = {u.id for u in sandbox.world.users if u.is_private}
    assert not {m["user"]["id"] for m in body["data"]} & private
    assert "user_has_liked" not in body["data"][0]
    assert error_of(api(base, "/media/popular", client_id="wrong"))[1] == "OAuthParameterException"


def test_media_objects_have_every_python_instagram_key(
    base: str, sandbox: InstagramSandbox, token: str
) -> None:
    data = api(base, "/media/popular", count="50", access_token=token).json()["data"]
    for item in data:
        for key in (
            "id",
            "type",
            "user",
            "images",
            "likes",
            "comments",
            "created_time",
            "location",
            "caption",
            "tags",
            "link",
            "filter",
            "user_has_liked",
            "users_in_photo",
        ):
            assert key in item
        assert isinstance(item["created_time"], str)
        assert item["images"]["standard_resolution"]["width"] == 640
        assert item["link"].startswith(f"{base}/p/")
        if item["caption"]:
            assert all(f"#{t}" in item["caption"]["text"].lower() for t in item["tags"])
    videos = [
        m for m in sandbox.world.media if m.is_video and not sandbox.world.user_by_id(m.owner_id).is_private
    ]
    video = api(base, f"/media/{videos[0].id}", access_token=token).json()["data"]
    assert video["type"] == "video"
    assert set(video["videos"]) >= {"low_resolution", "standard_resolution"}


def test_media_search_by_location(base: str, sandbox: InstagramSandbox, token: str) -> None:
    response = api(base, "/media/search", lat="37.7596", lng="-122.4269", distance="5000", access_token=token)
    data = response.json()["data"]
    assert data
    for item in data:
        assert abs(item["location"]["latitude"] - 37.76) < 0.1
    assert (
        error_of(api(base, "/media/search", lat="37.7", access_token=token))[1] == "APIInvalidParametersError"
    )
    far = api(base, "/media/search", lat="0", lng="0", access_token=token).json()["data"]
    assert far == []


def test_locations_search(base: str) -> None:
    data = api(base, "/locations/search", lat="37.775", lng="-122.2239", client_id=CLIENT_ID).json()["data"]
    assert data[0]["name"] == "Fruitvale BART"
    assert isinstance(data[0]["id"], str)
    assert isinstance(data[0]["latitude"], float)
    assert error_of(api(base, "/locations/search", client_id=CLIENT_ID))[1] == "APIInvalidParametersError"


def test_tag_recent_media(base: str, sandbox: InstagramSandbox) -> None:
    body = api(base, "/tags/coffee/media/recent", client_id=CLIENT_ID, count="2").json()
    assert len(body["data"]) == 2
    assert all("coffee" in m["tags"] for m in body["data"])
    assert {"next_url", "next_max_tag_id"} <= set(body["pagination"])
    second = requests.get(body["pagination"]["next_url"], timeout=TIMEOUT).json()["data"]
    assert not {m["id"] for m in second} & {m["id"] for m in body["data"]}
    assert api(base, "/tags/nosuchtagatall/media/recent", client_id=CLIENT_ID).json()["data"] == []


def test_pictures_are_real_pngs_at_the_advertised_sizes(base: str, token: str) -> None:
    item = api(base, "/media/popular", count="1", access_token=token).json()["data"][0]
    for image in item["images"].values():
        response = requests.get(image["url"], timeout=TIMEOUT)
        assert response.headers["Content-Type"] == "image/png"
        assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", response.content[16:24])
        assert (width, height) == (image["width"], image["height"])
    avatar = requests.get(item["user"]["profile_picture"], timeout=TIMEOUT)
    assert avatar.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert requests.get(item["link"], timeout=TIMEOUT).status_code == 200


def test_urls_follow_the_host_the_client_used(base: str, token: str) -> None:
    via_localhost = base.replace("127.0.0.1", "localhost")
    item = api(via_localhost, "/users/self", access_token=token).json()["data"]
    assert item["profile_picture"].startswith(via_localhost + "/")


def test_rate_limit_headers_on_every_v1_response(base: str, token: str) -> None:
    for response in (api(base, "/users/self", access_token=token), api(base, "/users/self")):
        assert response.headers["X-Ratelimit-Limit"] == "5000"
        assert "X-Ratelimit-Remaining" in response.headers
