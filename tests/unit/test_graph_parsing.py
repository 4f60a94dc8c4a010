"""Graph API answers -> models and typed errors (decided on the graph code, never the message)."""

from __future__ import annotations

import json

import pytest
import requests

from bot.instagram.errors import (
    ExchangeRejected,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
    Unavailable,
)
from bot.instagram.graph import parsing as parse


def _response(status: int, body: object, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def _error(code: int, subcode: int | None = None, status: int = 400, **headers: str) -> requests.Response:
    error = {"message": "text we never parse", "type": "OAuthException", "code": code, "fbtrace_id": "x"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return _response(status, {"error": error}, {k.replace("_", "-"): v for k, v in headers.items()})


@pytest.mark.parametrize(
    ("code", "subcode", "expected"),
    [
        (190, 463, TokenInvalid),
        (190, 460, TokenInvalid),
        (102, None, TokenInvalid),
        (4, None, RateLimited),
        (17, None, RateLimited),
        (32, None, RateLimited),
        (613, None, RateLimited),
        (80002, None, RateLimited),
        (10, None, PermissionMissing),
        (200, None, PermissionMissing),
        (299, None, PermissionMissing),
        (1, None, Unavailable),
        (2, None, Unavailable),
        (100, None, Unavailable),
    ],
)
def test_errors_map_by_code(code: int, subcode: int | None, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        parse.body_or_error(_error(code, subcode))


def test_unknown_professional_account_is_not_found_with_a_hint() -> None:
    with pytest.raises(NotFound) as info:
        parse.body_or_error(_error(110), lookup="dan_the_man")
    assert info.value.username == "dan_the_man"
    assert "professional" in info.value.hint


def test_rate_limit_wait_comes_from_the_business_use_case_header() -> None:
    usage = {"1784": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 17}]}
    with pytest.raises(RateLimited) as info:
        parse.body_or_error(_error(80002, X_Business_Use_Case_Usage=json.dumps(usage)))
    assert info.value.retry_after_minutes == 17
    with pytest.raises(RateLimited) as plain:
        parse.body_or_error(_error(4))
    assert plain.value.retry_after_minutes == parse.DEFAULT_WAIT_MINUTES
    assert parse.wait_minutes({"X-Business-Use-Case-Usage": "not json"}) == parse.DEFAULT_WAIT_MINUTES


def test_5xx_and_non_json_are_unavailable() -> None:
    with pytest.raises(Unavailable):
        parse.body_or_error(_response(502, b"<html>bad gateway</html>"))
    with pytest.raises(Unavailable):
        parse.body_or_error(_response(200, b"not json"))


def test_token_endpoint_errors() -> None:
    with pytest.raises(ExchangeRejected):
        parse.raise_for_token_error(_error(100, 36009))
    with pytest.raises(Unavailable):
        parse.raise_for_token_error(_error(2, status=500))
    with pytest.raises(Unavailable):
        parse.raise_for_token_error(_error(1))
    ok = _response(200, {"access_token": "EAAx", "token_type": "bearer", "expires_in": 5183944})
    assert parse.raise_for_token_error(ok) is ok


def test_pages_without_an_instagram_account_are_skipped() -> None:
    body = {
        "data": [
            {
                "id": "p1",
                "name": "Shop",
                "instagram_business_account": {"id": "17841", "username": "alice.shop"},
            },
            {"id": "p2", "name": "No IG"},
        ]
    }
    accounts = parse.page_accounts(body)
    assert [(a.id, a.username) for a in accounts] == [("17841", "alice.shop")]


def test_videos_show_their_thumbnail_and_pictureless_media_are_dropped() -> None:
    body = {
        "data": [
            {
                "id": "1",
                "media_type": "IMAGE",
                "media_url": "http://x/1.png",
                "permalink": "http://p/1",
                "like_count": 3,
            },
            {
                "id": "2",
                "media_type": "VIDEO",
                "media_url": "http://x/2.mp4",
                "thumbnail_url": "http://x/2.png",
            },
            {"id": "3", "media_type": "VIDEO"},
        ]
    }
    media = parse.media_list(body, 10, author="alice.shop")
    assert [m.image_url for m in media] == ["http://x/1.png", "http://x/2.png"]
    assert media[1].is_video and media[0].likes == 3 and media[0].author == "alice.shop"
