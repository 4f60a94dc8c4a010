"""Every Redis key is named in `bot.storage`, and each store forgets its own keys of a team.

A key built outside storage (``f"igbot:..."`` or ``PREFIX + ...`` in a job or a listener) is a key the
uninstall cannot know about; these checks read the product's source, so a new module is covered as soon
as it exists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import redis

from bot.storage.events import EventLog
from bot.storage.feeds import Feed, FeedStore
from bot.storage.inbox import InboxStore, PostedComment, pace_key, thread_key, thread_lock_key
from bot.storage.keys import PREFIX
from bot.storage.reminders import ReminderSchedule

BOT = Path(__file__).resolve().parents[2] / "bot"


def _raw_keys(path: Path, root: Path = BOT.parent) -> list[str]:
    """Places in ``path`` (named relative to ``root``) that build an ``igbot:`` key or use the key prefix."""
    found, name = [], path.relative_to(root)
    for node in ast.walk(ast.parse(path.read_text())):
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        if text is not None and text.startswith(PREFIX) and len(text) > len(PREFIX) and text[6:7].isalpha():
            found.append(f"{name}:{node.lineno}: {text!r}")
        if isinstance(node, ast.Name) and node.id == "PREFIX":
            found.append(f"{name}:{node.lineno}: PREFIX")
        if isinstance(node, ast.alias) and node.name == "PREFIX":
            found.append(f"{name}: imports PREFIX")
    return found


def test_no_redis_key_is_built_outside_storage() -> None:
    outside = [p for p in sorted(BOT.rglob("*.py")) if "storage" not in p.relative_to(BOT).parts[:1]]
    assert len(outside) > 50  # the walk found the product
    raw = [place for path in outside for place in _raw_keys(path)]
    assert raw == []


def test_the_check_sees_a_raw_key(tmp_path: Path) -> None:
    probe = tmp_path / "raw_key_probe.py"
    probe.write_text('from bot.storage.keys import PREFIX\nlock = f"igbot:lock:{1}"\nalso = PREFIX + "x"\n')
    assert len(_raw_keys(probe, tmp_path)) == 3


def test_each_store_forgets_only_its_own_keys_of_one_team(redis_client: redis.Redis) -> None:
    feeds, inbox = FeedStore(redis_client), InboxStore(redis_client)
    reminders, events = ReminderSchedule(redis_client), EventLog(redis_client)
    for team in ("T1", "T1X"):  # T1X starts like T1: it must survive T1's forgetting
        feeds.add(
            Feed(
                team_id=team,
                channel_id="C1",
                target="user:1",
                label="@a",
                owner_id="U1",
                owner_name="u",
                created_at=1,
            )
        )
        feeds.mark_delivered(feeds.feed(team, "C1", "user:1"), "m1", 1)  # type: ignore[arg-type]
        redis_client.set(thread_key(team, "C1", "m1"), "1.0")
        redis_client.set(thread_lock_key(team, "C1", "m1"), "x")
        redis_client.set(pace_key(team, "C1"), "1")
        inbox.save_comment(
            PostedComment(
                comment_id=f"c-{team}",
                account_id="a",
                account="acct",
                media_id="m1",
                team_id=team,
                channel_id="C1",
                ts="",
                thread_ts="",
                username="u",
                text="t",
                parent_id="",
                kind="comment",
                link="",
                image_url="",
            )
        )
        reminders.schedule(team, "U1", 10**10)
        assert reminders.claim(team, "U1", "week", 10**10)
        assert events.first(team, "Ev1")
    before = set(redis_client.keys(f"{PREFIX}*"))

    feeds.forget_team("T1")
    inbox.forget_team("T1")
    reminders.forget_team("T1")
    events.forget_team("T1")

    left = set(redis_client.keys(f"{PREFIX}*"))
    gone = before - left
    assert gone and all(":T1:" in key or key.endswith("c-T1") for key in gone), gone
    assert not any(":T1:" in key for key in left), left
    assert any(":T1X:" in key for key in left)
    assert {m.split(":")[0] for m in redis_client.zrange("igbot:reminders", 0, -1)} == {"T1X"}
    assert feeds.of_channel("T1X", "C1") and inbox.comment("c-T1X") is not None
