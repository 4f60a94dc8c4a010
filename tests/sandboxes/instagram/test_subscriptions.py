"""Legacy real-time subscriptions: the callback check, create, list and delete, python-instagram style."""

from __future__ import annotations

import socket

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.callback_server import CallbackServer
from tests.sandboxes.instagram.conftest import CLIENT_ID, CLIENT_SECRET, TIMEOUT, subscribe

CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def error_of(response: requests.Response) -> tuple[int, str, str]:
    meta = response.json()["meta"]
    assert response.status_code == meta["code"] and "data" not in response.json()
    return meta["code"], meta["error_type"], meta["error_message"]


def location_id(sandbox: InstagramSandbox, name: str) -> str:
    return next(loc.id for loc in sandbox.world.locations if loc.name == name)


def test_tag_subscription_checks_the_callback_then_answers_the_subscription(
    base: str, callback: CallbackServer
) -> None:
    response = subscribe(base, callback.url(), "tag", object_id="#Sunset")

    assert response.status_code == 200
    assert response.json() == {
        "meta": {"code": 200},
        "data": {
            "object": "tag",
            "object_id": "sunset",
            "aspect": "media",
            "callback_url": callback.url(),
            "type": "subscription",
            "id": "1",
        },
    }
    (check,) = callback.checks
    assert check["hub.mode"] == "subscribe" and check["hub.verify_token"] == "vt-123"
    assert len(check["hub.challenge"]) == 32


def test_user_location_and_geography_subscriptions(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    user = subscribe(base, callback.url(), "user").json()["data"]
    place = location_id(sandbox, "Dolores Park")
    location = subscribe(base, callback.url(), "location", object_id=place).json()["data"]
    geo = subscribe(base, callback.url(), "geography", lat="35.657872", lng="139.70232", radius="1000")
    geography = geo.json()["data"]

    assert user["object"] == "user" and user["object_id"] is None
    assert (location["object"], location["object_id"]) == ("location", place)
    assert geography["object"] == "geography" and geography["object_id"] == "1" and geography["id"] == "3"
    assert [s.object for s in sandbox.subscriptions()] == ["user", "location", "geography"]
    assert sandbox.subscriptions()[2].radius == 1000.0


def test_same_subscription_again_is_the_same_one_but_geographies_are_new(
    base: str, callback: CallbackServer
) -> None:
    first = subscribe(base, callback.url(), "tag", object_id="sunset").json()["data"]["id"]
    again = subscribe(base, callback.url(), "tag", object_id="SUNSET").json()["data"]["id"]
    geo1 = subscribe(base, callback.url(), "geography", lat="1", lng="2").json()["data"]
    geo2 = subscribe(base, callback.url(), "geography", lat="1", lng="2").json()["data"]

    assert first == again
    assert geo1["id"] != geo2["id"] and geo1["object_id"] != geo2["object_id"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"challenge_reply": "not-the-challenge"}, "Challenge verification failed"),
        ({"challenge_status": 500}, "Invalid response"),
        ({"verify_token": "another-token"}, "Invalid response"),  # the callback refuses the token: 403
    ],
)
def test_a_callback_that_fails_the_check_is_refused(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer, setup: dict[str, object], message: str
) -> None:
    for name, value in setup.items():
        setattr(callback, name, value)

    response = subscribe(base, callback.url(), "tag", object_id="sunset")

    assert error_of(response) == (400, "APISubscriptionError", message)
    assert sandbox.subscriptions() == []


def test_an_unreachable_or_remote_callback_is_refused(base: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    for url in (closed, "https://example.com/hook"):
        assert error_of(subscribe(base, url, "tag", object_id="sunset")) == (
            400,
            "APISubscriptionError",
            f"Unable to reach callback URL {url}",
        )


def test_a_callback_slower_than_the_check_allows_is_refused(
    base: str, callback: CallbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("igbot_sandboxes.instagram.legacy.callbacks.VERIFY_TIMEOUT_SECONDS", 0.2)
    callback.challenge_delay = 0.6

    response = subscribe(base, callback.url(), "tag", object_id="sunset")

    assert error_of(response)[2] == f"Unable to reach callback URL {callback.url()}"


@pytest.mark.parametrize(
    ("fields", "message_part"),
    [
        ({"object": "hashtag"}, "object must be one of"),
        ({"aspect": "comments"}, "aspect must be media"),
        ({"object_id": ""}, "need object_id"),
        ({"object": "location", "object_id": "999"}, "invalid location id"),
        ({"object": "geography", "lat": "1"}, "numeric lat and lng"),
        ({"object": "geography", "lat": "1", "lng": "2", "radius": "5001"}, "at most 5000"),
        ({"object": "geography", "lat": "91", "lng": "2"}, "invalid lat or lng"),
        ({"callback_url": ""}, "Missing callback_url"),
    ],
)
def test_bad_parameters_are_subscription_errors(
    base: str, callback: CallbackServer, fields: dict[str, str], message_part: str
) -> None:
    data = {"object": "tag", "object_id": "sunset", "aspect": "media", "callback_url": callback.url()}
    data.update(fields)
    response = requests.post(f"{base}/v1/subscriptions", params=CREDENTIALS, data=data, timeout=TIMEOUT)

    code, error_type, message = error_of(response)
    assert (code, error_type) == (400, "APISubscriptionError") and message_part in message
    assert callback.checks == []  # refused before calling the callback


@pytest.mark.parametrize(
    "credentials",
    [
        {},
        {"client_id": CLIENT_ID},
        {"client_id": "other", "client_secret": CLIENT_SECRET},
        {"client_id": CLIENT_ID, "client_secret": "wrong"},
    ],
)
def test_subscriptions_need_the_client_id_and_its_secret(
    base: str, callback: CallbackServer, credentials: dict[str, str]
) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = requests.request(method, f"{base}/v1/subscriptions", params=credentials, timeout=TIMEOUT)
        assert error_of(response)[:2] == (400, "OAuthParameterException")


def test_every_field_as_a_form_field_like_the_docs_curl(base: str, callback: CallbackServer) -> None:
    fields = {**CREDENTIALS, "object": "user", "aspect": "media", "verify_token": "vt-123"}
    fields["callback_url"] = callback.url()
    files = {name: (None, value) for name, value in fields.items()}  # multipart, like curl -F

    response = requests.post(f"{base}/v1/subscriptions/", files=files, timeout=TIMEOUT)

    assert response.json()["data"]["object"] == "user"


def test_list_and_delete_by_id_object_and_all(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    tag = subscribe(base, callback.url(), "tag", object_id="sunset").json()["data"]["id"]
    subscribe(base, callback.url(), "tag", object_id="coffee")
    subscribe(base, callback.url(), "user")
    subscribe(base, callback.url(), "geography", lat="1", lng="2")
    url = f"{base}/v1/subscriptions"

    listed = requests.get(url, params=CREDENTIALS, timeout=TIMEOUT).json()
    assert listed["meta"] == {"code": 200} and [s["object"] for s in listed["data"]] == [
        "tag",
        "tag",
        "user",
        "geography",
    ]
    assert requests.delete(url, params={**CREDENTIALS, "id": tag}, timeout=TIMEOUT).json() == {
        "meta": {"code": 200},
        "data": None,
    }
    assert [s.object_id for s in sandbox.subscriptions() if s.object == "tag"] == ["coffee"]
    requests.delete(url, params={**CREDENTIALS, "object": "tag"}, timeout=TIMEOUT)
    assert [s.object for s in sandbox.subscriptions()] == ["user", "geography"]
    emulated = {**CREDENTIALS, "_method": "DELETE", "object": "all"}  # POST standing in for DELETE
    assert requests.post(url, data=emulated, timeout=TIMEOUT).json()["data"] is None
    assert requests.get(url, params=CREDENTIALS, timeout=TIMEOUT).json()["data"] == []


def test_delete_needs_an_id_or_a_known_object(base: str) -> None:
    url = f"{base}/v1/subscriptions"
    assert error_of(requests.delete(url, params=CREDENTIALS, timeout=TIMEOUT))[1] == "APISubscriptionError"
    bad = requests.delete(url, params={**CREDENTIALS, "object": "hashtag"}, timeout=TIMEOUT)
    assert error_of(bad)[1] == "APISubscriptionError"


def test_the_sandbox_control_lists_subscriptions_and_reset_forgets_them(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "geography", lat="37.7596", lng="-122.4269", radius="2500")

    (listed,) = requests.get(f"{base}/__sandbox__/subscriptions", timeout=TIMEOUT).json()["subscriptions"]
    assert listed["object"] == "geography" and listed["radius"] == 2500.0 and listed["lat"] == 37.7596
    requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT)
    assert sandbox.subscriptions() == []
    again = subscribe(base, callback.url(), "tag", object_id="sunset").json()["data"]
    assert again["id"] == "2"  # ids are never reused


def test_the_secret_is_redacted_in_the_request_log(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer
) -> None:
    subscribe(base, callback.url(), "tag", object_id="sunset")

    (entry,) = [e for e in sandbox.requests_log() if e["path"].startswith("/v1/subscriptions")]
    assert entry["query"]["client_secret"] == "[redacted]" and entry["status"] == 200
