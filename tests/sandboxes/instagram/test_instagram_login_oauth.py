"""Instagram Login (Business Login for Instagram): the authorize page, both code exchange shapes, the
partial grant, the personal account, the long-lived exchange and the refresh with its 24-hour rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.threaded_server import RunningServer
from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import (
    CLIENT_ID,
    REDIRECT_URI,
    TIMEOUT,
    FakeClock,
    parse_form,
    query_of,
)
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, error_of

APP_ID = "sandbox-instagram-app-id"
APP_SECRET = "sandbox-instagram-app-secret"
AUTHORIZE = "/instagram-login/oauth/authorize"
TOKEN = "/instagram-login/oauth/access_token"
LONG_LIVED = "/instagram-graph/access_token"
REFRESH = "/instagram-graph/refresh_access_token"
CONTROL = "/__sandbox__/instagram-login"
SCOPE = "instagram_business_basic,instagram_business_manage_comments"
DAY = 86400


def authorize_params(**overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": APP_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPE,
        "state": "st4te",
        **overrides,
    }
    return {k: v for k, v in params.items() if v is not None}


def log_in(
    base: str,
    username: str = "alice.shop",
    decision: str = "allow",
    untick: tuple[str, ...] = (),
    **overrides: str | None,
) -> requests.Response:
    """Open the login page and press a button as a browser would; returns the (unfollowed) answer."""
    page = requests.get(base + AUTHORIZE, params=authorize_params(**overrides), timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = parse_form(page.text)
    data: dict[str, Any] = dict(form.hidden)
    data["username"] = username
    scopes = [s for s in (overrides.get("scope") or SCOPE).replace(",", " ").split() if s not in untick]
    data["granted"] = scopes
    name, value = form.buttons[decision]
    data[name] = value
    return requests.post(base + form.action, data=data, allow_redirects=False, timeout=TIMEOUT)


def login_code(base: str, **kwargs: Any) -> str:
    response = log_in(base, **kwargs)
    assert response.status_code == 302, response.text
    return query_of(response.headers["Location"])["code"]


def exchange(base: str, code: str, **overrides: str) -> requests.Response:
    form = {
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT_URI,
        "code": code,
        **overrides,
    }
    return requests.post(base + TOKEN, data=form, timeout=TIMEOUT)


def short_token(base: str) -> str:
    response = exchange(base, login_code(base))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def long_lived(base: str, short: str, **overrides: str) -> requests.Response:
    params = {"grant_type": "ig_exchange_token", "client_secret": APP_SECRET, "access_token": short}
    return requests.get(base + LONG_LIVED, params={**params, **overrides}, timeout=TIMEOUT)


def refresh(base: str, token: str) -> requests.Response:
    params = {"grant_type": "ig_refresh_token", "access_token": token}
    return requests.get(base + REFRESH, params=params, timeout=TIMEOUT)


def long_token(base: str) -> str:
    response = long_lived(base, short_token(base))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def wrapped_base(clock: FakeClock) -> Iterator[str]:
    sandbox = InstagramSandbox(clock=clock, instagram_login_exchange_shape="wrapped")
    running: RunningServer = sandbox.start(host="127.0.0.1", port=0)
    yield running.url
    sandbox.stop()


def test_login_page_lists_professional_and_personal_accounts_and_a_checkbox_per_scope(base: str) -> None:
    page = requests.get(base + AUTHORIZE, params=authorize_params(), timeout=TIMEOUT)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    form = parse_form(page.text)
    assert (form.method, form.action) == ("post", AUTHORIZE)
    assert form.hidden == {**authorize_params()}
    assert '"alice.shop"> @alice.shop <span class="kind">professional (business)' in page.text
    assert '"alice.studio"> @alice.studio <span class="kind">professional (media_creator)' in page.text
    assert '"alice"> @alice <span class="kind">personal' in page.text
    assert 'name="granted" value="instagram_business_manage_comments" checked>' in page.text
    assert {"allow", "deny"} <= set(form.buttons)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_id": None}, "Missing client_id"),
        ({"client_id": CLIENT_ID}, "not an Instagram app id"),  # the Meta app id is not the Instagram one
        ({"redirect_uri": "https://example.com/cb"}, "Invalid redirect_uri"),
        ({"response_type": None}, "Invalid response_type"),
        ({"response_type": "token"}, "Invalid response_type"),
        ({"scope": None}, "Invalid scope"),
        ({"scope": "instagram_business_manage_comments"}, "must include instagram_business_basic"),
        ({"scope": "instagram_business_basic,instagram_basic"}, "Invalid scope"),
    ],
)
def test_bad_authorize_requests_get_an_error_page_not_a_redirect(
    base: str, overrides: dict[str, str | None], message: str
) -> None:
    page = requests.get(
        base + AUTHORIZE, params=authorize_params(**overrides), allow_redirects=False, timeout=TIMEOUT
    )
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert message in page.text


def test_approving_redirects_with_code_and_state_then_the_flat_exchange(base: str) -> None:
    response = log_in(base, scope="instagram_business_basic instagram_business_manage_comments")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?") and location.endswith("#_")
    query = query_of(location)
    assert query["state"] == "st4te"
    answer = exchange(base, query["code"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "user_id", "permissions"}
    assert body["access_token"].startswith("IGAA")
    assert body["user_id"] == int(ALICE_SHOP)
    assert body["permissions"] == ["instagram_business_basic", "instagram_business_manage_comments"]


def test_wrapped_shape_from_the_constructor(wrapped_base: str) -> None:
    body = exchange(wrapped_base, login_code(wrapped_base)).json()
    assert set(body) == {"data"}
    (item,) = body["data"]
    assert item["user_id"] == ALICE_SHOP
    assert item["permissions"] == SCOPE
    assert item["access_token"].startswith("IGAA")


def test_wrapped_shape_from_the_control_until_reset(base: str) -> None:
    assert requests.get(base + CONTROL + "/exchange_shape", timeout=TIMEOUT).json() == {"shape": "flat"}
    bad = requests.post(base + CONTROL + "/exchange_shape", json={"shape": "nested"}, timeout=TIMEOUT)
    assert bad.status_code == 400
    set_shape = requests.post(base + CONTROL + "/exchange_shape", json={"shape": "wrapped"}, timeout=TIMEOUT)
    assert set_shape.json() == {"shape": "wrapped"}
    item = exchange(base, login_code(base)).json()["data"][0]
    assert (item["user_id"], item["permissions"]) == (ALICE_SHOP, SCOPE)
    requests.post(base + "/__sandbox__/reset", timeout=TIMEOUT)
    assert exchange(base, login_code(base)).json()["user_id"] == int(ALICE_SHOP)


def test_unticking_a_scope_is_a_partial_grant(base: str) -> None:
    code = login_code(base, untick=("instagram_business_manage_comments",))
    assert exchange(base, code).json()["permissions"] == ["instagram_business_basic"]


def test_a_personal_account_cannot_approve(base: str) -> None:
    response = log_in(base, username="alice")
    assert response.status_code == 403
    assert "Location" not in response.headers
    assert "@alice is a personal account" in response.text
    assert "professional (business or creator) account" in response.text


def test_denying_redirects_with_access_denied_and_the_state(base: str) -> None:
    response = log_in(base, decision="deny")
    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query == {
        "error": "access_denied",
        "error_reason": "user_denied",
        "error_description": "The user denied your request.",
        "state": "st4te",
    }


def test_a_code_works_once(base: str) -> None:
    code = login_code(base)
    assert exchange(base, code).status_code == 200
    again = exchange(base, code)
    assert again.status_code == 400
    error = error_of(again)
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 36009, "OAuthException")
    assert error["fbtrace_id"]


def test_a_code_lives_one_hour_on_the_sandbox_clock(base: str, clock: FakeClock) -> None:
    fresh, stale = login_code(base), login_code(base)
    clock.advance(3600)
    assert exchange(base, fresh).status_code == 200
    clock.advance(1)
    expired = exchange(base, stale)
    assert expired.status_code == 400
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (100, 36007)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"client_id": CLIENT_ID}, 101),
        ({"client_secret": "sandbox-client-secret"}, 101),
        ({"grant_type": "client_credentials"}, 100),
        ({"redirect_uri": "http://127.0.0.1:3000/other"}, 100),
        ({"code": "AQnope"}, 100),
    ],
)
def test_exchange_errors_are_graph_error_objects(base: str, overrides: dict[str, str], code: int) -> None:
    fields = dict(overrides)
    answer = exchange(base, fields.pop("code", "") or login_code(base), **fields)
    assert answer.status_code == 400
    assert error_of(answer)["code"] == code


def test_long_lived_exchange_once_per_short_token(base: str) -> None:
    short = short_token(base)
    assert long_lived(base, short, client_secret="wrong").status_code == 400
    assert long_lived(base, short, grant_type="fb_exchange_token").status_code == 400
    answer = long_lived(base, short)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 5184000)
    assert body["access_token"].startswith("IGAA") and body["access_token"] != short
    again = long_lived(base, short)
    assert (again.status_code, error_of(again)["code"]) == (400, 190)


def test_refresh_only_after_24_hours_and_before_expiry(base: str, clock: FakeClock) -> None:
    token = long_token(base)
    clock.advance(DAY - 1)
    early = refresh(base, token)
    assert early.status_code == 400
    assert error_of(early)["code"] == 100
    assert "24 hours" in error_of(early)["message"]
    clock.advance(1)
    answer = refresh(base, token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 5184000)
    assert body["access_token"] != token
    clock.advance(5184000 - DAY)  # the first token's 60 days are up
    dead = refresh(base, token)
    assert (dead.status_code, error_of(dead)["code"], error_of(dead)["error_subcode"]) == (400, 190, 463)


def test_a_short_lived_token_cannot_be_refreshed(base: str) -> None:
    answer = refresh(base, short_token(base))
    assert (answer.status_code, error_of(answer)["code"]) == (400, 190)
    assert "only a long-lived token" in error_of(answer)["message"]


def test_forced_refresh_failure_fails_the_next_refresh_only(base: str, clock: FakeClock) -> None:
    token = long_token(base)
    clock.advance(DAY)
    armed = requests.post(base + CONTROL + "/refresh_failure", json={}, timeout=TIMEOUT)
    assert armed.json() == {"failing": 1}
    failed = refresh(base, token)
    assert failed.status_code == 400
    assert (error_of(failed)["code"], error_of(failed)["error_subcode"]) == (190, 460)
    assert refresh(base, token).status_code == 200
    bad = requests.post(base + CONTROL + "/refresh_failure", json={"count": -1}, timeout=TIMEOUT)
    assert bad.status_code == 400


def test_refresh_needs_its_grant_type_and_a_token(base: str, clock: FakeClock) -> None:
    token = long_token(base)
    clock.advance(DAY)
    params = {"grant_type": "ig_exchange_token", "access_token": token}
    wrong = requests.get(base + REFRESH, params=params, timeout=TIMEOUT)
    assert (wrong.status_code, error_of(wrong)["code"]) == (400, 100)
    missing = requests.get(base + REFRESH, params={"grant_type": "ig_refresh_token"}, timeout=TIMEOUT)
    assert (missing.status_code, error_of(missing)["code"]) == (400, 100)
