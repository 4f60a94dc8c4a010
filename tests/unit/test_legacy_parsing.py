"""API v1 answers -> models and typed errors (bot/instagram/legacy/parsing.py).

The typed error decides what the user reads (docs/interfaces.md "Behaviour under failure"), so each envelope
error must become the right one; media and accounts must survive missing or odd fields.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from bot.instagram.errors import (
    ExchangeRejected,
    InstagramError,
    NotAllowed,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
    Unavailable,
)
from bot.instagram.legacy import parsing as parse
from bot.instagram.models import Account, FollowStatus


def _response(
    status: int, body: Any = None, *, raw: bytes | None = None, **headers: str
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else json.dumps(body).encode()
    response.headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return response


def _envelope(code: int, error_type: str = "", message: str = "", data: Any = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"code": code}
    if error_type:
        meta["error_type"] = error_type
        meta["error_message"] = message or error_type
    return {"meta": meta, "data": data}


# --- envelopes ----------------------------------------------------------------------------------------


def test_a_200_envelope_gives_its_data() -> None:
    data = {"id": "1", "username": "alice"}
    assert parse.envelope_data(_response(200, _envelope(200, data=data)), sent_token=True) == data
    assert parse.envelope_data(_response(200, {"meta": {"code": 200}}), sent_token=True) is None


@pytest.mark.parametrize(
    ("status", "error_type", "sent_token", "expected"),
    [
        (400, "OAuthAccessTokenException", True, TokenInvalid),
        (400, "OAuthParameterException", True, TokenInvalid),  # "the access_token provided is invalid"
        (400, "OAuthParameterException", False, Unavailable),  # a bad request of igbot's, not the user's
        (400, "OAuthPermissionsException", True, PermissionMissing),
        (400, "APINotFoundError", True, NotFound),
        (400, "APINotAllowedError", True, NotAllowed),
        (429, "OAuthRateLimitException", True, RateLimited),
        (400, "OAuthRateLimitException", True, RateLimited),
        (400, "APIError", True, Unavailable),
        (400, "", True, Unavailable),
    ],
)
def test_each_error_envelope_becomes_the_right_error(
    status: int, error_type: str, sent_token: bool, expected: type[InstagramError]
) -> None:
    with pytest.raises(expected):
        parse.envelope_data(_response(status, _envelope(status, error_type)), sent_token=sent_token)


def test_a_limit_reached_message_is_a_rate_limit_whatever_its_type() -> None:
    body = _envelope(
        400, "APIError", "The maximum number of requests per hour has been exceeded. Limit reached."
    )
    with pytest.raises(RateLimited):
        parse.envelope_data(_response(400, body), sent_token=True)


def test_an_error_inside_an_http_200_still_raises() -> None:
    with pytest.raises(NotFound):
        parse.envelope_data(_response(200, _envelope(400, "APINotFoundError")), sent_token=True)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_unavailable_even_with_an_envelope(status: int) -> None:
    with pytest.raises(Unavailable):
        parse.envelope_data(
            _response(status, _envelope(status, "OAuthAccessTokenException")), sent_token=True
        )


@pytest.mark.parametrize(
    "response",
    [
        _response(200, raw=b"<html>maintenance</html>"),
        _response(200, raw=b""),
        _response(200, ["not", "an", "object"]),
        _response(200, {"data": {"id": "1"}}),  # no meta
        _response(200, {"meta": "ok"}),
        _response(404, raw=b"Not Found"),
    ],
    ids=["html", "empty", "list", "no-meta", "meta-not-object", "404-text"],
)
def test_an_answer_without_a_v1_envelope_is_unavailable(response: requests.Response) -> None:
    with pytest.raises(Unavailable):
        parse.envelope_data(response, sent_token=True)


def test_a_429_without_an_envelope_is_a_rate_limit() -> None:
    with pytest.raises(RateLimited):
        parse.envelope_data(_response(429, raw=b"Too Many Requests"), sent_token=True)
    with pytest.raises(RateLimited):
        parse.envelope_data(_response(400, {"code": 420, "error_message": "slow down"}), sent_token=True)


@pytest.mark.parametrize(
    ("retry_after", "minutes"),
    [("120", 2), ("90", 2), ("60", 1), ("1", 1), ("0", 1), (None, parse.DEFAULT_RATE_LIMIT_MINUTES)],
)
def test_retry_after_seconds_become_whole_minutes_rounded_up(retry_after: str | None, minutes: int) -> None:
    headers = {"Retry_After": retry_after} if retry_after is not None else {}
    with pytest.raises(RateLimited) as raised:
        parse.envelope_data(
            _response(429, _envelope(429, "OAuthRateLimitException"), **headers), sent_token=True
        )
    assert raised.value.retry_after_minutes == minutes


def test_error_messages_carry_no_token() -> None:
    body = _envelope(400, "OAuthAccessTokenException", "The access_token provided is invalid: tok-123.abc")
    with pytest.raises(TokenInvalid) as raised:
        parse.envelope_data(_response(400, body), sent_token=True)
    assert "tok-123" not in str(raised.value)


# --- the token endpoint -----------------------------------------------------------------------------


def test_a_token_answer_passes_through() -> None:
    response = _response(200, {"access_token": "t", "user": {"id": "1"}})
    assert parse.raise_for_token_error(response) is response


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_token_endpoint_is_unavailable(status: int) -> None:
    with pytest.raises(Unavailable):
        parse.raise_for_token_error(_response(status, {"error_message": "x"}))


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            _response(400, {"error_type": "OAuthException", "error_message": "Matching code was not found"}),
            "Matching code was not found",
        ),
        (_response(200, {"error_message": "no token here"}), "no token here"),
        (_response(200, {}), "token endpoint HTTP 200"),
        (_response(400, raw=b"<html>bad</html>"), "token endpoint HTTP 400"),
        (_response(200, ["access_token"]), "token endpoint HTTP 200"),
    ],
)
def test_a_refused_code_is_exchange_rejected(response: requests.Response, message: str) -> None:
    with pytest.raises(ExchangeRejected) as raised:
        parse.raise_for_token_error(response)
    assert str(raised.value) == message


# --- accounts ---------------------------------------------------------------------------------------


def test_a_full_user_object_becomes_an_account() -> None:
    user = {
        "id": "1574083",
        "username": "alice",
        "full_name": "Alice Liddell",
        "profile_picture": "https://cdn.example/a.jpg",
        "bio": "Down the rabbit hole",
        "is_private": True,
        "counts": {"media": 12, "followed_by": 3400, "follows": 56},
    }
    assert parse.account(user) == Account(
        id="1574083",
        username="alice",
        full_name="Alice Liddell",
        picture_url="https://cdn.example/a.jpg",
        profile_url="https://www.instagram.com/alice/",
        is_private=True,
        bio="Down the rabbit hole",
        media_count=12,
        followers=3400,
        follows=56,
    )


def test_a_short_user_object_leaves_counts_unknown() -> None:
    account = parse.account({"id": 7, "username": "bob"})
    assert account.id == "7" and account.username == "bob"
    assert (account.media_count, account.followers, account.follows) == (None, None, None)
    assert account.full_name == "" and account.bio == "" and account.picture_url == ""
    assert account.is_private is False


@pytest.mark.parametrize(
    "counts",
    [
        {"media": "12", "followed_by": None, "follows": 1.5},
        {"media": True, "followed_by": False},
        "lots",
        None,
        [],
    ],
)
def test_odd_counts_are_unknown_not_wrong(counts: Any) -> None:
    account = parse.account({"id": "1", "username": "bob", "counts": counts})
    assert (account.media_count, account.followers, account.follows) == (None, None, None)


def test_first_and_last_name_stand_in_for_a_missing_full_name() -> None:
    assert parse.account({"username": "c", "first_name": "Carol", "last_name": "Ng"}).full_name == "Carol Ng"
    assert parse.account({"username": "c", "first_name": "Carol"}).full_name == "Carol"


def test_missing_fields_fall_back_to_what_was_known() -> None:
    known = Account(id="9", username="dan", full_name="Dan", picture_url="https://p/d.jpg", is_private=True)
    account = parse.account({}, fallback=known)
    assert (account.id, account.username, account.full_name, account.picture_url, account.is_private) == (
        "9",
        "dan",
        "Dan",
        "https://p/d.jpg",
        True,
    )
    assert account.profile_url == "https://www.instagram.com/dan/"
    assert parse.account({"is_private": False}, fallback=known).is_private is False


# --- media ------------------------------------------------------------------------------------------


def _item(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "100_1",
        "type": "image",
        "link": "https://www.instagram.com/p/abc/",
        "images": {
            "standard_resolution": {"url": "https://cdn.example/std.jpg"},
            "low_resolution": {"url": "https://cdn.example/low.jpg"},
        },
        "caption": {"text": "sunset"},
        "likes": {"count": 42},
        "user": {"username": "alice"},
    }
    return {**base, **fields}


def test_a_media_object_becomes_a_gallery_item() -> None:
    media = parse.media(_item())
    assert media is not None
    assert (
        media.id,
        media.image_url,
        media.link,
        media.author,
        media.caption,
        media.likes,
        media.is_video,
    ) == (
        "100_1",
        "https://cdn.example/std.jpg",
        "https://www.instagram.com/p/abc/",
        "alice",
        "sunset",
        42,
        False,
    )


def test_a_video_shows_its_cover_image() -> None:
    media = parse.media(_item(type="video", videos={"standard_resolution": {"url": "https://v/x.mp4"}}))
    assert media is not None and media.is_video and media.image_url == "https://cdn.example/std.jpg"


def test_the_low_resolution_image_stands_in_for_a_missing_standard_one() -> None:
    media = parse.media(_item(images={"low_resolution": {"url": "https://cdn.example/low.jpg"}}))
    assert media is not None and media.image_url == "https://cdn.example/low.jpg"


@pytest.mark.parametrize(
    "images",
    [
        None,
        {},
        "https://cdn.example/x.jpg",
        {"standard_resolution": {}},
        {"standard_resolution": {"url": ""}},
    ],
)
def test_a_media_object_without_an_image_is_skipped(images: Any) -> None:
    assert parse.media(_item(images=images)) is None


@pytest.mark.parametrize(
    ("fields", "caption", "likes", "author"),
    [
        ({"caption": None}, "", 42, "alice"),
        ({"caption": "a bare string"}, "", 42, "alice"),
        ({"caption": {"text": None}}, "", 42, "alice"),
        ({"likes": {"count": "many"}}, "sunset", 0, "alice"),
        ({"likes": None}, "sunset", 0, "alice"),
        ({"likes": {"count": True}}, "sunset", 0, "alice"),
        ({"user": None}, "sunset", 42, ""),
        ({"user": {"username": None}}, "sunset", 42, ""),
    ],
)
def test_odd_media_fields_give_safe_defaults(
    fields: dict[str, Any], caption: str, likes: int, author: str
) -> None:
    media = parse.media(_item(**fields))
    assert media is not None
    assert (media.caption, media.likes, media.author) == (caption, likes, author)


def test_a_media_object_without_id_or_link_still_shows() -> None:
    item = _item()
    del item["id"], item["link"]
    media = parse.media(item)
    assert media is not None and media.id == "" and media.link == ""


# --- follow results ---------------------------------------------------------------------------------

TARGET = Account(id="5", username="carol.private", is_private=False)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"outgoing_status": "follows"}, FollowStatus.FOLLOWS),
        ({"outgoing_status": "requested"}, FollowStatus.REQUESTED),
        ({"outgoing_status": "none"}, FollowStatus.NONE),
        ({"outgoing_status": "blocked"}, FollowStatus.NONE),
        ({"outgoing_status": None}, FollowStatus.NONE),
        ({}, FollowStatus.NONE),
    ],
)
def test_the_outgoing_status_becomes_the_follow_status(data: dict[str, Any], status: FollowStatus) -> None:
    assert parse.follow_result(TARGET, data).status is status


def test_instagram_says_whether_the_target_is_private() -> None:
    result = parse.follow_result(TARGET, {"outgoing_status": "requested", "target_user_is_private": True})
    assert result.account.is_private is True and result.account.username == "carol.private"
    assert parse.follow_result(TARGET, {"target_user_is_private": "yes"}).account.is_private is False
