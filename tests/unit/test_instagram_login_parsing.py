"""Instagram Login answers -> models and typed errors: the code exchange in both of its shapes, a partial
grant, the 60-day token, ``/me``, and the backend's link built from them (docs/instagram-login.md)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.instagram.config import ClientConfig
from bot.instagram.errors import (
    ExchangeRejected,
    InstagramError,
    LinkRejected,
    PermissionMissing,
    RateLimited,
    ScopeDeclined,
    TokenInvalid,
    Unavailable,
)
from bot.instagram.instagram_login import InstagramLogin
from bot.instagram.instagram_login import parsing as parse
from bot.instagram.models import Capability, Credentials, token_fingerprint

TOKEN = "IGAAshortlived"
LONG = "IGAAlonglived"
FLAT = {
    "access_token": TOKEN,
    "user_id": 27640875392278831,  # beyond a double's exact integers: must never pass through a float
    "permissions": ["instagram_business_basic", "instagram_business_manage_comments"],
}
WRAPPED = {
    "data": [
        {
            "access_token": TOKEN,
            "user_id": "27640875392278831",
            "permissions": "instagram_business_basic,instagram_business_manage_comments",
        }
    ]
}
ME = {
    "user_id": "17841400000000001",
    "id": "27640875392278831",
    "username": "bobs_bakery",
    "account_type": "BUSINESS",
    "name": "Bob's Bakery",
    "followers_count": 1234,
    "media_count": 56,
    "profile_picture_url": "https://cdn.example/bob.jpg",
}


def _response(status: int, body: object, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def _graph_error(code: int, status: int = 400) -> dict[str, Any]:
    return {"error": {"message": "never parsed", "type": "OAuthException", "code": code, "fbtrace_id": "x"}}


# --- the code exchange ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [FLAT, WRAPPED], ids=["flat", "wrapped"])
def test_both_exchange_shapes_read_the_same(body: dict[str, Any]) -> None:
    got = parse.exchange(body)
    assert got.token == TOKEN
    assert got.user_id == "27640875392278831"
    assert got.permissions == ("instagram_business_basic", "instagram_business_manage_comments")


def test_a_partial_grant_is_what_was_granted_in_either_shape() -> None:
    flat = parse.exchange({**FLAT, "permissions": ["instagram_business_basic"]})
    wrapped = parse.exchange({"data": [{**WRAPPED["data"][0], "permissions": "instagram_business_basic"}]})
    assert flat.permissions == wrapped.permissions == ("instagram_business_basic",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b ,a", ("a", "b")),
        ("a b", ("a", "b")),
        (["a", "", 3, None, "b", "a"], ("a", "b")),
        ("", ()),
        (None, ()),
        ({"a": 1}, ()),
    ],
)
def test_permissions_are_read_from_a_list_or_a_string_each_once(
    value: object, expected: tuple[str, ...]
) -> None:
    assert parse.permissions(value) == expected


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": []},
        {"data": [{"user_id": "1"}]},
        {"access_token": "", "user_id": "1"},
        {"access_token": ["x"], "user_id": "1"},
        {"access_token": TOKEN},
        {"access_token": TOKEN, "user_id": True},
        {"access_token": TOKEN, "user_id": 1.5},
        {"access_token": TOKEN, "user_id": "1/../me"},
        [FLAT],
        None,
    ],
)
def test_an_exchange_answer_without_a_token_or_a_plain_user_id_is_rejected(body: object) -> None:
    with pytest.raises(ExchangeRejected):
        parse.exchange(body)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (_response(400, _graph_error(100)), ExchangeRejected),  # a used or expired code
        (_response(400, _graph_error(101)), ExchangeRejected),  # the wrong app or secret
        (
            _response(400, {"error_type": "OAuthException", "code": 400, "error_message": "x"}),
            ExchangeRejected,
        ),
        (_response(400, _graph_error(2)), Unavailable),
        (_response(400, _graph_error(4)), Unavailable),
        (_response(503, b"<html>down</html>"), Unavailable),
        (_response(429, b""), Unavailable),
        (_response(200, b"not json"), ExchangeRejected),
        (_response(302, {}), ExchangeRejected),
    ],
)
def test_token_endpoint_errors_are_typed(response: requests.Response, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        parse.raise_for_exchange_error(response)


def test_a_token_endpoint_success_raises_nothing() -> None:
    parse.raise_for_exchange_error(_response(200, WRAPPED))


# --- the 60-day token ----------------------------------------------------------------------------------


def test_the_long_lived_token_and_its_expiry() -> None:
    body = {"access_token": LONG, "token_type": "bearer", "expires_in": 5184000}
    assert parse.long_lived(body, 1000) == (LONG, 1000 + 5184000)


@pytest.mark.parametrize("expires_in", [None, 0, -5, "soon", 10**12, True])
def test_a_nonsense_expiry_is_unknown(expires_in: object) -> None:
    assert parse.long_lived({"access_token": LONG, "expires_in": expires_in}, 1000) == (LONG, None)


@pytest.mark.parametrize("body", [{}, {"access_token": ""}, {"access_token": 5}, None])
def test_a_long_lived_answer_without_a_token_is_rejected(body: object) -> None:
    with pytest.raises(ExchangeRejected):
        parse.long_lived(body, 0)


@pytest.mark.parametrize(
    ("api", "root"),
    [
        ("https://graph.instagram.com/v25.0", "https://graph.instagram.com"),
        ("http://127.0.0.1:8700/instagram-graph/v25.0/", "http://127.0.0.1:8700/instagram-graph"),
        ("https://graph.instagram.com/v3", "https://graph.instagram.com"),
        ("https://graph.instagram.com", "https://graph.instagram.com"),
        ("https://proxy.example/version", "https://proxy.example/version"),
    ],
)
def test_the_token_endpoints_live_at_the_unversioned_root(api: str, root: str) -> None:
    assert parse.graph_root(api) == root


# --- /me -----------------------------------------------------------------------------------------------


def test_me_is_the_professional_account_with_its_counts() -> None:
    account = parse.account(ME, "fallback")
    assert account.id == "17841400000000001" and account.username == "bobs_bakery"
    assert (account.followers, account.media_count, account.follows) == (1234, 56, None)
    assert account.profile_url == "https://www.instagram.com/bobs_bakery/"
    assert parse.account({"username": "x"}, "27640875392278831").id == "27640875392278831"
    assert parse.is_professional(ME) and parse.is_professional({"account_type": "MEDIA_CREATOR"})
    assert not parse.is_professional({**ME, "account_type": "PERSONAL"})


# --- the backend, its calls answered by a fake session -------------------------------------------------


class _Session:
    """Answers igbot's calls by path, and records them."""

    def __init__(self, answers: dict[str, requests.Response]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append((method, urlsplit(url).path, kwargs))
        return self.answers[urlsplit(url).path]

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)


CONFIG = ClientConfig(
    client_id="ig-app-id",
    client_secret="ig-app-secret",
    api_url="https://graph.instagram.com/v25.0",
    authorize_url="https://www.instagram.com/oauth/authorize",
    token_url="https://api.instagram.com/oauth/access_token",
    redirect_uri="https://igbot.example/instagram/callback",
)


def _backend(
    exchange: object, me: dict[str, Any] = ME, **more: requests.Response
) -> tuple[InstagramLogin, _Session]:
    backend = InstagramLogin(CONFIG, clock=lambda: 1000.0)
    session = _Session(
        {
            "/oauth/access_token": _response(200, exchange),
            "/access_token": _response(
                200, {"access_token": LONG, "token_type": "bearer", "expires_in": 5184000}
            ),
            "/v25.0/me": _response(200, me),
            **more,
        }
    )
    backend._session = session  # type: ignore[assignment]
    return backend, session


def test_the_authorize_url_asks_instagram_itself_for_the_business_scopes() -> None:
    url = InstagramLogin(CONFIG).authorization_url("st4te")
    assert url.startswith("https://www.instagram.com/oauth/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["instagram_business_basic,instagram_business_manage_comments"]
    assert query["enable_fb_login"] == ["0"] and query["response_type"] == ["code"]
    assert query["client_id"] == ["ig-app-id"] and query["state"] == ["st4te"]
    assert query["redirect_uri"] == ["https://igbot.example/instagram/callback"]


@pytest.mark.parametrize("body", [FLAT, WRAPPED], ids=["flat", "wrapped"])
def test_a_login_links_the_one_account_with_the_60_day_token(body: dict[str, Any]) -> None:
    backend, session = _backend(body)
    authorization = backend.exchange_code("c0de")
    assert authorization.token == LONG and authorization.expires_at == 1000 + 5184000
    assert [a.username for a in authorization.accounts] == ["bobs_bakery"]
    assert authorization.accounts[0].id == "17841400000000001"
    assert authorization.scope == "instagram_business_basic,instagram_business_manage_comments"
    (method, path, exchange), (_, long_path, long), (_, me_path, me) = session.calls
    assert (method, path) == ("POST", "/oauth/access_token")
    assert exchange["data"] == {
        "client_id": "ig-app-id",
        "client_secret": "ig-app-secret",
        "grant_type": "authorization_code",
        "redirect_uri": "https://igbot.example/instagram/callback",
        "code": "c0de",
    }
    assert long_path == "/access_token"
    assert long["params"] == {
        "grant_type": "ig_exchange_token",
        "client_secret": "ig-app-secret",
        "access_token": TOKEN,
    }
    assert me_path == "/v25.0/me" and me["params"]["access_token"] == LONG


def test_a_partial_grant_links_with_what_was_granted() -> None:
    backend, _ = _backend({**FLAT, "permissions": ["instagram_business_basic"]})
    authorization = backend.exchange_code("c0de")
    assert authorization.scope == "instagram_business_basic" and len(authorization.accounts) == 1


def test_a_grant_without_basic_links_nothing() -> None:
    backend, session = _backend({**FLAT, "permissions": ["instagram_business_manage_comments"]})
    with pytest.raises(ScopeDeclined):
        backend.exchange_code("c0de")
    assert len(session.calls) == 1  # no long-lived exchange for it


def test_a_personal_account_has_no_account_to_link() -> None:
    backend, _ = _backend(FLAT, {**ME, "account_type": "PERSONAL"})
    assert backend.exchange_code("c0de").accounts == ()


def test_a_refused_code_is_rejected_and_a_failed_long_lived_exchange_too() -> None:
    backend, _ = _backend(FLAT, **{"/oauth/access_token": _response(400, _graph_error(100))})
    with pytest.raises(ExchangeRejected):
        backend.exchange_code("used")
    backend, _ = _backend(FLAT, **{"/access_token": _response(400, _graph_error(190))})
    with pytest.raises(ExchangeRejected):
        backend.exchange_code("c0de")


@pytest.mark.parametrize(
    ("code", "expected"),
    [(190, TokenInvalid), (10, PermissionMissing), (80002, RateLimited), (1, Unavailable)],
)
def test_api_errors_are_the_graph_error_object(code: int, expected: type[Exception]) -> None:
    backend, _ = _backend(FLAT, **{"/v25.0/me/media": _response(400, _graph_error(code))})
    with pytest.raises(expected) as raised:
        backend.recent(Credentials(token=LONG), 2)
    if isinstance(raised.value, LinkRejected):  # only the link still holding this token is removed
        assert raised.value.token_fingerprint == token_fingerprint(LONG)


def test_recent_reads_me_media() -> None:
    media = {
        "data": [
            {"id": "1", "media_type": "IMAGE", "media_url": "https://cdn.example/1.jpg", "permalink": "p1"},
            {
                "id": "2",
                "media_type": "VIDEO",
                "thumbnail_url": "https://cdn.example/2.jpg",
                "permalink": "p2",
            },
            {"id": "3", "media_type": "IMAGE", "media_url": "https://cdn.example/3.jpg", "permalink": "p3"},
        ]
    }
    backend, session = _backend(FLAT, **{"/v25.0/me/media": _response(200, media)})
    got = backend.recent(Credentials(token=LONG), 2)
    assert [m.id for m in got] == ["1", "2"] and got[1].is_video
    assert session.calls[-1][2]["params"]["limit"] == 2


def test_only_what_this_api_can_do_is_offered_and_the_rest_says_so() -> None:
    backend = InstagramLogin(CONFIG)
    assert backend.capabilities == {Capability.RECENT, Capability.ACCOUNT_DETAILS}
    assert backend.feed_kinds == frozenset() and backend.hashtag_limit is None
    assert not backend.account_facts.needs_facebook_page
    creds = Credentials(token=LONG)
    for call in (
        lambda: backend.find_account(creds, "x"),
        lambda: backend.set_following(creds, "x", follow=True),
        lambda: backend.popular(3, creds),
        lambda: backend.tagged(creds, "coffee", 3),
        lambda: backend.map_area(creds, "near", "1,2", 3),
        lambda: backend.resolve_feed(creds, "user", "x"),
        lambda: backend.enable_inbox(creds),
    ):
        with pytest.raises(InstagramError):
            call()
    assert backend.post_by_shortcode(creds, "abc") is None and backend.inbox_events({"entry": []}) == []
