"""Response URLs: 5 posts within 30 minutes, ephemeral by default, invalid messages refused."""

from __future__ import annotations

import pytest
import requests

from igbot_sandboxes.slack import SlackSandbox
from tests.sandboxes.slack.helpers import FakeBot, FakeClock


def test_five_posts_then_used_url(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    url = sandbox.send_command(text="help").response_url

    answers = [requests.post(url, json={"text": f"reply {i}"}, timeout=5) for i in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert answers[0].json() == {"ok": True}
    assert answers[5].json() == {"ok": False, "error": "used_url"}
    assert answers[5].headers["Content-Type"] == "application/json"
    assert [m.text for m in sandbox.messages()] == [f"reply {i}" for i in range(5)]


def test_expires_after_thirty_minutes(sandbox: SlackSandbox, fake_bot: FakeBot, clock: FakeClock) -> None:
    url = sandbox.send_command(text="help").response_url
    clock.advance(30 * 60 - 1)
    assert requests.post(url, json={"text": "just in time"}, timeout=5).status_code == 200

    clock.advance(2)
    late = requests.post(url, json={"text": "too late"}, timeout=5)

    assert (late.status_code, late.json()) == (404, {"ok": False, "error": "expired_url"})
    spent = requests.post(url, json={"text": "still too late"}, timeout=5)
    assert (spent.status_code, spent.json()["error"]) == (404, "expired_url")
    assert [m.text for m in sandbox.messages()] == ["just in time"]


def test_reply_is_ephemeral_to_the_invoker_unless_in_channel(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    url = sandbox.send_command(text="me", user_id="U0DAN", channel_id="C0RANDOM").response_url
    requests.post(url, json={"text": "private"}, timeout=5)
    requests.post(url, json={"text": "public", "response_type": "in_channel"}, timeout=5)
    requests.post(url, data={"payload": '{"text": "as form", "replace_original": true}'}, timeout=5)

    private, public, form = sandbox.messages(channel_id="C0RANDOM")
    assert private.ephemeral and private.user_id == "U0DAN" and private.response_type == "ephemeral"
    assert not public.ephemeral and public.response_type == "in_channel" and public.user_id == "U0DAN"
    assert form.text == "as form" and form.replace_original and form.source == "response_url"


def test_invalid_message_is_recorded_and_refused(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    url = sandbox.send_command(text="popular").response_url
    bad = {"text": "photos", "blocks": [{"type": "image", "image_url": "https://cdn.example/p.jpg"}]}

    answer = requests.post(url, json=bad, timeout=5)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_blocks"
    assert answer.json()["errors"] == ["invalid_blocks: [blocks[0].alt_text] missing required field"]
    (recorded,) = sandbox.messages()
    assert not recorded.valid and recorded.errors == answer.json()["errors"]
    assert requests.post(url, json={"text": "fixed"}, timeout=5).status_code == 200  # refusals cost no use


def test_unknown_or_malformed_posts(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    unknown = requests.post(f"{sandbox.base_url}/respond/nope", json={"text": "x"}, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["ok"] is False

    url = sandbox.send_command(text="help").response_url
    assert requests.post(url, data=b"not json", timeout=5).status_code == 400
    assert requests.post(url, json={}, timeout=5).json()["error"] == "no_text"


def test_reset_invalidates_response_urls(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    url = sandbox.send_command(text="help").response_url
    sandbox.reset()
    assert requests.post(url, json={"text": "x"}, timeout=5).status_code == 404
    assert sandbox.messages() == []


def test_a_slow_response_url_shows_the_post_at_once_and_answers_late(
    sandbox: SlackSandbox, fake_bot: FakeBot
) -> None:
    url = sandbox.send_command(text="popular").response_url
    latency = f"{sandbox.base_url}/__sandbox__/latency"
    assert requests.get(latency, timeout=5).json() == {"response_url": 0.0}
    assert requests.post(latency, json={"response_url": "slow"}, timeout=5).status_code == 400
    assert requests.post(latency, json={"response_url": 60}, timeout=5).json() == {
        "ok": True,
        "response_url": 60.0,
    }

    with pytest.raises(requests.ReadTimeout):  # the client gives up long before Slack answers...
        requests.post(url, json={"text": "photos", "response_type": "in_channel"}, timeout=1)
    (shown,) = sandbox.messages()  # ...yet the message is in the channel
    assert shown.text == "photos" and shown.response_type == "in_channel"

    sandbox.reset()  # answers at once again (and releases the one still held)
    assert sandbox.response_urls.answer_delay == 0.0
    url = sandbox.send_command(text="me").response_url
    assert requests.post(url, json={"text": "fast"}, timeout=5).json() == {"ok": True}
