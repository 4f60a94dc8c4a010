"""`igbot dev --api graph`, the playground for today's Instagram, as a process: it starts, says which API
the sandbox plays, links through the Facebook dialog and the account menu, answers, and stops cleanly on
Ctrl-C. Each mode keeps its own links, and `INSTAGRAM_API` / a bad value behave as documented."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.dev.process import READY, DevProcess, alive, command_name, descendants, igbot_command
from tests.dev.test_dev_process import _back_link, _buttons, approve, command, free_port, wait_message
from tests.stack import _FormParser


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INSTAGRAM_", "REDIS_URL"))}
    env.update(IGBOT_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def start(data_dir: Path, *args: str, timeout: float = 30.0, **env: str) -> DevProcess:
    """`igbot dev --port <free> *args` with IGBOT_DATA_DIR=data_dir (and ``env``), once it is ready.

    As `DevProcess.start`, which takes no arguments for the command line.
    """
    process = subprocess.Popen(
        [*igbot_command(), "dev", "--port", str(free_port()), *args],
        cwd=data_dir,  # no stray .env from the checkout
        env=_env(data_dir, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so "Ctrl-C" reaches it and its children only
    )
    dev = DevProcess(process)
    threading.Thread(target=dev._read, daemon=True, name="igbot-dev-stdout").start()
    try:
        dev.wait_for_line(READY, timeout)
    except BaseException:
        dev.kill()
        raise
    return dev


def stop(dev: DevProcess) -> None:
    """Ctrl-C, then a clean exit with every process of the tree gone."""
    tree = descendants(dev.process.pid)
    dev.interrupt()
    assert dev.wait() == 0, dev.lines
    assert dev.lines[-1] == "igbot dev: stopped", dev.lines
    assert [pid for pid in tree if alive(pid)] == []


def test_graph_dev_links_through_facebook_and_the_account_menu_answers_and_stops(tmp_path: Path) -> None:
    dev = start(tmp_path, "--api", "graph")
    try:
        assert set(dev.urls) == {"redis", "instagram", "slack", "bot", "workers", "console"}, dev.lines
        [instagram] = [line for line in dev.lines if line.startswith("igbot dev: instagram")]
        assert instagram == f"igbot dev: instagram  {dev.urls['instagram']} (sandbox, Graph API)"
        [storage] = [line for line in dev.lines if line.startswith("igbot dev: redis")]
        assert f"(data in {tmp_path.resolve() / 'graph'}; Graph API links" in storage, storage
        health = requests.get(f"{dev.urls['bot']}/healthz", timeout=5).json()
        assert health["status"] == "ok" and health["storage"] == "ok"
        hints = requests.get(f"{dev.urls['console']}console/info", timeout=5).json()["hints"]
        assert hints["api"] == "graph" and "alice.studio" in hints["accounts"]
        assert "/ig popular #sunset 3" in [h["command"] for h in hints["commands"]]

        since = command(dev, "recent 2")
        prompt = wait_message(dev, since, "Connect Instagram")
        [url] = [b["url"] for b in _buttons(prompt) if b.get("action_id") == "ig_connect"]
        assert url.startswith(f"{dev.urls['instagram']}/facebook/v25.0/dialog/oauth?"), url
        page = approve(url, "alice")  # the Facebook dialog: Continue as alice
        assert page.status_code == 200 and page.url.startswith(dev.urls["bot"]), page.text[:300]
        assert "pick" in page.text.lower()  # alice manages two professional accounts: chosen in Slack
        assert requests.get(_back_link(page.text), timeout=5).status_code == 200

        menu = wait_message(dev, since, "Which one should igbot use?")
        [select] = [e for e in _buttons(menu) if e.get("type") == "static_select"]
        options = {o["text"]["text"]: o["value"] for o in select["options"]}
        assert set(options) == {"@alice.shop", "@alice.studio"}, options
        choice = {"channel_id": menu["channel_id"], "ts": menu["ts"], "action_id": select["action_id"]}
        chosen = requests.post(
            f"{dev.urls['console']}__sandbox__/select",
            json={**choice, "value": options["@alice.shop"], "user_id": "U0ALICE"},
            timeout=10,
        )
        assert chosen.status_code == 200 and chosen.json()["error"] is None, chosen.text
        wait_message(dev, since, "Connected as @alice.shop")
        gallery = wait_message(dev, since, "latest 2 posts of @alice.shop")  # the command finished by itself
        assert len([b for b in gallery["blocks"] if b.get("type") == "image"]) == 2

        since = command(dev, "follow bobs_bakery")
        wait_message(dev, since, "doesn't let apps follow")  # the honest answer: no such API

        assert "redis-server" in {command_name(pid) for pid in descendants(dev.process.pid)}
        stop(dev)
    finally:
        dev.kill()
    assert (tmp_path / "graph" / "redis.log").exists()  # graph's Redis kept its data apart
    assert not (tmp_path / "redis.log").exists()  # and legacy's place was not touched


def test_each_mode_keeps_its_own_links_and_instagram_api_chooses_the_mode(tmp_path: Path) -> None:
    legacy = start(tmp_path)  # no --api, no INSTAGRAM_API: legacy, its data directly in the data dir
    try:
        assert any(line.endswith("(sandbox, API v1)") for line in legacy.lines), legacy.lines
        since = command(legacy, "login")
        [url] = [
            b["url"]
            for b in _buttons(wait_message(legacy, since, "Connect Instagram"))
            if b.get("action_id") == "ig_connect"
        ]
        assert "Instagram account @alice" in approve(url, "alice").text
        wait_message(legacy, since, "Connected as @alice")
        stop(legacy)
    finally:
        legacy.kill()
    assert (tmp_path / "redis.log").exists() and (tmp_path / "dev-secrets.json").exists()

    graph = start(tmp_path, INSTAGRAM_API="graph")  # the environment chooses when --api is not given
    try:
        assert any(line.endswith("(sandbox, Graph API)") for line in graph.lines), graph.lines
        since = command(graph, "me")
        wait_message(graph, since, "haven't connected")  # legacy's @alice is not a Graph API link
        stop(graph)
    finally:
        graph.kill()

    again = start(tmp_path, "--api", "legacy", INSTAGRAM_API="graph")  # --api wins over the environment
    try:
        assert any(line.endswith("(sandbox, API v1)") for line in again.lines), again.lines
        since = command(again, "me")
        wait_message(again, since, "@alice")  # still linked: switching modes lost nothing
        stop(again)
    finally:
        again.kill()


def test_an_unknown_api_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    for args, env, line in (
        (["--api", "v2"], {}, "igbot dev: --api must be legacy, graph or instagram-login, not 'v2'"),
        (
            [],
            {"INSTAGRAM_API": "fb"},
            "igbot dev: INSTAGRAM_API must be legacy, graph or instagram-login, not 'fb'",
        ),
    ):
        result = subprocess.run(
            [*igbot_command(), "dev", "--port", str(free_port()), *args],
            cwd=tmp_path,
            env=_env(tmp_path, **env),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, result
        assert (result.stdout + result.stderr).splitlines() == [line], result
    assert not (tmp_path / "dev-secrets.json").exists()  # nothing was started or written


def test_instagram_login_dev_logs_in_with_instagram_and_shows_the_recent_posts(tmp_path: Path) -> None:
    dev = start(tmp_path, "--api", "instagram-login")
    try:
        [instagram] = [line for line in dev.lines if line.startswith("igbot dev: instagram")]
        assert instagram == f"igbot dev: instagram  {dev.urls['instagram']} (sandbox, Instagram Login)"
        hints = requests.get(f"{dev.urls['console']}console/info", timeout=5).json()["hints"]
        assert hints["api"] == "instagram-login" and "bobs_bakery" in hints["accounts"]

        since = command(dev, "recent 2")
        prompt = wait_message(dev, since, "Connect Instagram")
        [url] = [b["url"] for b in _buttons(prompt) if b.get("action_id") == "ig_connect"]
        assert url.startswith(f"{dev.urls['instagram']}/instagram-login/oauth/authorize?"), url
        browser = requests.Session()
        page = browser.get(url, timeout=5)
        form = _FormParser()
        form.feed(page.text)
        data = {**form.fields, "username": "bobs_bakery", "decision": "allow"}
        back = browser.post(urljoin(page.url, form.action), data=data, timeout=10)
        assert back.status_code == 200 and back.url.startswith(dev.urls["bot"]), back.text[:300]
        wait_message(dev, since, "Connected as @bobs_bakery")
        gallery = wait_message(dev, since, "latest 2 posts of @bobs_bakery")  # the command finished by itself
        assert len([b for b in gallery["blocks"] if b.get("type") == "image"]) == 2
        stop(dev)
    finally:
        dev.kill()
    assert (tmp_path / "instagram-login" / "redis.log").exists()  # this mode's links kept apart
