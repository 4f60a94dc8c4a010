"""App Home of the Slack stand-in: views.publish, app_home_opened and clicks in the Home tab."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import TOKEN, FakeBot

HOME = {
    "type": "home",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Not connected"}},
        {
            "type": "actions",
            "block_id": "link",
            "elements": [
                {
                    "type": "button",
                    "action_id": "home_connect",
                    "text": {"type": "plain_text", "text": "Connect"},
                    "value": "v1",
                }
            ],
        },
    ],
}


def _client(sb: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sb.api_url)


def test_views_publish_stores_the_home_view_with_hash(sandbox: SlackSandbox) -> None:
    answer = _client(sandbox).views_publish(user_id="U0ALICE", view=HOME)
    view = answer["view"]
    assert view["type"] == "home" and view["id"].startswith("V") and view["hash"]
    stored = sandbox.home_view("T0SANDBOX", "U0ALICE")
    assert stored is not None and stored.id == view["id"] and stored.hash == view["hash"]
    again = _client(sandbox).views_publish(user_id="U0ALICE", view=json.dumps(HOME), hash=view["hash"])
    assert again["view"]["id"] == view["id"] and again["view"]["hash"] != view["hash"]
    with pytest.raises(SlackApiError) as err:
        _client(sandbox).views_publish(user_id="U0ALICE", view=HOME, hash=view["hash"])  # stale
    assert err.value.response["error"] == "hash_conflict"
    assert sandbox.home_view("T0OTHER", "U0ALICE") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"user_id": "U0NOBODY", "view": HOME}, "invalid `user_id`"),
        ({"user_id": "U0ALICE", "view": {**HOME, "type": "modal"}}, "must be 'home'"),
        (
            {"user_id": "U0ALICE", "view": {"type": "home", "blocks": [{"type": "nope"}]}},
            "json-pointer:/view/blocks/0",
        ),
    ],
)
def test_views_publish_refuses_like_slack(sandbox: SlackSandbox, args: dict[str, Any], message: str) -> None:
    with pytest.raises(SlackApiError) as err:
        _client(sandbox).views_publish(**args)
    assert err.value.response["error"] == "invalid_arguments"
    assert message in " ".join(err.value.response["response_metadata"]["messages"])


def test_app_home_opened_carries_the_dm_and_the_view(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    first = sandbox.open_app_home("T0SANDBOX", "U0BOB")
    event = first.event
    assert first.delivered and event["type"] == "app_home_opened" and event["tab"] == "home"
    assert event["user"] == "U0BOB" and event["channel"].startswith("D") and "view" not in event
    _client(sandbox).views_publish(user_id="U0BOB", view=HOME)
    second = sandbox.open_app_home("T0SANDBOX", "U0BOB")
    assert second.event["view"]["type"] == "home" and second.event["channel"] == event["channel"]
    assert json.loads(fake_bot.received[-1].body)["event"]["view"]["id"] == second.event["view"]["id"]
    assert sandbox.open_app_home("T0SANDBOX", "U0ALICE").event["channel"] == "D0ALICE"


def test_clicking_a_home_button_sends_block_actions_from_the_view(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    with pytest.raises(ValueError, match="no home view"):
        sandbox.click_home_button("T0SANDBOX", "U0ALICE", "home_connect")
    view = _client(sandbox).views_publish(user_id="U0ALICE", view=HOME)["view"]
    with pytest.raises(ValueError, match="no button"):
        sandbox.click_home_button("T0SANDBOX", "U0ALICE", "nope")
    result = sandbox.click_home_button("T0SANDBOX", "U0ALICE", "home_connect")
    assert result.ok
    payload = json.loads(fake_bot.received[-1].form()["payload"])
    assert payload["type"] == "block_actions" and payload["container"] == {
        "type": "view",
        "view_id": view["id"],
    }
    assert payload["view"]["type"] == "home" and payload["view"]["id"] == view["id"]
    assert payload["trigger_id"] and "response_url" not in payload
    assert payload["actions"][0]["action_id"] == "home_connect" and payload["actions"][0]["value"] == "v1"
    sandbox.click_home_button("T0SANDBOX", "U0ALICE", "home_connect", value="other")
    assert json.loads(fake_bot.received[-1].form()["payload"])["actions"][0]["value"] == "other"


def test_home_controls_for_the_console(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    base = f"{sandbox.base_url}/__sandbox__"
    assert requests.get(f"{base}/home", params={"user_id": "U0ALICE"}, timeout=5).json() == {"view": None}
    _client(sandbox).views_publish(user_id="U0ALICE", view=HOME)
    home = requests.get(f"{base}/home", params={"user_id": "U0ALICE"}, timeout=5).json()["view"]
    assert home["view"]["blocks"][1]["elements"][0]["action_id"] == "home_connect"
    opened = requests.post(f"{base}/app_home_opened", json={"user_id": "U0ALICE"}, timeout=5).json()
    assert opened["delivered"] is True
    clicked = requests.post(
        f"{base}/home_click", json={"user_id": "U0ALICE", "action_id": "home_connect"}, timeout=5
    )
    assert clicked.json()["status"] == 200
    assert requests.post(f"{base}/home_click", json={"action_id": "x"}, timeout=5).status_code == 400
