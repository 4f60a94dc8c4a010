"""Graph mode's Facebook Login: the dialog, Cancel, the code exchange, the long-lived exchange and every
exchange error."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth2Session

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TIMEOUT,
    FakeClock,
    parse_form,
    query_of,
)
from tests.sandboxes.instagram.graph_helpers import (
    DIALOG,
    SCOPE,
    TOKEN,
    dialog_params,
    error_of,
    exchange_code,
    exchange_short,
    fb_login,
    graph,
    graph_code,
)


def test_dialog_page_uses_the_v1_form_conventions(base: str) -> None:
    page = requests.get(base + DIALOG, params=dialog_params(), timeout=TIMEOUT)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "Log in with Facebook" in page.text
    form = parse_form(page.text)
    assert (form.method, form.action) == ("post", DIALOG)
    assert {"username", "authorize", "cancel"} <= form.ids
    assert form.hidden == {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPE,
        "state": "st4te",
    }
    assert form.options == ["alice", "bob", "carol.private", "dan_the_man", "erin.private"]
    assert form.buttons["authorize"] == ("decision", "authorize")
    assert form.buttons["cancel"] == ("decision", "cancel")


def test_continue_redirects_with_code_state_and_fragment(base: str) -> None:
    response = fb_login(base, username="bob")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?code=")
    assert location.endswith("&state=st4te#_=_")
    assert query_of(location.split("#")[0])["state"] == "st4te"


def test_cancel_redirects_with_facebook_denial(base: str) -> None:
    response = fb_login(base, decision="cancel")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        REDIRECT_URI + "?error=access_denied&error_code=200&error_description=Permissions+error"
        "&error_reason=user_denied&state=st4te"
    )


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"client_id": None}, "Missing client_id"),
        ({"client_id": "someone-else"}, "Invalid App ID"),
        ({"redirect_uri": None}, "Missing redirect_uri"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "URL Blocked"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": "instagram_basic,read_everything"}, "Invalid Scopes"),
    ],
)
def test_dialog_rejects_bad_requests_without_redirecting(
    base: str, overrides: dict[str, str | None], needle: str
) -> None:
    for method in ("GET", "POST"):
        if method == "GET":
            page = requests.get(base + DIALOG, params=dialog_params(**overrides), timeout=TIMEOUT)
        else:
            data = {**dialog_params(**overrides), "username": "alice", "decision": "authorize"}
            page = requests.post(base + DIALOG, data=data, allow_redirects=False, timeout=TIMEOUT)
        assert page.status_code == 400
        assert "Location" not in page.headers
        assert needle in page.text


def test_dialog_defaults_response_type_and_rejects_unknown_user(base: str) -> None:
    page = requests.get(base + DIALOG, params=dialog_params(response_type=None, scope=None), timeout=TIMEOUT)
    assert page.status_code == 200
    data = {**parse_form(page.text).hidden, "username": "nobody", "decision": "authorize"}
    assert requests.post(base + DIALOG, data=data, timeout=TIMEOUT).status_code == 400
    data.update(username="alice", decision="maybe")
    assert requests.post(base + DIALOG, data=data, timeout=TIMEOUT).status_code == 400


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_code_then_long_lived_exchange(base: str, method: str) -> None:
    short = exchange_code(base, graph_code(base), method=method)
    assert short.status_code == 200
    body = short.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["access_token"].startswith("EAA")
    assert (body["token_type"], body["expires_in"]) == ("bearer", 5400)
    long = exchange_short(base, body["access_token"])
    assert long.status_code == 200
    long_body = long.json()
    assert (long_body["token_type"], long_body["expires_in"]) == ("bearer", 5183944)
    assert long_body["access_token"].startswith("EAA")
    assert long_body["access_token"] != body["access_token"]
    me = graph(base, "/me", long_body["access_token"]).json()
    assert me == {"name": "Alice Anderson", "id": "10158000000000001"}


def test_exchange_with_http_basic_client_credentials(base: str) -> None:
    code = graph_code(base)
    response = requests.post(
        base + TOKEN,
        data={"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI, "code": code},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert response.json()["expires_in"] == 5400


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_oauthlib_session_flow(base: str, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    session = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPE, state="s-42")
    url, state = session.authorization_url(base + DIALOG)
    assert state == "s-42"
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    form = parse_form(page.text)
    assert form.hidden["scope"] == SCOPE
    data = {**form.hidden, "username": "bob", "decision": "authorize"}
    redirect = requests.post(base + form.action, data=data, allow_redirects=False, timeout=TIMEOUT)
    token = session.fetch_token(
        base + TOKEN,
        authorization_response=redirect.headers["Location"],
        client_secret=CLIENT_SECRET,
        include_client_id=True,
        method=method,
    )
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 5400
    accounts = session.get(f"{base}/graph/v25.0/me/accounts", params={"fields": "name"}).json()
    assert [p["name"] for p in accounts["data"]] == ["Bob's Bakery"]


def test_bad_client_id_and_secret(base: str) -> None:
    code = graph_code(base)
    error = error_of(exchange_code(base, code, client_id="nope"))
    assert (error["code"], error["type"]) == (101, "OAuthException")
    missing = requests.get(base + TOKEN, params={"code": code, "redirect_uri": REDIRECT_URI}, timeout=TIMEOUT)
    assert missing.status_code == 400
    assert error_of(missing)["code"] == 101
    response = exchange_code(base, code, client_secret="wrong")
    assert response.status_code == 400
    assert error_of(response)["code"] == 1
    assert exchange_code(base, code).status_code == 200  # failures did not use the code up


def test_redirect_uri_mismatch(base: str) -> None:
    code = graph_code(base)
    response = exchange_code(base, code, redirect_uri=REDIRECT_URI + "/")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (100, 36008)
    assert "redirect_uri" in error["message"]
    assert exchange_code(base, code).status_code == 200


def test_used_unknown_and_missing_codes(base: str) -> None:
    code = graph_code(base)
    assert exchange_code(base, code).status_code == 200
    used = error_of(exchange_code(base, code))
    assert (used["code"], used["error_subcode"], used["message"]) == (
        100,
        36009,
        "This authorization code has been used.",
    )
    unknown = error_of(exchange_code(base, "AQnot-a-code"))
    assert unknown["code"] == 100
    assert "error_subcode" not in unknown
    assert error_of(exchange_code(base, ""))["code"] == 100
    assert error_of(exchange_code(base, code, grant_type="password"))["code"] == 100


def test_expired_code(clock: FakeClock, base: str) -> None:
    code = graph_code(base)
    clock.advance(601)
    error = error_of(exchange_code(base, code))
    assert (error["code"], error["error_subcode"]) == (100, 36007)


def test_long_lived_exchange_errors(base: str, sandbox: InstagramSandbox) -> None:
    short = exchange_code(base, graph_code(base)).json()["access_token"]
    invalid = exchange_short(base, "EAAnot-a-token")
    assert invalid.status_code == 400
    assert error_of(invalid)["code"] == 190
    assert invalid.headers["WWW-Authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')
    assert error_of(exchange_short(base, short, client_secret="wrong"))["code"] == 1
    assert error_of(exchange_short(base, ""))["code"] == 100
    long = exchange_short(base, short).json()["access_token"]
    assert error_of(exchange_short(base, short))["code"] == 190  # once only
    assert error_of(exchange_short(base, long))["code"] == 190  # long-lived tokens are not exchanged
    assert graph(base, "/me", short).status_code == 200  # the short token still works until it expires
    sandbox.expire_graph_tokens(access_token=short)
    expired = error_of(exchange_short(base, short))
    assert (expired["code"], expired["error_subcode"]) == (190, 463)


def test_short_lived_token_expires_by_the_clock(clock: FakeClock, base: str) -> None:
    short = exchange_code(base, graph_code(base)).json()["access_token"]
    long = exchange_short(base, short).json()["access_token"]
    clock.advance(5401)
    error = error_of(graph(base, "/me", short))
    assert (error["code"], error["error_subcode"]) == (190, 463)
    assert "Session has expired" in error["message"]
    assert graph(base, "/me", long).status_code == 200
    clock.advance(5183944)
    assert error_of(graph(base, "/me", long))["error_subcode"] == 463
