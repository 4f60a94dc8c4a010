"""Graph mode's seeded world (fixed personas, professional vs personal accounts, hashtags) and choosing
which API the sandbox serves."""

from __future__ import annotations

import re
import threading

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox, build_world
from igbot_sandboxes.instagram.cli import main
from igbot_sandboxes.instagram.graph.seeding import build_graph_world
from igbot_sandboxes.instagram.graph.world import BUSINESS, CREATOR
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, approve
from tests.sandboxes.instagram.graph_helpers import DIALOG, dialog_params, graph

USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


def test_graph_world_is_deterministic_and_keeps_v1_intact() -> None:
    world = build_world(1)
    users, media = list(world.users), list(world.media)
    first, second = build_graph_world(world), build_graph_world(build_world(1))
    assert first.media == second.media
    assert first.hashtag_ids == second.hashtag_ids
    assert world.users == users and world.media == media
    other = build_graph_world(build_world(2))
    assert other.accounts == first.accounts  # names and ids are fixed for every seed
    assert other.media != first.media
    common = set(first.hashtag_ids) & set(other.hashtag_ids)
    assert common and all(first.hashtag_ids[t] == other.hashtag_ids[t] for t in common)


def test_fixed_personas(sandbox: InstagramSandbox) -> None:
    world = sandbox.graph_world
    assert [a["username"] for a in sandbox.graph_accounts_of("alice")] == ["alice.shop", "alice.studio"]
    assert [a["username"] for a in sandbox.graph_accounts_of("bob")] == ["bobs_bakery"]
    assert sandbox.graph_accounts_of("carol.private") == []
    carol = world.fb_user_by_username("carol.private")
    assert carol is not None and [p.name for p in world.pages_of(carol.id)] == ["Carol's Book Club"]
    with pytest.raises(ValueError, match="no sandbox Facebook user"):
        sandbox.graph_accounts_of("nobody")
    accounts = sandbox.professional_accounts()
    assert len(accounts) >= 10
    assert {a.account_type for a in accounts} == {BUSINESS, CREATOR}
    for account in accounts:
        assert USERNAME.match(account.username)
        assert re.fullmatch(r"178414\d{11}", account.id)
        assert len(world.media_of(account.id)) >= 8
        assert sandbox.world.user_by_username(account.username) is None
    for name in ("dan_the_man", "alice", "carol.private"):
        assert world.is_personal(name) and world.account_by_username(name) is None


def test_hashtags_with_media(sandbox: InstagramSandbox) -> None:
    world = sandbox.graph_world
    tags = world.hashtags()
    assert len(tags) >= 40
    assert {"coffee", "sourdough", "sunset", "surfing"} <= set(tags)
    assert len(set(world.hashtag_ids.values())) == len(tags)
    for tag in tags:
        assert world.top_media(tag) and re.fullmatch(r"\d{17}", world.hashtag_ids[tag])
        assert not tag.isdigit()
    private = {u.id for u in sandbox.world.users if u.is_private}
    assert not any(m.owner_id in private for m in world.media)
    personal_posts = [m for m in world.media if not m.professional]
    assert personal_posts and all(world.media_by_id(m.id) is m for m in personal_posts[:5])


def test_api_graph_serves_graph_only() -> None:
    sandbox = InstagramSandbox(api="graph")
    server = sandbox.start()
    try:
        assert (
            requests.get(
                f"{server.url}/v1/media/popular", params={"client_id": CLIENT_ID}, timeout=TIMEOUT
            ).status_code
            == 404
        )
        assert requests.get(f"{server.url}/oauth/authorize", timeout=TIMEOUT).status_code == 404
        assert requests.get(server.url + DIALOG, params=dialog_params(), timeout=TIMEOUT).status_code == 200
        token = sandbox.issue_graph_token("bob")
        assert graph(server.url, "/me", token).status_code == 200
    finally:
        server.stop()


def test_api_v1_serves_v1_only() -> None:
    sandbox = InstagramSandbox(api="v1")
    server = sandbox.start()
    try:
        assert approve(server.url).status_code == 302
        assert requests.get(server.url + DIALOG, params=dialog_params(), timeout=TIMEOUT).status_code == 404
        response = graph(server.url, "/me", sandbox.issue_graph_token("bob"))
        assert response.status_code == 404 and "X-App-Usage" not in response.headers
    finally:
        server.stop()
    with pytest.raises(ValueError, match="api must be one of"):
        InstagramSandbox(api="v2")


@pytest.mark.parametrize("api", ["graph", "both"])
def test_cli_api_option(capsys: pytest.CaptureFixture[str], api: str) -> None:
    stop = threading.Event()
    stop.set()
    assert main(["--port", "0", "--api", api, "--graph-rate-limit", "10"], stop=stop) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(r"sandbox instagram listening on http://127\.0\.0\.1:\d+", captured.out.strip())
    assert "/graph/v25.0" in captured.err and "/facebook/v25.0/dialog/oauth" in captured.err
    assert ("/oauth/authorize" in captured.err) is (api == "both")
    assert main(["--port", "0", "--graph-rate-limit", "0"], stop=stop) == 2
