"""Helpers for the graph-mode tests: drive the Facebook dialog, exchange codes, call the Graph API."""

from __future__ import annotations

from typing import Any

import requests

from tests.sandboxes.instagram.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TIMEOUT,
    parse_form,
    query_of,
)

VERSION = "v25.0"
SCOPE = "instagram_basic,pages_show_list,pages_read_engagement,instagram_manage_insights"
DIALOG = f"/facebook/{VERSION}/dialog/oauth"
TOKEN = f"/graph/{VERSION}/oauth/access_token"
ACCOUNT_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url"
MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,like_count,comments_count"
HASHTAG_MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,like_count,comments_count"
ALICE_SHOP = "17841400000000011"
ALICE_STUDIO = "17841400000000012"
BOBS_BAKERY = "17841400000000021"


def dialog_params(**overrides: str | None) -> dict[str, str]:
    """The dialog query a client sends (``None`` drops a parameter)."""
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "st4te",
        "response_type": "code",
        "scope": SCOPE,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def fb_login(
    base: str, *, username: str = "alice", decision: str = "authorize", **overrides: str | None
) -> requests.Response:
    """Open the dialog and press a button as a browser would; returns the (unfollowed) redirect."""
    page = requests.get(base + DIALOG, params=dialog_params(**overrides), timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = parse_form(page.text)
    data = {**form.hidden, "username": username}
    name, value = form.buttons[decision]
    data[name] = value
    return requests.post(base + form.action, data=data, allow_redirects=False, timeout=TIMEOUT)


def graph_code(base: str, **kwargs: Any) -> str:
    """A fresh code from the dialog."""
    response = fb_login(base, **kwargs)
    assert response.status_code == 302, response.text
    return query_of(response.headers["Location"].split("#", 1)[0])["code"]


def exchange_code(base: str, code: str, method: str = "GET", **overrides: str) -> requests.Response:
    """The code exchange as igbot sends it (query parameters), or as a form with ``method="POST"``."""
    params = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    params.update(overrides)
    if method == "POST":
        return requests.post(base + TOKEN, data=params, timeout=TIMEOUT)
    return requests.get(base + TOKEN, params=params, timeout=TIMEOUT)


def exchange_short(base: str, short: str, **overrides: str) -> requests.Response:
    """``grant_type=fb_exchange_token``."""
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "fb_exchange_token": short,
    }
    params.update(overrides)
    return requests.get(base + TOKEN, params=params, timeout=TIMEOUT)


def graph(base: str, path: str, token: str | None = None, **params: Any) -> requests.Response:
    """``GET /graph/v25.0{path}`` with the token as ``access_token``."""
    if token is not None:
        params["access_token"] = token
    return requests.get(f"{base}/graph/{VERSION}{path}", params=params, timeout=TIMEOUT)


def error_of(response: requests.Response) -> dict[str, Any]:
    """The inner graph error object, checking the common shape on the way."""
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(error)
    assert isinstance(error["code"], int)
    return error
