"""The seeded world (deterministic, personas, valid names, real-looking media) and the CLI entry point."""

from __future__ import annotations

import re
import socket
import threading

import pytest

from igbot_sandboxes.instagram import build_world
from igbot_sandboxes.instagram.cli import main

USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


def test_same_seed_same_world() -> None:
    first, second = build_world(1), build_world(1)
    assert first.users == second.users
    assert first.media == second.media
    assert first.initial_follows == second.initial_follows
    assert build_world(2).media != first.media


def test_personas() -> None:
    world = build_world(1)
    expected = {"alice": False, "bob": False, "carol.private": True, "dan_the_man": False}
    for name, private in expected.items():
        user = world.user_by_username(name)
        assert user is not None
        assert user.is_private is private
    assert sum(u.is_private for u in world.users) >= 4
    assert world.user_by_username("ALICE") == world.user_by_username("alice")


def test_world_size_and_content() -> None:
    world = build_world(1)
    assert 30 <= len(world.users) <= 60
    assert 200 <= len(world.media) <= 600
    assert all(USERNAME.match(u.username) for u in world.users)
    assert len({u.username for u in world.users}) == len(world.users)
    videos = [m for m in world.media if m.is_video]
    assert 3 <= len(videos) <= 20
    captioned = [m for m in world.media if m.caption]
    assert len(captioned) > len(world.media) // 2
    assert all(m.tags and "#" in m.caption.text for m in captioned if m.caption)
    located = [m for m in world.media if m.location_id]
    assert located
    assert all(world.location_by_id(m.location_id) for m in located if m.location_id)
    assert len({m.id for m in world.media}) == len(world.media)
    assert [m.pk for m in world.media] == sorted((m.pk for m in world.media), reverse=True)
    assert all(m.id == f"{m.pk}_{m.owner_id}" for m in world.media)


def test_cli_serves_and_prints_its_url(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()  # return as soon as the server is up
    assert main(["--port", "0", "--rate-limit", "10"], stop=stop) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"sandbox instagram listening on http://127\.0\.0\.1:\d+", out)


def test_cli_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)], stop=threading.Event()) == 1
    assert "cannot listen" in capsys.readouterr().out
