"""The sandbox's JSON has every key of python-instagram's real v1 fixtures, with compatible types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import api

# Copies of python-instagram's fixtures (BSD; provenance in the folder's NOTICE.md), kept in the repository.
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "python-instagram"
# Keys the reference (instagram-api.md 1.5) documents as possibly null.
NULLABLE = {"caption", "location", "users_in_photo", "attribution", "id", "name", "latitude", "longitude"}
# The 2011 fixture writes cursors as numbers; the reference (1.4) documents them as strings.
ANY_SCALAR = {"pagination.next_max_id"}


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def assert_shape(expected: Any, actual: Any, path: str = "") -> None:
    """Every key of ``expected`` is in ``actual`` with the same JSON type, recursively.

    A null in the fixture allows anything; a null in the sandbox is allowed only for nullable keys.
    List items of the sandbox are each compared with the fixture's first item.
    """
    key = path.rsplit(".", 1)[-1]
    if expected is None or path in ANY_SCALAR:
        return
    if actual is None:
        assert key in NULLABLE, f"{path} is null in the sandbox but not nullable"
        return
    assert json_type(actual) == json_type(expected), f"{path}: {json_type(actual)} != {json_type(expected)}"
    if isinstance(expected, dict):
        for name, value in expected.items():
            assert name in actual, f"{path}.{name} missing"
            assert_shape(value, actual[name], f"{path}.{name}".lstrip("."))
    elif isinstance(expected, list) and expected:
        for item in actual:
            assert_shape(expected[0], item, f"{path}[]")


def uid(sandbox: InstagramSandbox, username: str) -> str:
    user = sandbox.world.user_by_username(username)
    assert user is not None
    return user.id


@pytest.fixture
def token(sandbox: InstagramSandbox) -> str:
    return sandbox.issue_token("alice")


def test_user_search(base: str, token: str) -> None:
    body = api(base, "/users/search", q="a", access_token=token).json()
    assert len(body["data"]) > 5
    assert_shape(fixture("user_search"), body)


def test_user(base: str, sandbox: InstagramSandbox, token: str) -> None:
    assert_shape(fixture("user"), api(base, f"/users/{uid(sandbox, 'bob')}", access_token=token).json())


@pytest.mark.parametrize("name", ["follow_user", "change_user_relationship"])
def test_relationship_post(base: str, sandbox: InstagramSandbox, token: str, name: str) -> None:
    target = uid(sandbox, "dan_the_man")
    body = api(base, f"/users/{target}/relationship", "POST", {"action": "follow"}, access_token=token).json()
    assert_shape(fixture(name), body)


def test_media_popular(base: str, token: str) -> None:
    body = api(base, "/media/popular", count="32", access_token=token).json()
    assert len(body["data"]) == 32
    assert_shape(fixture("media_popular"), body)
    assert "pagination" not in body


def test_user_recent_media_with_pagination_and_video(
    base: str, sandbox: InstagramSandbox, token: str
) -> None:
    expected = fixture("user_recent_media")
    body = api(base, f"/users/{uid(sandbox, 'alice')}/media/recent", count="1", access_token=token).json()
    assert_shape(expected, body)
    public = {u.id for u in sandbox.world.users if not u.is_private}
    video = next(m for m in sandbox.world.media if m.is_video and m.owner_id in public)
    videos = api(base, f"/users/{video.owner_id}/media/recent", count="33", access_token=token).json()["data"]
    rendered = next(m for m in videos if m["id"] == video.id)
    assert_shape(expected["data"][1], rendered)  # the fixture's video item


def test_user_media_feed(base: str, token: str) -> None:
    assert_shape(
        fixture("user_media_feed"), api(base, "/users/self/feed", count="2", access_token=token).json()
    )


def test_media_search(base: str, token: str) -> None:
    body = api(
        base, "/media/search", lat="37.7596", lng="-122.4269", distance="5000", access_token=token
    ).json()
    assert body["data"]
    assert_shape(fixture("media_search"), body)


def test_location_search(base: str, token: str) -> None:
    body = api(
        base, "/locations/search", lat="37.775", lng="-122.2239", distance="5000", access_token=token
    ).json()
    assert len(body["data"]) >= 1
    assert_shape(fixture("location_search"), body)


def test_tag_recent_media(base: str, token: str) -> None:
    body = api(base, "/tags/coffee/media/recent", access_token=token).json()
    assert body["data"]
    assert_shape(fixture("tag_recent_media"), body)


def test_shape_checker_catches_differences() -> None:
    with pytest.raises(AssertionError):
        assert_shape({"a": {"b": "x"}}, {"a": {}})
    with pytest.raises(AssertionError):
        assert_shape({"a": 1}, {"a": "1"})
    with pytest.raises(AssertionError):
        assert_shape({"a": [{"b": 1}]}, {"a": [{"b": 1}, {"c": 2}]})
    with pytest.raises(AssertionError):
        assert_shape({"tags": "x"}, {"tags": None})
    assert_shape({"caption": {"text": "x"}}, {"caption": None})
