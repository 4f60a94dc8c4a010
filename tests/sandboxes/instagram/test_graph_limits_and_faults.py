"""Graph mode's usage headers, per-account rate limit (80002), token expiry and revocation (190),
injected faults with graph codes, the request log and the HTTP controls."""

from __future__ import annotations

import json

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, FakeClock, api
from tests.sandboxes.instagram.graph_helpers import (
    ALICE_SHOP,
    BOBS_BAKERY,
    error_of,
    exchange_code,
    exchange_short,
    graph,
    graph_code,
)


def usage(response: requests.Response, account: str) -> dict[str, int]:
    header = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert list(header) == [account]
    (entry,) = header[account]
    assert entry["type"] == "instagram"
    assert set(entry) == {
        "type",
        "call_count",
        "total_cputime",
        "total_time",
        "estimated_time_to_regain_access",
    }
    return {k: v for k, v in entry.items() if k != "type"}


def test_usage_headers(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    me = graph(base, "/me", token)
    app_usage = json.loads(me.headers["X-App-Usage"])
    assert set(app_usage) == {"call_count", "total_cputime", "total_time"}
    assert "X-Business-Use-Case-Usage" not in me.headers
    assert me.headers["facebook-api-version"] == "v25.0"
    node = graph(base, f"/{BOBS_BAKERY}", token, fields="username")
    assert usage(node, BOBS_BAKERY)["estimated_time_to_regain_access"] == 0
    search = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert "X-Business-Use-Case-Usage" in search.headers
    error = graph(base, f"/{BOBS_BAKERY}", "EAAbogus")  # errors carry the headers too
    assert "X-App-Usage" in error.headers and error.headers["x-fb-trace-id"] == error_of(error)["fbtrace_id"]
    token_endpoint = exchange_code(base, "nope")
    assert "X-App-Usage" in token_endpoint.headers


def test_app_usage_grows_with_calls(clock: FakeClock) -> None:
    sandbox = InstagramSandbox(clock=clock)
    server = sandbox.start()
    try:
        token = sandbox.issue_graph_token("bob")
        counts = [
            json.loads(graph(server.url, "/me", token).headers["X-App-Usage"])["call_count"] for _ in range(4)
        ]
        assert counts == [0, 1, 1, 2]  # 200 calls per app user per hour = 100 %
    finally:
        server.stop()


def test_rate_limit_per_instagram_account(clock: FakeClock) -> None:
    sandbox = InstagramSandbox(clock=clock, graph_rate_limit_per_hour=3)
    server = sandbox.start()
    try:
        token = sandbox.issue_graph_token("alice")
        calls = []
        for _ in range(3):
            response = graph(server.url, f"/{ALICE_SHOP}", token, fields="id")
            assert response.status_code == 200
            calls.append(usage(response, ALICE_SHOP)["call_count"])
            clock.advance(600)
        assert calls == [33, 66, 100]
        over = graph(server.url, f"/{ALICE_SHOP}/media", token)
        assert over.status_code == 400
        error = error_of(over)
        assert error["code"] == 80002
        assert "too many calls to this Instagram account" in error["message"]
        # refused calls count too: the next call fits once the two oldest have left the hour (40 min)
        assert usage(over, ALICE_SHOP)["estimated_time_to_regain_access"] == 40
        again = graph(server.url, f"/{ALICE_SHOP}", token)  # more calls extend the block
        assert (again.status_code, usage(again, ALICE_SHOP)["estimated_time_to_regain_access"]) == (400, 50)
        assert graph(server.url, "/me", token).status_code == 200  # not about an IG account
        other = graph(server.url, "/17841400000000012", token, fields="id")
        assert other.status_code == 200  # counted per account
        clock.advance(3600)
        assert graph(server.url, f"/{ALICE_SHOP}", token).status_code == 200
    finally:
        server.stop()


def test_expire_and_revoke_graph_tokens(base: str, sandbox: InstagramSandbox) -> None:
    alice, bob, carol = (sandbox.issue_graph_token(n) for n in ("alice", "bob", "carol.private"))
    assert sandbox.expire_graph_tokens(username="alice") == 1
    expired = error_of(graph(base, "/me", alice))
    assert (expired["code"], expired["error_subcode"]) == (190, 463)
    v1_token = sandbox.issue_token("bob")
    assert (
        sandbox.revoke(username="bob") == 2
    )  # the v1 token of IG user bob and the graph token of FB user bob
    revoked = graph(base, f"/{BOBS_BAKERY}", bob)
    assert revoked.status_code == 400
    assert (error_of(revoked)["code"], error_of(revoked)["error_subcode"]) == (190, 460)
    assert "WWW-Authenticate" in revoked.headers
    assert api(base, "/users/self", access_token=v1_token).status_code == 400
    assert sandbox.revoke_graph_tokens(access_token=carol, subcode=467) == 1
    assert error_of(graph(base, "/me", carol))["error_subcode"] == 467
    assert sandbox.revoke_graph_tokens(username="nobody") == 0


def test_graph_controls_over_http(base: str) -> None:
    issued = requests.post(
        f"{base}/__sandbox__/graph/tokens", json={"username": "bob"}, timeout=TIMEOUT
    ).json()
    assert issued["expires_in"] == 5183944 and issued["user"]["username"] == "bob"
    token = issued["access_token"]
    assert graph(base, "/me", token).status_code == 200
    short = requests.post(
        f"{base}/__sandbox__/graph/tokens", json={"username": "bob", "long_lived": False}, timeout=TIMEOUT
    ).json()
    assert exchange_short(base, short["access_token"]).status_code == 200
    bad = requests.post(f"{base}/__sandbox__/graph/tokens", json={"username": "zed"}, timeout=TIMEOUT)
    assert bad.status_code == 400
    expired = requests.post(f"{base}/__sandbox__/graph/expire", json={"access_token": token}, timeout=TIMEOUT)
    assert expired.json() == {"expired": 1}
    assert error_of(graph(base, "/me", token))["error_subcode"] == 463
    revoked = requests.post(f"{base}/__sandbox__/graph/revoke", json={"username": "bob"}, timeout=TIMEOUT)
    assert revoked.json() == {"revoked": 2}  # the exchanged short one and its long one; expired stays expired
    assert error_of(graph(base, "/me", token))["error_subcode"] == 463
    assert requests.post(f"{base}/__sandbox__/revoke", json={}, timeout=TIMEOUT).json() == {"revoked": 0}
    listing = requests.get(f"{base}/__sandbox__/graph/accounts", timeout=TIMEOUT).json()
    alice = next(u for u in listing["facebook_users"] if u["username"] == "alice")
    assert [p["instagram_business_account"]["username"] for p in alice["pages"]] == [
        "alice.shop",
        "alice.studio",
    ]
    assert len(listing["professional_accounts"]) >= 10
    one = requests.get(
        f"{base}/__sandbox__/graph/accounts", params={"username": "carol.private"}, timeout=TIMEOUT
    )
    assert one.json()["facebook_users"][0]["pages"][0]["instagram_business_account"] is None
    tags = requests.get(f"{base}/__sandbox__/graph/hashtags", timeout=TIMEOUT).json()["hashtags"]
    assert len(tags) >= 40 and all(t["media_count"] > 0 for t in tags)


@pytest.mark.parametrize(
    ("code", "status"),
    [(190, 400), (4, 400), (17, 400), (200, 400), (80002, 400), (1, 500), (2, 500)],
)
def test_faults_with_graph_codes(base: str, sandbox: InstagramSandbox, code: int, status: int) -> None:
    token = sandbox.issue_graph_token("bob")
    sandbox.inject_faults(1, error_code=code, path_prefix="/graph")
    response = graph(base, f"/{BOBS_BAKERY}", token)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert graph(base, f"/{BOBS_BAKERY}", token).status_code == 200


def test_fault_details_and_defaults(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    sandbox.inject_faults(
        1, status=403, error_code=190, error_subcode=460, error_message="gone", path_prefix="/graph"
    )
    response = graph(base, "/me", token)
    assert response.status_code == 403
    assert {k: v for k, v in error_of(response).items() if k != "fbtrace_id"} == {
        "message": "gone",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 460,
    }
    sandbox.inject_faults(1, status=503, path_prefix="/graph")
    unavailable = graph(base, "/me", token)
    assert unavailable.status_code == 503 and error_of(unavailable)["code"] == 2
    sandbox.inject_faults(1, malformed=True, path_prefix="/graph")
    with pytest.raises(json.JSONDecodeError):
        json.loads(graph(base, "/me", token).text)
    sandbox.inject_faults(1, status=500, path_prefix="/v1")  # v1 faults leave graph alone
    assert graph(base, "/me", token).status_code == 200
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 500


def test_fault_on_token_endpoint_keeps_the_code(base: str, sandbox: InstagramSandbox) -> None:
    code = graph_code(base)
    response = requests.post(
        f"{base}/__sandbox__/faults",
        json={"count": 1, "error_code": 2, "path_prefix": "/graph/v25.0/oauth"},
        timeout=TIMEOUT,
    )
    assert response.json() == {"queued": 1, "pending": 1}
    failed = exchange_code(base, code)
    assert (failed.status_code, error_of(failed)["code"]) == (500, 2)
    assert exchange_code(base, code).status_code == 200
    sandbox.inject_faults(1, status=500, path_prefix="/facebook")
    page = requests.get(f"{base}/facebook/v25.0/dialog/oauth", timeout=TIMEOUT)
    assert page.status_code == 500 and "text/html" in page.headers["Content-Type"]


def test_request_log_redacts_graph_secrets(base: str, sandbox: InstagramSandbox) -> None:
    code = graph_code(base)
    short = exchange_code(base, code).json()["access_token"]
    long = exchange_short(base, short).json()["access_token"]
    graph(base, "/me/accounts", long)
    text = json.dumps(sandbox.requests_log())
    for secret in (code, short, long, "sandbox-client-secret"):
        assert secret not in text
    entries = [e for e in sandbox.requests_log() if e["path"] == "/graph/v25.0/oauth/access_token"]
    assert entries[1]["query"]["fb_exchange_token"] == "[redacted]"
    assert entries[0]["query"]["code"] == "[redacted]"
    assert sandbox.requests_log()[-1]["query"]["access_token"] == "[redacted]"


def test_reset_forgets_graph_state(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    assert graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread").status_code == 200
    assert sandbox.hashtags_searched("bobs_bakery") == ["bread"]
    sandbox.reset()
    assert sandbox.hashtags_searched("bobs_bakery") == []
    assert error_of(graph(base, "/me", token))["code"] == 190
