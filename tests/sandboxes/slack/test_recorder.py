"""Waiting for messages: wakes on arrival from another thread, times out with a readable report."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from igbot_sandboxes.slack import RecordedMessage, SlackSandbox
from tests.sandboxes.slack.helpers import TOKEN, FakeBot


def _post(sandbox: SlackSandbox, text: str) -> None:
    requests.post(
        f"{sandbox.api_url}chat.postMessage",
        data={"token": TOKEN, "channel": "C0GENERAL", "text": text},
        timeout=5,
    )


def test_wait_for_wakes_when_another_thread_records(sandbox: SlackSandbox) -> None:
    _post(sandbox, "first")
    waiting = threading.Event()

    def predicate(message: RecordedMessage) -> bool:
        waiting.set()  # called under the recorder's lock: the poster below can only record once we wait
        return message.text == "second"

    poster = threading.Thread(target=lambda: waiting.wait(5) and _post(sandbox, "second"))
    poster.start()
    started = time.monotonic()
    found = sandbox.wait_for(predicate, timeout=60)
    poster.join()

    assert found.text == "second" and found.seq == 2
    # Woken by the arrival, not by the end of its timeout (it returns in milliseconds; the bound is only
    # generous for a loaded machine).
    assert time.monotonic() - started < 30


def test_wait_for_returns_messages_already_recorded(sandbox: SlackSandbox) -> None:
    _post(sandbox, "earlier")
    assert sandbox.wait_for(lambda m: m.text == "earlier", timeout=0.01).source == "chat.postMessage"


def test_wait_for_timeout_lists_what_arrived(sandbox: SlackSandbox, fake_bot: FakeBot) -> None:
    _post(sandbox, "something else")
    fake_bot.reply = lambda _r: ("500 INTERNAL SERVER ERROR", [], b"boom")
    sandbox.send_command(text="follow bob")

    with pytest.raises(TimeoutError) as err:
        sandbox.wait_for(lambda m: "Followed" in m.all_text(), timeout=0.05)

    report = str(err.value)
    assert "within 0.05 s; received 1 message(s)" in report
    assert "chat.postMessage in_channel in T0SANDBOX/C0GENERAL: 'something else'" in report
    assert "FAILED command /ig for U0ALICE: http_error" in report


def test_reset_forgets_messages_calls_and_failures(sandbox: SlackSandbox) -> None:
    _post(sandbox, "x")
    sandbox.reset()
    assert sandbox.messages() == [] and sandbox.api_calls() == [] and sandbox.failures() == []
