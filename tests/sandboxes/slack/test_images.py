"""Slack downloads a message's image blocks when it is posted and refuses the message if one fails.

Real answer (slackapi/python-slack-sdk#1782): ``{"ok": false, "error": "invalid_blocks", "errors":
["downloading image failed [json-pointer:/blocks/0/image_url]"], "response_metadata": {"messages":
["[ERROR] downloading image failed [json-pointer:/blocks/0/image_url]"]}}``. Only loopback hosts are
fetched by the stand-in (it runs offline).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.threaded_server import start_server
from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.images import ImageCheck, is_loopback_url
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeBot, ImageServer, image_block, json_reply


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=TOKEN, base_url=sandbox.api_url)


def _slack_refusal(*indexes: int) -> dict[str, Any]:
    errors = [f"downloading image failed [json-pointer:/blocks/{i}/image_url]" for i in indexes]
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def _gallery(pictures: ImageServer, bad_path: str, bad_at: int = 3) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": "*photos*"}}]
    for i in range(1, 5):
        blocks.append(image_block(pictures.url(bad_path if i == bad_at else f"/ok/{i}.png")))
    return blocks


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.png", "HTTP 404"),
        ("/page.html", "content type text/html, not an image"),
        ("/empty.png", "empty body"),
        ("/redirect/missing", "HTTP 404"),
    ],
)
def test_post_message_with_an_undownloadable_image_is_refused_whole(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer, path: str, reason: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="photos", blocks=_gallery(pictures, path))

    assert refused.value.response.status_code == 200
    assert refused.value.response.data == _slack_refusal(3)
    (message,) = sandbox.messages()
    assert not message.valid and message.source == "chat.postMessage"
    assert message.errors == [f"invalid_blocks: [blocks[3].image_url] downloading image failed: {reason}"]
    assert sandbox.api_calls("chat.postMessage")[-1].error == "invalid_blocks"


def test_every_failing_image_is_named(client: WebClient, pictures: ImageServer) -> None:
    blocks = [image_block(pictures.url("/missing.png")), image_block(pictures.url("/ok/a.png"))]
    blocks.append(image_block(pictures.url("/page.html")))

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="photos", blocks=blocks)

    assert refused.value.response.data == _slack_refusal(0, 2)


def test_downloadable_images_pass_and_redirects_on_loopback_are_followed(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    blocks = [image_block(pictures.url("/ok/a.png")), image_block(pictures.url("/redirect/ok"))]

    answer = client.chat_postMessage(channel="C0GENERAL", text="photos", blocks=blocks)

    assert answer["ok"] and sandbox.messages()[0].valid
    assert pictures.hits == {"/ok/a.png": 1, "/redirect/ok": 1, "/ok/r.png": 1}


def test_a_gallery_is_fetched_in_parallel_and_cached(client: WebClient, pictures: ImageServer) -> None:
    pictures.delay = 0.3  # each picture is served for a while: downloads in parallel overlap
    blocks = [image_block(pictures.url(f"/ok/{i}.png")) for i in range(10)]
    blocks.append(image_block(pictures.url("/ok/0.png")))  # the same picture twice costs one download

    assert client.chat_postMessage(channel="C0GENERAL", text="ten photos", blocks=blocks)["ok"]
    assert pictures.most_in_flight > 1, "the pictures were downloaded one after another"
    assert client.chat_postMessage(channel="C0RANDOM", text="the same ten", blocks=blocks)["ok"]

    assert pictures.total() == 10  # the second post reused every outcome
    assert set(pictures.hits.values()) == {1}


def test_a_slow_image_times_out(sandbox: SlackSandbox, client: WebClient, pictures: ImageServer) -> None:
    sandbox.images.timeout = 0.3
    pictures.slow = 1.0

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(
            channel="C0GENERAL", text="x", blocks=[image_block(pictures.url("/slow.png"))]
        )

    assert refused.value.response.data == _slack_refusal(0)
    assert sandbox.messages()[0].errors == [
        "invalid_blocks: [blocks[0].image_url] downloading image failed: no answer within 0.3 s"
    ]


def test_a_closed_port_cannot_be_downloaded(sandbox: SlackSandbox, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(
            channel="C0GENERAL", text="x", blocks=[image_block("http://127.0.0.1:1/gone.png")]
        )

    assert refused.value.response.data == _slack_refusal(0)
    assert "cannot connect" in sandbox.messages()[0].errors[0]


def test_only_loopback_hosts_are_fetched(sandbox: SlackSandbox, client: WebClient) -> None:
    blocks = [image_block("https://cdn.example.invalid/p.jpg"), image_block("http://10.0.0.1/p.png")]

    answer = client.chat_postMessage(channel="C0GENERAL", text="remote photos", blocks=blocks)

    assert answer["ok"] and sandbox.messages()[0].valid and sandbox.images.fetches == 0  # none was tried


def test_image_elements_are_not_downloaded(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    """Slack posts a broken accessory or context image instead of refusing (java-slack-sdk#1396)."""
    missing = {"type": "image", "image_url": pictures.url("/missing.png"), "alt_text": "thumb"}
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "card"}, "accessory": missing},
        {"type": "context", "elements": [missing, {"type": "mrkdwn", "text": "by @bob"}]},
    ]

    assert client.chat_postMessage(channel="C0GENERAL", text="card", blocks=blocks)["ok"]
    assert pictures.total() == 0


def test_an_invalid_message_is_refused_before_any_download(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    blocks = [{"type": "image", "image_url": pictures.url("/ok/a.png")}]  # no alt_text

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks)

    assert refused.value.response["errors"] == ["invalid_blocks: [blocks[0].alt_text] missing required field"]
    assert pictures.total() == 0


def test_post_ephemeral_and_update_are_checked(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    bad = [image_block(pictures.url("/missing.png"))]
    with pytest.raises(SlackApiError) as ephemeral:
        client.chat_postEphemeral(channel="C0GENERAL", user="U0BOB", text="x", blocks=bad)
    ts = client.chat_postMessage(channel="C0GENERAL", text="v1")["ts"]
    with pytest.raises(SlackApiError) as update:
        client.chat_update(channel="C0GENERAL", ts=ts, text="v2", blocks=bad)

    assert ephemeral.value.response.data == update.value.response.data == _slack_refusal(0)
    refused = [(m.source, m.valid) for m in sandbox.messages()]
    assert refused == [("chat.postEphemeral", False), ("chat.postMessage", True), ("chat.update", False)]
    shown = sandbox.recorder.find("T0SANDBOX", "C0GENERAL", ts)
    assert shown is not None and shown.text == "v1"  # the refused update changed nothing


def test_response_url_refuses_an_undownloadable_image_without_spending_a_use(
    sandbox: SlackSandbox, fake_bot: FakeBot, pictures: ImageServer
) -> None:
    url = sandbox.send_command(text="popular").response_url
    body = {"text": "photos", "response_type": "in_channel", "blocks": _gallery(pictures, "/page.html")}

    answer = requests.post(url, json=body, timeout=5)

    assert (answer.status_code, answer.json()) == (400, _slack_refusal(3))
    (recorded,) = sandbox.messages()
    assert not recorded.valid and recorded.source == "response_url" and recorded.response_type == "in_channel"
    assert "downloading image failed" in recorded.errors[0]
    good = [requests.post(url, json={"text": f"try {i}"}, timeout=5).status_code for i in range(5)]
    assert good == [200] * 5


def test_an_ack_with_an_undownloadable_image_is_recorded_as_refused(
    sandbox: SlackSandbox, fake_bot: FakeBot, pictures: ImageServer
) -> None:
    ack = {"text": "photos", "blocks": [image_block(pictures.url("/missing.png"))]}
    fake_bot.reply = lambda _req: json_reply(json.dumps(ack).encode())

    result = sandbox.send_command(text="popular")

    assert result.ok and result.message is not None and not result.message.valid
    assert result.message.errors == [
        "invalid_blocks: [blocks[0].image_url] downloading image failed: HTTP 404"
    ]
    shown = requests.get(
        f"{sandbox.base_url}/__sandbox__/messages", timeout=5
    ).json()  # what the console polls
    assert [(m["valid"], m["errors"]) for m in shown] == [(False, result.message.errors)]


def test_check_images_false_accepts_without_downloading(pictures: ImageServer) -> None:
    sandbox = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, check_images=False)
    sandbox.start()
    try:
        client = WebClient(token=TOKEN, base_url=sandbox.api_url)
        blocks = [image_block(pictures.url("/missing.png"))]
        assert client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks)["ok"]
        assert sandbox.messages()[0].valid and pictures.total() == 0
    finally:
        sandbox.stop()


def test_the_check_can_be_switched_through_config(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    config = f"{sandbox.base_url}/__sandbox__/config"
    off = requests.post(config, json={"check_images": False}, timeout=5)
    assert off.json()["check_images"] is False and not sandbox.images.enabled
    assert client.chat_postMessage(
        channel="C0GENERAL", text="x", blocks=[image_block(pictures.url("/missing.png"))]
    )
    assert requests.post(config, json={"check_images": "no"}, timeout=5).status_code == 400

    requests.post(config, json={"check_images": True}, timeout=5)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(
            channel="C0GENERAL", text="x", blocks=[image_block(pictures.url("/missing.png"))]
        )


def test_reset_forgets_cached_downloads(
    sandbox: SlackSandbox, client: WebClient, pictures: ImageServer
) -> None:
    blocks = [image_block(pictures.url("/ok/a.png"))]
    client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks)
    sandbox.reset()
    client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks)
    assert pictures.hits["/ok/a.png"] == 2


def test_cached_outcomes_expire() -> None:
    now = [0.0]
    pictures = ImageServer()
    server = start_server(pictures, name="pictures")
    pictures.base_url = server.url
    try:
        check = ImageCheck(cache_seconds=5, clock=lambda: now[0])
        payload = {"text": "x", "blocks": [image_block(pictures.url("/ok/a.png"))]}
        assert check.judge(payload).valid and check.judge(payload).valid
        now[0] = 6.0
        assert check.judge(payload).valid
        assert (pictures.hits["/ok/a.png"], check.fetches) == (2, 2)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8700/media/1.png", True),
        ("https://127.8.9.10/x.png", True),
        ("http://localhost/x.png", True),
        ("http://LOCALHOST:80/x.png", True),
        ("http://[::1]:8700/x.png", True),
        ("http://[::ffff:127.0.0.1]/x.png", True),
        ("http://128.0.0.1/x.png", False),
        ("http://10.0.0.1/x.png", False),
        ("https://scontent.cdninstagram.com/x.jpg", False),
        ("http://localhost.example.com/x.png", False),
        ("ftp://127.0.0.1/x.png", False),
        ("http://[::1/x.png", False),
        ("not a url", False),
    ],
)
def test_is_loopback_url(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
