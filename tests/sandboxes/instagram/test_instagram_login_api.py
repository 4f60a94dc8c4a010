"""graph.instagram.com for Instagram Login tokens (``/instagram-graph/v25.0``): ``me``, its media with
cursor paging, one media node, the token and permission checks, and the per-account BUC budget."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.threaded_server import RunningServer
from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, FakeClock
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, ALICE_STUDIO, error_of
from tests.sandboxes.instagram.test_instagram_login_oauth import exchange, login_code, long_lived

API = "/instagram-graph/v25.0"
CONTROL = "/__sandbox__/instagram-login"
ME_FIELDS = "user_id,username,account_type,profile_picture_url,name,followers_count,media_count"
MEDIA_FIELDS = (
    "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,username,like_count,comments_count"
)
SIXTY_DAYS = 60 * 86400


def control_token(base: str, account: str = "alice.shop", **body: Any) -> str:
    """A token from the sandbox's shortcut control (no login flow)."""
    response = requests.post(base + CONTROL + "/token", json={"account": account, **body}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def call(base: str, path: str, token: str | None, **params: Any) -> requests.Response:
    query = {**params, **({"access_token": token} if token is not None else {})}
    return requests.get(base + API + path, params=query, timeout=TIMEOUT)


def buc(response: requests.Response) -> dict[str, Any]:
    """The account's single ``X-Business-Use-Case-Usage`` entry, keyed by account id."""
    usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert set(usage) == {ALICE_SHOP}, usage
    (entry,) = usage[ALICE_SHOP]
    assert set(entry) == {
        "type",
        "call_count",
        "total_cputime",
        "total_time",
        "estimated_time_to_regain_access",
    }
    assert entry["type"] == "instagram"
    return dict(entry)


@pytest.fixture
def small_budget(clock: FakeClock) -> Iterator[str]:
    sandbox = InstagramSandbox(clock=clock, instagram_login_calls_per_hour=3)
    running: RunningServer = sandbox.start(host="127.0.0.1", port=0)
    yield running.url
    sandbox.stop()


def test_me_through_the_login_flow_short_and_long_lived(base: str) -> None:
    short = str(exchange(base, login_code(base)).json()["access_token"])
    long = str(long_lived(base, short).json()["access_token"])
    for token in (short, long):
        response = call(base, "/me", token, fields=ME_FIELDS)
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == [*ME_FIELDS.split(","), "id"]  # asked order, id last
        assert body["user_id"] == body["id"] == ALICE_SHOP
        assert body["username"] == "alice.shop"
        assert body["account_type"] == "BUSINESS"
        assert body["profile_picture_url"].startswith(base + "/avatars/")
        assert isinstance(body["followers_count"], int)
        assert body["media_count"] == 8
        assert response.headers["facebook-api-version"] == "v25.0"
        assert buc(response)["call_count"] >= 0


def test_me_without_fields_is_its_id_and_an_unknown_field_is_100(base: str) -> None:
    token = control_token(base)
    assert call(base, "/me", token).json() == {"id": ALICE_SHOP}
    bad = call(base, "/me", token, fields="username,hashtags")
    assert bad.status_code == 400
    assert error_of(bad)["code"] == 100


def test_media_newest_first_with_cursor_paging(base: str) -> None:
    token = control_token(base)
    first = call(base, "/me/media", token, fields=MEDIA_FIELDS, limit=3)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["data"]) == 3
    item = page["data"][0]
    assert set(item) <= set(MEDIA_FIELDS.split(","))
    assert {"id", "caption", "media_type", "media_url", "permalink", "timestamp", "username"} <= set(item)
    assert item["username"] == "alice.shop"
    assert set(page["paging"]["cursors"]) == {"before", "after"}
    seen = [m["id"] for m in page["data"]]
    stamps = [m["timestamp"] for m in page["data"]]
    while "next" in page["paging"]:
        nxt = page["paging"]["next"]
        assert nxt.startswith(base + API + "/me/media?")
        assert parse_qs(urlsplit(nxt).query)["access_token"] == [token]
        response = requests.get(nxt, timeout=TIMEOUT)
        assert response.status_code == 200
        page = response.json()
        seen += [m["id"] for m in page["data"]]
        stamps += [m["timestamp"] for m in page["data"]]
    assert len(seen) == len(set(seen)) == 8
    assert stamps == sorted(stamps, reverse=True)
    by_id = call(base, f"/{ALICE_SHOP}/media", token, limit=100).json()
    assert [m["id"] for m in by_id["data"]] == seen
    assert "next" not in by_id["paging"]


def test_a_video_has_a_thumbnail(base: str) -> None:
    token = control_token(base, "alice.studio")
    items = call(base, "/me/media", token, fields=MEDIA_FIELDS, limit=100).json()["data"]
    videos = [m for m in items if m["media_type"] == "VIDEO"]
    assert videos, "the seeded alice.studio has a video"
    assert all("thumbnail_url" in m for m in videos)
    assert all("thumbnail_url" not in m for m in items if m["media_type"] == "IMAGE")


def test_one_own_media_node_but_not_another_accounts(base: str) -> None:
    token = control_token(base)
    own = call(base, "/me/media", token, limit=1).json()["data"][0]["id"]
    node = call(base, f"/{own}", token, fields="id,caption,like_count")
    assert node.status_code == 200, node.text
    assert node.json()["id"] == own and "caption" in node.json()
    other_token = control_token(base, "alice.studio")
    foreign = call(base, f"/{own}", other_token, fields="id")
    assert foreign.status_code == 400
    assert (error_of(foreign)["code"], error_of(foreign)["error_subcode"]) == (100, 33)
    unknown = call(base, "/99999999999", token)
    assert (error_of(unknown)["code"], error_of(unknown)["error_subcode"]) == (100, 33)
    other_media = call(base, f"/{ALICE_STUDIO}/media", token)
    assert (error_of(other_media)["code"], error_of(other_media)["error_subcode"]) == (100, 33)


def test_unknown_expired_and_missing_tokens(base: str, clock: FakeClock) -> None:
    unknown = call(base, "/me", "IGAAnope")
    assert unknown.status_code == 400
    assert error_of(unknown)["code"] == 190
    assert "invalid_token" in unknown.headers["WWW-Authenticate"]
    token = control_token(base)
    short = control_token(base, long_lived=False)
    clock.advance(3600)
    expired_short = call(base, "/me", short)
    assert (error_of(expired_short)["code"], error_of(expired_short)["error_subcode"]) == (190, 463)
    assert call(base, "/me", token).status_code == 200
    clock.advance(SIXTY_DAYS)
    expired = call(base, "/me/media", token)
    assert expired.status_code == 400
    assert (error_of(expired)["code"], error_of(expired)["error_subcode"]) == (190, 463)
    assert error_of(call(base, "/me", None))["code"] == 104


def test_me_media_and_nodes_need_instagram_business_basic(base: str) -> None:
    with_basic = control_token(base)
    media_id = call(base, "/me/media", with_basic, limit=1).json()["data"][0]["id"]
    without = control_token(base, scopes=["instagram_business_manage_comments"])
    for path in ("/me", "/me/media", f"/{ALICE_SHOP}", f"/{media_id}"):
        response = call(base, path, without)
        assert response.status_code == 400, path
        assert error_of(response)["code"] == 10, path
        assert buc(response)  # counted: the token is valid


def test_every_answer_about_the_account_carries_its_buc_usage(base: str) -> None:
    token = control_token(base)
    budget = requests.post(
        base + CONTROL + "/budget", json={"account": "alice.shop", "calls": 10}, timeout=TIMEOUT
    )
    assert budget.json() == {"user_id": ALICE_SHOP, "calls": 10}
    counts = [buc(call(base, "/me", token))["call_count"] for _ in range(3)]
    assert counts == [10, 20, 30]
    failed = call(base, "/me/nowhere", token)
    assert failed.status_code == 400
    assert buc(failed)["call_count"] == 40


def test_over_budget_is_80002_until_the_hour_frees(small_budget: str, clock: FakeClock) -> None:
    token = control_token(small_budget)
    for _ in range(3):
        assert call(small_budget, "/me", token).status_code == 200
    over = call(small_budget, "/me/media", token)
    assert over.status_code == 400
    error = error_of(over)
    assert error["code"] == 80002 and error["is_transient"] is True
    usage = buc(over)
    assert usage["call_count"] == 100 and usage["estimated_time_to_regain_access"] > 0
    other = control_token(small_budget, "alice.studio")
    assert call(small_budget, "/me", other).status_code == 200  # per account
    clock.advance(3 * 3600)
    assert call(small_budget, "/me", token).status_code == 200


def test_budget_control_validates(base: str) -> None:
    bad = requests.post(
        base + CONTROL + "/budget", json={"account": "alice.shop", "calls": 0}, timeout=TIMEOUT
    )
    assert bad.status_code == 400
    unknown = requests.post(
        base + CONTROL + "/budget", json={"account": "nobody", "calls": 5}, timeout=TIMEOUT
    )
    assert unknown.status_code == 404
    personal = requests.post(base + CONTROL + "/token", json={"account": "alice"}, timeout=TIMEOUT)
    assert personal.status_code == 404


def test_versioned_token_endpoints_still_route(base: str) -> None:
    response = requests.get(base + "/instagram-graph/v25.0/refresh_access_token", timeout=TIMEOUT)
    assert response.status_code == 400
    assert error_of(response)["code"] == 100  # grant_type missing: the refresh endpoint answered
