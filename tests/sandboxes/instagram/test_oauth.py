"""The legacy OAuth explicit flow: consent page, redirect, code exchange and every failure."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth2Session
from requests_oauthlib.compliance_fixes import instagram_compliance_fix

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TIMEOUT,
    FakeClock,
    approve,
    exchange,
    get_code,
    parse_form,
    query_of,
)

INVALID_CODE = "Matching code was not found or was already used."


def test_full_code_flow_with_requests_oauthlib(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    session = OAuth2Session(
        CLIENT_ID, redirect_uri=REDIRECT_URI, scope=["basic", "relationships"], state="s-123"
    )
    instagram_compliance_fix(session)
    url, state = session.authorization_url(f"{base}/oauth/authorize")
    assert state == "s-123"

    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    form = parse_form(page.text)
    assert (form.method, form.action) == ("post", "/oauth/authorize")
    assert {"username", "authorize", "cancel"} <= form.ids
    assert form.hidden == {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "basic relationships",
        "state": "s-123",
    }
    assert {"alice", "bob", "carol.private", "dan_the_man"} <= set(form.options)
    assert form.buttons["authorize"] == ("decision", "authorize")

    data = {**form.hidden, "username": "bob", "decision": "authorize"}
    redirect = requests.post(base + form.action, data=data, allow_redirects=False, timeout=TIMEOUT)
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = query_of(location)
    assert params["state"] == "s-123"

    token = session.fetch_token(
        f"{base}/oauth/access_token", code=params["code"], client_secret=CLIENT_SECRET, include_client_id=True
    )
    assert token["access_token"].split(".")[0] == token["user"]["id"]
    assert len(token["access_token"].split(".")) == 3
    assert token["user"]["username"] == "bob"
    assert set(token["user"]) == {"id", "username", "full_name", "profile_picture", "bio", "website"}

    me = session.get(f"{base}/v1/users/self")
    assert me.status_code == 200
    assert me.json()["data"]["username"] == "bob"


def test_token_response_is_flat_without_token_type(base: str) -> None:
    response = exchange(base, get_code(base))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "user"}
    assert body["user"]["profile_picture"].startswith(base + "/")


def test_client_credentials_by_http_basic_auth(base: str) -> None:
    code = get_code(base)
    data = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI, "code": code}
    response = requests.post(
        f"{base}/oauth/access_token", data=data, auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"


def test_fetch_token_default_basic_auth_works(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    session = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=["basic"])
    token = session.fetch_token(
        f"{base}/oauth/access_token", code=get_code(base, scope="basic"), client_secret=CLIENT_SECRET
    )
    assert token["user"]["username"] == "alice"


def _assert_flat_error(response: requests.Response, message: str) -> None:
    assert response.status_code == 400
    assert response.json() == {"code": 400, "error_type": "OAuthException", "error_message": message}


def test_wrong_client_secret(base: str) -> None:
    _assert_flat_error(exchange(base, get_code(base), client_secret="nope"), "Invalid Client Secret")


def test_wrong_client_id(base: str) -> None:
    _assert_flat_error(exchange(base, get_code(base), client_id="someone-else"), "Invalid Client ID")


def test_redirect_uri_mismatch(base: str) -> None:
    code = get_code(base)
    response = exchange(base, code, redirect_uri="http://127.0.0.1:3000/other")
    _assert_flat_error(response, "Redirect URI doesn't match original redirect URI")


def test_code_reused(base: str) -> None:
    code = get_code(base)
    assert exchange(base, code).status_code == 200
    _assert_flat_error(exchange(base, code), INVALID_CODE)


def test_unknown_code(base: str) -> None:
    _assert_flat_error(exchange(base, "0123456789abcdef"), INVALID_CODE)


def test_expired_code(base: str, clock: FakeClock) -> None:
    code = get_code(base)
    clock.advance(601)
    _assert_flat_error(exchange(base, code), INVALID_CODE)


def test_code_just_before_expiry_still_works(base: str, clock: FakeClock) -> None:
    code = get_code(base)
    clock.advance(599)
    assert exchange(base, code).status_code == 200


def test_wrong_grant_type(base: str) -> None:
    _assert_flat_error(exchange(base, get_code(base), grant_type="password"), "Invalid grant_type")


def test_cancel_redirects_with_access_denied(base: str) -> None:
    response = approve(base, decision="cancel", state="abc")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == (
        REDIRECT_URI + "?error=access_denied&error_reason=user_denied"
        "&error_description=The+user+denied+your+request&state=abc"
    )


def test_redirect_keeps_existing_query_and_omits_missing_state(base: str) -> None:
    redirect_uri = "http://localhost:8123/cb?next=%2Fhome"
    response = approve(base, redirect_uri=redirect_uri, state=None)
    location = response.headers["Location"]
    assert location.startswith("http://localhost:8123/cb?next=%2Fhome&code=")
    assert "state" not in query_of(location)
    assert exchange(base, query_of(location)["code"], redirect_uri=redirect_uri).status_code == 200


def test_omitted_scope_means_basic(base: str, sandbox: InstagramSandbox) -> None:
    token = exchange(base, get_code(base, scope=None)).json()["access_token"]
    response = requests.get(
        f"{base}/v1/users/search", params={"q": "bob", "access_token": token}, timeout=TIMEOUT
    )
    assert response.json()["meta"]["error_type"] == "OAuthPermissionsException"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"client_id": "unknown"}, "Invalid Client ID"),
        ({"client_id": ""}, "client_id"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "redirect_uri"),
        ({"redirect_uri": "http://127.0.0.1.evil.example.com/cb"}, "redirect_uri"),
        ({"redirect_uri": "ftp://127.0.0.1/cb"}, "redirect_uri"),
        ({"redirect_uri": ""}, "redirect_uri"),
        ({"response_type": "token"}, "Implicit authentication is disabled"),
        ({"response_type": "banana"}, "response_type"),
        ({"scope": ""}, "scope"),
        ({"scope": "basic,likes"}, "scope"),
    ],
)
def test_authorize_page_rejects_bad_requests(base: str, params: dict[str, str], fragment: str) -> None:
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "basic"}
    query.update(params)
    response = requests.get(f"{base}/oauth/authorize", params=query, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert fragment in response.text


@pytest.mark.parametrize("redirect_uri", ["http://[::1]:9/cb", "https://localhost/x/y/", "http://127.0.0.1/"])
def test_any_loopback_redirect_is_accepted(base: str, redirect_uri: str) -> None:
    response = approve(base, redirect_uri=redirect_uri)
    assert response.headers["Location"].startswith(redirect_uri)


def test_authorize_post_revalidates(base: str) -> None:
    data = {
        "client_id": CLIENT_ID,
        "redirect_uri": "https://evil.example.com/",
        "response_type": "code",
        "username": "alice",
        "decision": "authorize",
    }
    response = requests.post(f"{base}/oauth/authorize", data=data, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "Location" not in response.headers
    data["redirect_uri"] = REDIRECT_URI
    data["username"] = "nobody_here"
    assert (
        requests.post(
            f"{base}/oauth/authorize", data=data, allow_redirects=False, timeout=TIMEOUT
        ).status_code
        == 400
    )


def test_authorize_page_escapes_echoed_values(base: str) -> None:
    evil = '"><script>alert(1)</script>'
    query = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI + "?x=" + evil,
        "response_type": "code",
        "state": evil,
    }
    page = requests.get(f"{base}/oauth/authorize", params=query, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert parse_form(page.text).hidden["state"] == evil
    bad = requests.get(f"{base}/oauth/authorize", params={**query, "scope": evil}, timeout=TIMEOUT)
    assert bad.status_code == 400
    assert "<script>" not in bad.text


def test_trailing_slash_authorize_url(base: str) -> None:
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"}
    response = requests.get(f"{base}/oauth/authorize/", params=query, timeout=TIMEOUT)
    assert response.status_code == 200
