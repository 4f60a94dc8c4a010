"""A Web API outage: every method answers 503 `service_unavailable`; response URLs keep working."""

from __future__ import annotations

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import TOKEN, FakeBot

OUTAGE = {"ok": False, "error": "service_unavailable"}


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def test_every_method_answers_503_while_down_and_nothing_is_posted(
    sandbox: SlackSandbox, client: WebClient
) -> None:
    assert sandbox.webapi_down is False
    sandbox.webapi_down = True

    for call in (
        lambda: client.chat_postMessage(channel="C0GENERAL", text="lost"),
        lambda: client.chat_postEphemeral(channel="C0GENERAL", user="U0BOB", text="lost"),
        lambda: client.auth_test(),
    ):
        with pytest.raises(SlackApiError) as down:
            call()
        assert (down.value.response.status_code, down.value.response.data) == (503, OUTAGE)
    wrong_token = requests.post(
        f"{sandbox.api_url}auth.test", headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert (wrong_token.status_code, wrong_token.json()) == (503, OUTAGE)  # before any token check

    assert sandbox.messages() == []
    calls = sandbox.api_calls()
    assert [(c.method, c.status, c.error) for c in calls] == [
        ("chat.postMessage", 503, "service_unavailable"),
        ("chat.postEphemeral", 503, "service_unavailable"),
        ("auth.test", 503, "service_unavailable"),
        ("auth.test", 503, "service_unavailable"),
    ]
    assert all("token" not in c.params for c in calls)

    sandbox.webapi_down = False
    assert client.chat_postMessage(channel="C0GENERAL", text="back")["ok"]
    assert [m.text for m in sandbox.messages()] == ["back"] and sandbox.api_calls()[-1].status == 200


def test_response_urls_keep_working_during_an_outage(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    url = sandbox.send_command(text="help").response_url
    sandbox.webapi_down = True

    answer = requests.post(url, json={"text": "still here"}, timeout=5)

    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    assert [m.text for m in sandbox.messages()] == ["still here"]


def test_faults_control(sandbox: SlackSandbox, client: WebClient) -> None:
    faults = f"{sandbox.base_url}/__sandbox__/faults"
    assert requests.get(faults, timeout=5).json() == {"webapi": "up"}

    down = requests.post(faults, json={"webapi": "down"}, timeout=5)
    assert (down.status_code, down.json()) == (200, {"ok": True, "webapi": "down"})
    assert sandbox.webapi_down is True and requests.get(faults, timeout=5).json() == {"webapi": "down"}
    with pytest.raises(SlackApiError):
        client.auth_test()

    bad = requests.post(faults, json={"webapi": "sideways"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["ok"] is False and sandbox.webapi_down is True

    up = requests.post(faults, json={"webapi": "up"}, timeout=5)
    assert up.json() == {"ok": True, "webapi": "up"} and client.auth_test()["ok"]


def test_reset_brings_the_web_api_back(sandbox: SlackSandbox, client: WebClient) -> None:
    sandbox.webapi_down = True
    requests.post(f"{sandbox.base_url}/__sandbox__/reset", timeout=5)
    assert sandbox.webapi_down is False and client.auth_test()["ok"]
