"""New v1 posts (``POST /__sandbox__/media``) and the place endpoints: where a post shows up, places with
real coordinates, locations' and geographies' recent media in the fixtures' shapes."""

from __future__ import annotations

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from igbot_sandboxes.instagram.legacy import seeddata
from tests.sandboxes.instagram.callback_server import CallbackServer
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, add_media, api, subscribe
from tests.sandboxes.instagram.test_fixture_shapes import assert_shape, fixture


@pytest.fixture
def token(sandbox: InstagramSandbox) -> str:
    return sandbox.issue_token("alice")


def uid(sandbox: InstagramSandbox, username: str) -> str:
    user = sandbox.world.user_by_username(username)
    assert user is not None
    return user.id


def place(sandbox: InstagramSandbox, name: str) -> str:
    return next(loc.id for loc in sandbox.world.locations if loc.name == name)


def first_id(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["data"][0]["id"])


def test_a_new_post_comes_first_everywhere(base: str, sandbox: InstagramSandbox, token: str) -> None:
    dolores = place(sandbox, "Dolores Park")
    bob = sandbox.issue_token("bob")

    post = add_media(
        base, username="bob", caption="Picnic #sunset", tags=["Picnic"], location_id=dolores
    ).json()

    media_id = post["id"]
    assert first_id(api(base, f"/users/{uid(sandbox, 'bob')}/media/recent", access_token=token)) == media_id
    assert first_id(api(base, "/users/self/media/recent", access_token=bob)) == media_id
    assert first_id(api(base, "/users/self/feed", access_token=token)) == media_id  # alice follows bob
    assert first_id(api(base, "/tags/sunset/media/recent", client_id=CLIENT_ID)) == media_id
    assert first_id(api(base, "/tags/picnic/media/recent", access_token=token)) == media_id
    assert first_id(api(base, f"/locations/{dolores}/media/recent", access_token=token)) == media_id
    near = api(base, "/media/search", lat="37.7596", lng="-122.4269", access_token=token)
    assert media_id in [m["id"] for m in near.json()["data"]]
    assert api(base, f"/media/{media_id}", access_token=token).json()["data"] == {
        **post,
        "user_has_liked": False,
    }


def test_the_new_post_looks_like_a_real_one(base: str, sandbox: InstagramSandbox, token: str) -> None:
    post = add_media(base, username="bob", caption="Fresh loaves", tags=["sourdough", "#bread"]).json()

    assert "user_has_liked" not in post  # rendered as for a client-id caller
    assert_shape(fixture("media"), api(base, f"/media/{post['id']}", access_token=token).json())
    assert post["caption"]["text"] == "Fresh loaves #sourdough #bread" and post["tags"] == [
        "sourdough",
        "bread",
    ]
    assert post["created_time"] == str(int(sandbox._state.clock())) and post["type"] == "image"
    assert post["user"]["username"] == "bob" and post["likes"] == {"count": 0, "data": []}
    pk, owner = post["id"].split("_")
    assert owner == uid(sandbox, "bob") and int(pk) > max(m.pk for m in sandbox.world.media[1:])
    picture = requests.get(post["images"]["standard_resolution"]["url"], timeout=TIMEOUT)
    assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/png"
    permalink = requests.get(post["link"], timeout=TIMEOUT)
    assert permalink.status_code == 200 and "Fresh loaves" in permalink.text


def test_a_video_and_a_bare_geotag(base: str) -> None:
    post = add_media(base, username="dan_the_man", is_video=True, lat=40.7, lng=-74.0).json()

    assert post["type"] == "video" and "videos" in post and post["caption"] is None
    assert post["location"] == {"id": None, "name": None, "latitude": 40.7, "longitude": -74.0}


def test_two_posts_in_the_same_second_page_in_order(base: str, sandbox: InstagramSandbox, token: str) -> None:
    first = add_media(base, username="bob", caption="one").json()["id"]
    second = add_media(base, username="bob", caption="two").json()["id"]
    recent = f"/users/{uid(sandbox, 'bob')}/media/recent"

    page = api(base, recent, access_token=token, count="1").json()
    assert [m["id"] for m in page["data"]] == [second]
    following = api(base, recent, access_token=token, count="1", max_id=page["pagination"]["next_max_id"])
    assert first_id(following) == first
    assert [m["id"] for m in api(base, recent, access_token=token, min_id=first).json()["data"]] == [second]


@pytest.mark.parametrize(
    ("body", "status", "part"),
    [
        ({"username": "nobody.here"}, 404, "no sandbox user"),
        ({}, 400, "username is required"),
        ({"username": "bob", "location_id": "42"}, 400, "no location"),
        ({"username": "bob", "lat": 1}, 400, "together"),
        ({"username": "bob", "lat": 100, "lng": 1}, 400, "-90..90"),
        ({"username": "bob", "tags": ["two words"]}, 400, "not a hashtag"),
        ({"username": "bob", "tags": "sunset"}, 400, "list of strings"),
        ({"username": "bob", "caption": 7}, 400, "caption must be a string"),
        ({"username": "bob", "caption": "x" * 2201}, 400, "2200"),
    ],
)
def test_bad_posts_are_refused(
    base: str, sandbox: InstagramSandbox, body: dict[str, object], status: int, part: str
) -> None:
    before = len(sandbox.world.media)

    response = add_media(base, **body)

    assert response.status_code == status and part in response.json()["error"]
    assert len(sandbox.world.media) == before


def test_reset_removes_added_posts_and_other_sandboxes_never_see_them(
    base: str, sandbox: InstagramSandbox
) -> None:
    media_id = sandbox.add_media("bob", caption="short-lived").id
    assert InstagramSandbox().world.media_by_id(media_id) is None  # same seed, its own posts

    requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT)

    assert sandbox.world.media_by_id(media_id) is None
    assert (
        api(base, f"/media/{media_id}", client_id=CLIENT_ID).json()["meta"]["error_type"]
        == "APINotFoundError"
    )


def test_seeded_media_carry_the_real_coordinates_of_their_places(
    base: str, sandbox: InstagramSandbox
) -> None:
    real = {p.name: (p.latitude, p.longitude) for p in seeddata.PLACES}
    located = [m for m in sandbox.world.media if m.location_id][:40]
    assert located
    for item in located:
        rendered = api(base, f"/media/{item.id}", client_id=CLIENT_ID).json()
        if rendered["meta"]["code"] != 200:
            continue  # a private owner's media
        location = rendered["data"]["location"]
        assert (location["latitude"], location["longitude"]) == real[location["name"]]


def test_location_recent_media_shape_and_paging(base: str, sandbox: InstagramSandbox, token: str) -> None:
    busiest = max(
        sandbox.world.locations,
        key=lambda loc: sum(m.location_id == loc.id for m in sandbox.world.media),
    )
    body = api(base, f"/locations/{busiest.id}/media/recent", access_token=token, count="2").json()

    assert_shape(fixture("location_recent_media"), body)
    assert all(m["location"]["id"] == busiest.id for m in body["data"])
    following = requests.get(body["pagination"]["next_url"], timeout=TIMEOUT).json()
    assert following["data"] and following["data"][0]["id"] not in [m["id"] for m in body["data"]]
    assert api(base, "/locations/42/media/recent", access_token=token).json()["meta"]["error_type"] == (
        "APINotFoundError"
    )


def test_geography_recent_media_holds_posts_made_inside_it_since_it_was_made(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    geo = subscribe(base, callback.url(), "geography", lat="37.7596", lng="-122.4269", radius="1000")
    geography = geo.json()["data"]["object_id"]
    inside = [
        add_media(base, username="bob", caption=f"park {n}", lat=37.76, lng=-122.427).json()["id"]
        for n in range(3)
    ]
    add_media(base, username="bob", caption="far away", location_id=place(sandbox, "Tower Bridge"))

    body = api(base, f"/geographies/{geography}/media/recent", client_id=CLIENT_ID, count="2").json()

    assert_shape(fixture("geography_recent_media"), body)
    assert [m["id"] for m in body["data"]] == inside[::-1][:2]
    assert "client_id=" in body["pagination"]["next_url"]
    rest = requests.get(body["pagination"]["next_url"], timeout=TIMEOUT).json()
    assert [m["id"] for m in rest["data"]] == [inside[0]]
    newer = api(base, f"/geographies/{geography}/media/recent", client_id=CLIENT_ID, min_id=inside[1]).json()
    assert [m["id"] for m in newer["data"]] == [inside[2]]


def test_an_unknown_or_deleted_geography_is_not_found(base: str, callback: CallbackServer) -> None:
    geo = subscribe(base, callback.url(), "geography", lat="1", lng="2").json()["data"]
    requests.delete(
        f"{base}/v1/subscriptions",
        params={"client_id": CLIENT_ID, "client_secret": "sandbox-client-secret", "id": geo["id"]},
        timeout=TIMEOUT,
    )
    for geography in (geo["object_id"], "999"):
        meta = api(base, f"/geographies/{geography}/media/recent", client_id=CLIENT_ID).json()["meta"]
        assert (meta["code"], meta["error_type"]) == (400, "APINotFoundError")
