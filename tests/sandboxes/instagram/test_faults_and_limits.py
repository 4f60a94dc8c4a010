"""Injected faults, token revocation, rate limiting, reset, the request log and the HTTP controls."""

from __future__ import annotations

import json

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import (
    CLIENT_ID,
    REDIRECT_URI,
    TIMEOUT,
    FakeClock,
    api,
    exchange,
    get_code,
)


def test_status_fault_with_error_type(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_token("alice")
    sandbox.inject_faults(2, status=400, error_type="APIError", error_message="Client request limit reached")
    for _ in range(2):
        response = api(base, "/users/self", access_token=token)
        assert response.status_code == 400
        assert response.json() == {
            "meta": {"code": 400, "error_type": "APIError", "error_message": "Client request limit reached"}
        }
    assert api(base, "/users/self", access_token=token).status_code == 200


def test_5xx_fault_answers_like_nginx(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=502)
    response = api(base, "/media/popular", client_id=CLIENT_ID)
    assert response.status_code == 502
    assert "text/html" in response.headers["Content-Type"]
    assert "502 Bad Gateway" in response.text


def test_fault_default_error_type(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=429)
    meta = api(base, "/media/popular", client_id=CLIENT_ID).json()["meta"]
    assert (meta["code"], meta["error_type"]) == (429, "OAuthRateLimitException")


def test_latency_fault_times_out_a_client(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=None, latency_ms=2000)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api(base, "/media/popular", timeout=(2, 0.2), client_id=CLIENT_ID)
    sandbox.reset()  # wakes the sleeping request
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 200


def test_short_latency_then_normal_answer(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=None, latency_ms=50)
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 200


def test_malformed_body(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, malformed=True)
    response = api(base, "/media/popular", client_id=CLIENT_ID)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_fault_on_token_endpoint_is_flat_and_leaves_v1_alone(base: str, sandbox: InstagramSandbox) -> None:
    code = get_code(base)
    sandbox.inject_faults(
        1, status=400, error_type="OAuthException", error_message="boom", path_prefix="/oauth"
    )
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 200
    response = exchange(base, code)
    assert response.json() == {"code": 400, "error_type": "OAuthException", "error_message": "boom"}
    assert exchange(base, code).status_code == 200  # the code was not consumed by the fault


def test_faults_over_http_control(base: str) -> None:
    response = requests.post(f"{base}/__sandbox__/faults", json={"count": 1, "status": 503}, timeout=TIMEOUT)
    assert response.json() == {"queued": 1, "pending": 1}
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 503
    bad = requests.post(f"{base}/__sandbox__/faults", json={"status": 503}, timeout=TIMEOUT)
    assert bad.status_code == 400


def test_revocation(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_token("alice")
    other = sandbox.issue_token("bob")
    assert api(base, "/users/self", access_token=token).status_code == 200
    assert sandbox.revoke(username="alice") == 1
    meta = api(base, "/users/self", access_token=token).json()["meta"]
    assert meta == {
        "code": 400,
        "error_type": "OAuthAccessTokenException",
        "error_message": "The access_token provided is invalid.",
    }
    assert api(base, "/users/self", access_token=other).status_code == 200
    response = requests.post(f"{base}/__sandbox__/revoke", json={"access_token": other}, timeout=TIMEOUT)
    assert response.json() == {"revoked": 1}
    assert api(base, "/users/self", access_token=other).status_code == 400


def test_rate_limit_counts_down_then_429(clock: FakeClock) -> None:
    sandbox = InstagramSandbox(rate_limit_per_hour=3, clock=clock)
    server = sandbox.start()
    try:
        token = sandbox.issue_token("alice")
        remaining = []
        for _ in range(3):
            response = api(server.url, "/users/self", access_token=token)
            assert response.status_code == 200
            assert response.headers["X-Ratelimit-Limit"] == "3"
            remaining.append(response.headers["X-Ratelimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        over = api(server.url, "/users/self", access_token=token)
        assert over.status_code == 429
        assert over.headers["X-Ratelimit-Remaining"] == "0"
        assert over.json()["meta"] == {
            "code": 429,
            "error_type": "OAuthRateLimitException",
            "error_message": "The maximum number of requests per hour has been exceeded. "
            "You have made 4 requests of the 3 allowed in the last hour.",
        }
        # other keys count separately; controls are never limited
        assert api(server.url, "/media/popular", client_id=CLIENT_ID).status_code == 200
        assert requests.get(f"{server.url}/__sandbox__/requests", timeout=TIMEOUT).status_code == 200
        clock.advance(3601)  # the sliding window moves on
        assert api(server.url, "/users/self", access_token=token).headers["X-Ratelimit-Remaining"] == "2"
    finally:
        server.stop()


def test_reset_restores_the_seeded_world(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_token("alice")
    before = sandbox.follows_of("alice")
    dan = sandbox.world.user_by_username("dan_the_man")
    assert dan is not None
    api(base, f"/users/{dan.id}/relationship", "POST", {"action": "follow"}, access_token=token)
    sandbox.inject_faults(5)
    assert sandbox.follows_of("alice") != before
    assert requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT).json() == {"ok": True}
    assert sandbox.follows_of("alice") == before
    assert api(base, "/media/popular", client_id=CLIENT_ID).status_code == 200
    assert api(base, "/users/self", access_token=token).status_code == 400


def test_request_log_redacts_secrets_but_keeps_redirect_uri(base: str, sandbox: InstagramSandbox) -> None:
    code = get_code(base)
    token = exchange(base, code).json()["access_token"]
    api(base, "/users/self", access_token=token)
    requests.get(f"{base}/__sandbox__/follows", params={"username": "alice"}, timeout=TIMEOUT)
    log = sandbox.requests_log()
    text = json.dumps(log)
    assert code not in text
    assert token not in text
    assert "sandbox-client-secret" not in text
    exchange_entry = next(e for e in log if e["path"] == "/oauth/access_token")
    assert exchange_entry["form"]["client_secret"] == "[redacted]"
    assert exchange_entry["form"]["code"] == "[redacted]"
    assert exchange_entry["form"]["redirect_uri"] == REDIRECT_URI
    assert exchange_entry["status"] == 200
    assert log[-1]["query"]["access_token"] == "[redacted]"
    assert not any(e["path"].startswith("/__sandbox__") for e in log)
    over_http = requests.get(f"{base}/__sandbox__/requests", timeout=TIMEOUT).json()["requests"]
    assert [e["path"] for e in over_http] == [e["path"] for e in log]


def test_tokens_control_issues_a_working_token(base: str) -> None:
    response = requests.post(
        f"{base}/__sandbox__/tokens", json={"username": "bob", "scope": "basic"}, timeout=TIMEOUT
    )
    body = response.json()
    assert body["user"]["username"] == "bob"
    assert api(base, "/users/self", access_token=body["access_token"]).json()["data"]["username"] == "bob"
    bad = requests.post(f"{base}/__sandbox__/tokens", json={"username": "nobody"}, timeout=TIMEOUT)
    assert bad.status_code == 400


def test_controls_are_not_faulted(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=500, path_prefix="/")
    assert requests.get(f"{base}/__sandbox__/users", timeout=TIMEOUT).status_code == 200
    assert requests.get(f"{base}/", timeout=TIMEOUT).status_code == 500
