"""chat.postMessage where feeds post: not_in_channel, channel_not_found, is_archived, and Slack's
per-channel posting rate (HTTP 429 ratelimited with Retry-After)."""

from __future__ import annotations

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeClock


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def error_of(call: object) -> str:
    assert callable(call)
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def post(client: WebClient, channel: str = "C0GENERAL", text: str = "new post") -> object:
    return lambda: client.chat_postMessage(channel=channel, text=text)


def test_a_public_channel_the_bot_left_answers_not_in_channel(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    sandbox.set_bot_member("C0GENERAL", False)

    assert error_of(post(client)) == "not_in_channel"
    assert sandbox.messages(channel_id="C0GENERAL") == []
    assert client.conversations_info(channel="C0GENERAL")["channel"]["is_member"] is False
    sandbox.set_bot_member("C0GENERAL", True)
    assert client.chat_postMessage(channel="C0GENERAL", text="back")["ok"]


def test_chat_write_public_lets_the_bot_post_where_it_is_not_a_member(clock: FakeClock) -> None:
    scopes = ("commands", "chat:write", "chat:write.public")
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, clock=clock, bot_scopes=scopes)
    sb.start()
    try:
        client = WebClient(token=TOKEN, base_url=sb.api_url)
        sb.set_bot_member("C0GENERAL", False)
        answer = client.chat_postMessage(channel="C0GENERAL", text="hi")
        assert answer["ok"] and answer.headers["X-OAuth-Scopes"] == ",".join(scopes)
        assert error_of(post(client, "G0PRIVATE")) == "channel_not_found"  # private: membership still needed
    finally:
        sb.stop()


def test_the_default_scopes_are_igbots_manifest(client: WebClient) -> None:
    assert client.auth_test().headers["X-OAuth-Scopes"] == "commands,chat:write"


def test_private_channels_and_unknown_ids_answer_channel_not_found(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    sandbox.set_bot_member("G0PRIVATE", True)
    assert client.chat_postMessage(channel="G0PRIVATE", text="invited")["ok"]
    sandbox.set_bot_member("G0PRIVATE", False)

    assert error_of(post(client, "G0PRIVATE")) == "channel_not_found"
    assert error_of(post(client, "C0DELETED")) == "channel_not_found"


def test_an_archived_channel_answers_is_archived_until_unarchived(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    sandbox.set_archived("C0RANDOM", True)

    assert error_of(post(client, "C0RANDOM")) == "is_archived"
    assert (
        error_of(lambda: client.chat_postEphemeral(channel="C0RANDOM", user="U0ALICE", text="x"))
        == "is_archived"
    )
    assert client.conversations_info(channel="C0RANDOM")["channel"]["is_archived"] is True
    sandbox.set_archived("C0RANDOM", False)
    assert client.chat_postMessage(channel="C0RANDOM", text="open again")["ok"]


def test_the_channels_control_and_reset_undo(sandbox: SlackSandbox, client: WebClient) -> None:
    url = f"{sandbox.base_url}/__sandbox__/channels"

    left = requests.post(url, json={"channel_id": "C0GENERAL", "bot_member": False}, timeout=5).json()
    archived = requests.post(url, json={"channel_id": "C0RANDOM", "archived": True}, timeout=5).json()

    assert left["ok"] and "U0IGBOT" not in left["channel"]["members"]
    assert archived["channel"]["is_archived"] is True
    assert requests.post(url, json={"channel_id": "C0NOPE", "archived": True}, timeout=5).status_code == 404
    assert (
        requests.post(url, json={"channel_id": "C0GENERAL", "archived": "yes"}, timeout=5).status_code == 400
    )
    assert requests.post(url, json={"channel_id": "C0GENERAL"}, timeout=5).status_code == 400
    requests.post(f"{sandbox.base_url}/__sandbox__/reset", timeout=5)
    assert client.chat_postMessage(channel="C0GENERAL", text="a")["ok"]
    assert client.chat_postMessage(channel="C0RANDOM", text="b")["ok"]


def test_a_burst_then_one_message_per_second_per_channel(
    sandbox: SlackSandbox, client: WebClient, clock: FakeClock
) -> None:
    for n in range(5):
        client.chat_postMessage(channel="C0GENERAL", text=f"burst {n}")

    raw = requests.post(
        f"{sandbox.api_url}chat.postMessage",
        data={"channel": "C0GENERAL", "text": "one too many"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert (raw.status_code, raw.json(), raw.headers["Retry-After"]) == (
        429,
        {"ok": False, "error": "ratelimited"},
        "1",
    )
    assert client.chat_postMessage(channel="C0RANDOM", text="another channel")["ok"]
    clock.advance(1.0)
    assert client.chat_postMessage(channel="C0GENERAL", text="a second later")["ok"]
    assert error_of(post(client)) == "ratelimited"
    refused = [c for c in sandbox.api_calls("chat.postMessage") if c.error == "ratelimited"]
    assert [c.status for c in refused] == [429, 429]
    assert len(sandbox.messages(channel_id="C0GENERAL")) == 6


def test_slack_sdks_rate_limit_retry_handler_waits_and_posts(
    sandbox: SlackSandbox, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.set_post_rate(1.0, burst=1)
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the handler sleeps Retry-After (+ jitter): move the clock instead
        waits.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", sleep)
    handler = RateLimitErrorRetryHandler(max_retry_count=2)  # what igbot's WebClient uses
    client = WebClient(token=TOKEN, base_url=sandbox.api_url, retry_handlers=[handler])
    client.chat_postMessage(channel="C0GENERAL", text="first")

    assert client.chat_postMessage(channel="C0GENERAL", text="second")["ok"]
    assert len(waits) == 1 and 1.0 <= waits[0] < 2.0
    assert [c.status for c in sandbox.api_calls("chat.postMessage")] == [200, 429, 200]


def test_the_rate_is_configurable_and_can_be_turned_off(sandbox: SlackSandbox, client: WebClient) -> None:
    config = f"{sandbox.base_url}/__sandbox__/config"

    answer = requests.post(config, json={"post_rate_per_channel": None}, timeout=5).json()
    assert answer["post_rate_per_channel"] is None and answer["post_burst"] == 5
    for n in range(20):
        client.chat_postMessage(channel="C0GENERAL", text=f"unlimited {n}")
    answer = requests.post(config, json={"post_rate_per_channel": 0.5, "post_burst": 2}, timeout=5).json()
    assert (answer["post_rate_per_channel"], answer["post_burst"]) == (0.5, 2)
    post(client)()
    post(client)()
    with pytest.raises(SlackApiError) as caught:
        post(client)()
    assert caught.value.response.headers["Retry-After"] == "2"
    for bad in ({"post_burst": 0}, {"post_rate_per_channel": -1}, {"post_rate_per_channel": "fast"}):
        assert requests.post(config, json=bad, timeout=5).status_code == 400
    scopes = requests.post(config, json={"bot_scopes": "commands,chat:write,chat:write.public"}, timeout=5)
    assert scopes.json()["bot_scopes"] == ["commands", "chat:write", "chat:write.public"]


def test_a_sandbox_without_a_rate_limit(clock: FakeClock) -> None:
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, clock=clock, post_rate_per_channel=None)
    sb.start()
    try:
        client = WebClient(token=TOKEN, base_url=sb.api_url)
        assert all(client.chat_postMessage(channel="C0GENERAL", text=str(n))["ok"] for n in range(12))
    finally:
        sb.stop()
