"""A slow Slack, and a worker killed while its answer is on the wire, on the real path: signed commands
into the bot, real `igbot worker` processes, real HTTP to the Slack stand-in's response URLs, which take
and show each post at once and answer it late (`POST /__sandbox__/latency`). Every answer is in the
channel once; an answer whose outcome is unknown is never posted again blindly (`bot.core.once`)."""

from __future__ import annotations

from igbot_sandboxes.slack.messages import RecordedMessage
from tests.stack import Stack

CHANNEL = "C0GENERAL"


def _worker_log(stack: Stack) -> str:
    assert stack.worker_log is not None
    return stack.worker_log.read_text(errors="replace")


def _gallery(m: RecordedMessage) -> bool:
    return m.response_type == "in_channel" and "popular Instagram" in m.all_text()


def test_slack_answering_after_2_5_seconds_gets_every_answer_once(stack: Stack) -> None:
    stack.slack.response_urls.answer_delay = 2.5  # longer than igbot used to wait (2 s)
    stack.command("me", user_id="U0ALICE")
    stack.command("popular 2", user_id="U0BOB")
    stack.slack.wait_for(lambda m: m.user_id == "U0ALICE", timeout=15)
    stack.slack.wait_for(lambda m: m.user_id == "U0BOB", timeout=15)
    assert stack.wait_idle(30)
    alice = stack.slack.messages(user_id="U0ALICE")
    bob = stack.slack.messages(user_id="U0BOB")
    assert len(alice) == 1 and alice[0].response_type == "ephemeral", [m.text for m in alice]
    assert len(bob) == 1 and _gallery(bob[0]), [m.text for m in bob]
    log = _worker_log(stack)
    assert "not delivered" not in log and "outcome unknown" not in log
    assert stack.worker_errors() == []


def test_a_worker_killed_while_its_answers_are_on_the_wire(stack: Stack) -> None:
    stack.link("alice", user_id="U0BOB")  # his `/ig me` answer is then the same in every run
    # Slack holds every answer; both posts are taken (and shown) while the worker waits for Slack.
    stack.slack.response_urls.answer_delay = 600
    stack.command("popular 2", user_id="U0ALICE")
    stack.command("me", user_id="U0BOB")
    gallery = stack.slack.wait_for(lambda m: m.user_id == "U0ALICE", timeout=15)
    private = stack.slack.wait_for(lambda m: m.user_id == "U0BOB", timeout=15)
    assert _gallery(gallery) and private.response_type == "ephemeral" and "@alice" in private.text
    assert stack.workers is not None
    (pid,) = stack.workers.pids
    stack.workers.kill(pid)  # both jobs come back to another worker (restarted by the pool)
    stack.slack.response_urls.answer_delay = 0

    # The channel answer is not posted again: Alice is told privately that it may be there already.
    note = stack.slack.wait_for(lambda m: "may already be in the channel" in m.text, timeout=60)
    assert note.user_id == "U0ALICE" and note.response_type == "ephemeral"
    assert "`/ig popular 2`" in note.text
    # The private answer is sent once more (documented: its person may see it twice, nobody else).
    again = stack.slack.wait_for(lambda m: m.user_id == "U0BOB" and m.seq > private.seq, timeout=60)
    assert again.response_type == "ephemeral" and again.text == private.text
    assert stack.wait_idle(30)

    in_channel = [m for m in stack.slack.messages(channel_id=CHANNEL) if m.response_type == "in_channel"]
    assert [m.seq for m in in_channel] == [gallery.seq], "a channel answer was posted twice"
    assert [m.seq for m in stack.slack.messages(user_id="U0ALICE")] == [gallery.seq, note.seq]
    assert [m.seq for m in stack.slack.messages(user_id="U0BOB")] == [private.seq, again.seq]
    log = _worker_log(stack)
    assert log.count("outcome unknown") == 2 and "not delivered" not in log
    assert stack.worker_errors() == []
