"""Faults for the bot's defensive parsing, on the real wire: graph codes 24 and 10 on hashtag search,
arbitrary ``Retry-After`` / usage headers, and a v1 error envelope whose ``meta.code`` is not a number."""

from __future__ import annotations

import json

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, api, exchange
from tests.sandboxes.instagram.graph_helpers import BOBS_BAKERY, VERSION, error_of, graph

SEARCH = f"/graph/{VERSION}/ig_hashtag_search"
NOT_FOUND = "The requested resource does not exist"  # code 24's text (Meta: a hashtag that does not exist)
NO_PERMISSION = "(#10) Application does not have permission for this action"


def fault(base: str, **body: object) -> requests.Response:
    response = requests.post(f"{base}/__sandbox__/faults", json=body, timeout=TIMEOUT)
    return response


def without_trace(error: dict[str, object]) -> dict[str, object]:
    assert isinstance(error["fbtrace_id"], str) and error["fbtrace_id"]
    return {k: v for k, v in error.items() if k != "fbtrace_id"}


@pytest.mark.parametrize(
    ("code", "subcode", "message"),
    [(24, 2207024, NOT_FOUND), (10, None, NO_PERMISSION)],
)
def test_hashtag_search_faults_with_codes_24_and_10(
    base: str, sandbox: InstagramSandbox, code: int, subcode: int | None, message: str
) -> None:
    token = sandbox.issue_graph_token("bob")
    queued = fault(base, count=1, path_prefix=SEARCH, error_code=code, error_subcode=subcode)
    assert queued.json() == {"queued": 1, "pending": 1}
    response = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    expected: dict[str, object] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        expected["error_subcode"] = subcode
    assert without_trace(error_of(response)) == expected
    assert response.headers["x-fb-trace-id"] == error_of(response)["fbtrace_id"]
    assert sandbox.hashtags_searched("bobs_bakery") == []  # the faulted search was not counted
    ok = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert ok.status_code == 200 and ok.json()["data"]


def test_hashtag_search_fault_with_meta_wording(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    sandbox.inject_faults(
        1,
        path_prefix=SEARCH,
        error_code=24,
        error_subcode=2207024,
        error_message="The requested hashtag does not exist.",
        error_type="OAuthException",
    )
    response = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert (response.status_code, error_of(response)["message"]) == (
        400,
        "The requested hashtag does not exist.",
    )
    assert (error_of(response)["code"], error_of(response)["error_subcode"]) == (24, 2207024)


def test_graph_fault_headers_are_sent_as_given(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    odd_usage = '{"' + BOBS_BAKERY + '": [{"type": "instagram", "call_count": Infinity, "total_time": "x"}]}'
    queued = fault(
        base,
        count=1,
        status=429,
        error_code=4,
        path_prefix="/graph",
        headers={
            "Retry-After": "²",
            "X-Business-Use-Case-Usage": odd_usage,
            "X-App-Usage": {"call_count": "lots"},
        },
    )
    assert queued.status_code == 200, queued.text
    response = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert response.status_code == 429 and error_of(response)["code"] == 4
    assert response.headers["Retry-After"] == "²"
    assert response.headers["X-Business-Use-Case-Usage"] == odd_usage  # over the sandbox's own
    assert json.loads(response.headers["X-App-Usage"]) == {"call_count": "lots"}
    assert json.loads(response.headers["X-Business-Use-Case-Usage"])[BOBS_BAKERY][0]["call_count"] == float(
        "inf"
    )
    after = graph(base, "/ig_hashtag_search", token, user_id=BOBS_BAKERY, q="bread")
    assert "Retry-After" not in after.headers
    assert json.loads(after.headers["X-App-Usage"])["call_count"] >= 0  # the sandbox's own again


def test_headers_on_an_otherwise_normal_answer(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("bob")
    sandbox.inject_faults(
        1,
        status=None,
        path_prefix="/graph",
        headers={"X-App-Usage": '{"call_count": NaN}', "Retry-After": "soon"},
    )
    response = graph(base, "/me", token)
    assert response.status_code == 200 and response.json()["name"]
    assert response.headers["X-App-Usage"] == '{"call_count": NaN}'
    assert response.headers["Retry-After"] == "soon"
    sandbox.inject_faults(1, status=None, headers={"X-App-Usage": float("inf")})  # Python: json.dumps
    v1 = api(base, "/media/popular", client_id=CLIENT_ID)
    assert v1.status_code == 200 and v1.headers["X-App-Usage"] == "Infinity"


def test_legacy_fault_with_retry_after_and_non_numeric_meta_code(
    base: str, sandbox: InstagramSandbox
) -> None:
    token = sandbox.issue_token("alice")
    queued = fault(
        base,
        count=1,
        status=429,
        error_type="OAuthRateLimitException",
        error_message="The maximum number of requests per hour has been exceeded.",
        meta_code="abc",
        headers={"Retry-After": "²"},
    )
    assert queued.status_code == 200, queued.text
    response = api(base, "/users/self", access_token=token)
    assert response.status_code == 429 and response.headers["Retry-After"] == "²"
    assert response.json() == {
        "meta": {
            "code": "abc",
            "error_type": "OAuthRateLimitException",
            "error_message": "The maximum number of requests per hour has been exceeded.",
        }
    }
    assert "X-Ratelimit-Limit" in response.headers  # the sandbox's own headers stay
    assert api(base, "/users/self", access_token=token).json()["meta"] == {"code": 200}


@pytest.mark.parametrize("meta_code", [None, 4.5, [], {"x": 1}, "429"])
def test_meta_code_can_be_any_json(base: str, sandbox: InstagramSandbox, meta_code: object) -> None:
    sandbox.inject_faults(1, status=503, meta_code=meta_code)  # a 5xx with meta_code: enveloped, not nginx
    response = api(base, "/media/popular", client_id=CLIENT_ID)
    assert response.status_code == 503
    assert response.json()["meta"] == {
        "code": meta_code,
        "error_type": "APIError",
        "error_message": "Oops, an error occurred.",
    }


def test_flat_oauth_error_with_non_numeric_code(base: str, sandbox: InstagramSandbox) -> None:
    sandbox.inject_faults(1, status=400, error_type="OAuthException", meta_code="abc", path_prefix="/oauth")
    response = exchange(base, "whatever")
    assert response.status_code == 400
    assert response.json()["code"] == "abc" and response.json()["error_type"] == "OAuthException"


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "∞"}, {"Retry-After": "1\r\nX-Evil: 1"}, {"Bad Name": "1"}, {"": "1"}, ["Retry-After"]],
)
def test_headers_http_cannot_carry_are_refused(base: str, sandbox: InstagramSandbox, headers: object) -> None:
    response = fault(base, count=1, headers=headers)
    assert response.status_code == 400 and "bad fault" in response.json()["error"]
    assert sandbox.requests_log() == [] and requests.get(f"{base}/__sandbox__/users", timeout=TIMEOUT).ok
    if isinstance(headers, dict):
        with pytest.raises(ValueError):
            sandbox.inject_faults(1, headers=headers)
