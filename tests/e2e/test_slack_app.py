"""igbot as a Slack app installed by OAuth ("Add to Slack") into any workspace: install, several
workspaces side by side, uninstall forgetting everything of one team, Enterprise Grid refused, token
rotation (issue 14). Real wire path: the stand-in's approval page and ``oauth.v2.access``, the bot's
`/slack/install` and `/slack/oauth_redirect`, signed events, real worker processes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from bot.web.socket_mode import SocketModeRunner
from igbot_sandboxes.slack.signing import signed_headers
from igbot_sandboxes.slack.socket import SocketHub
from tests.stack import SIGNING_SECRET, Stack, login_url, start_stack

OTHER = "T0OTHER"
SANDBOX = "T0SANDBOX"


@pytest.fixture
def app_stack(redis_client: redis.Redis, redis_url: str) -> Iterator[Stack]:
    """The stack with igbot installed by OAuth; no workspace has it yet."""
    running = start_stack(redis_url, oauth=True)
    yield running
    running.close()


def everything_in(client: redis.Redis) -> dict[str, str]:
    """Every key of Redis with its whole value as text (strings, hashes, sets, sorted sets, lists)."""
    found: dict[str, str] = {}
    for key in client.scan_iter("*", count=1000):
        kind = client.type(key)
        value: Any
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        else:
            value = kind
        found[str(key)] = str(value)
    return found


def mentions(client: redis.Redis, *needles: str) -> dict[str, str]:
    """Keys whose name or value contains any of ``needles``."""
    return {k: v for k, v in everything_in(client).items() if any(n in k or n in v for n in needles)}


def test_installed_into_two_workspaces_each_works_alone_and_an_uninstall_forgets_one(
    app_stack: Stack, redis_client: redis.Redis
) -> None:
    stack = app_stack
    assert stack.slack.installed_teams() == []
    early = stack.command("me")  # Slack would not send it; igbot answers in the ack all the same
    assert early.message is not None and "isn't installed" in early.message.all_text()
    for team, name in ((SANDBOX, "Sandbox"), (OTHER, "Other Team")):
        page = stack.install(team)
        assert page.status_code == 200 and f"igbot is in {name}" in page.text, page.text
    assert sorted(stack.slack.installed_teams()) == [OTHER, SANDBOX]
    stored = everything_in(redis_client)
    for team in (SANDBOX, OTHER):
        assert stack.slack.bot_of(team) is not None
        token = stack.slack.bot_of(team).token  # type: ignore[union-attr]
        assert not any(token in k or token in v for k, v in stored.items()), "a bot token in plaintext"

    # The same user id in both teams is two people, each with their own Instagram account.
    stack.link("alice", user_id="U0ALICE", team_id=SANDBOX)
    stack.link("bob", user_id="U0ALICE", team_id=OTHER)
    stack.command("me", team_id=SANDBOX)
    assert "@alice" in stack.wait_message("@alice", user_id="U0ALICE").all_text()
    stack.command("me", team_id=OTHER, channel_id="C0OTHERGENERAL")
    other_me = stack.slack.wait_for(lambda m: m.team_id == OTHER and "@bob" in m.all_text())
    assert "@alice" not in other_me.all_text()

    # Web API calls go out with each team's own token: a feed announcement lands in each team.
    stack.command("subscribe me", team_id=SANDBOX)
    stack.command("subscribe me", team_id=OTHER, channel_id="C0OTHERGENERAL")
    stack.command("subscribe #travel", team_id=SANDBOX)
    stack.command("inbox", team_id=SANDBOX)
    stack.command("login", user_id="U0BOB", team_id=SANDBOX)  # a pending login state
    stack.slack.open_app_home(SANDBOX, "U0ALICE")  # an event taken, a home view
    assert stack.wait_idle()
    for team, channel in ((SANDBOX, "C0GENERAL"), (OTHER, "C0OTHERGENERAL")):
        posted = stack.slack.messages(channel_id=channel, team_id=team)
        assert any("subscribed" in m.all_text().lower() for m in posted), [m.all_text() for m in posted]
    assert mentions(redis_client, SANDBOX), "the test made nothing of the team to forget"

    deliveries = stack.slack.uninstall(SANDBOX)
    assert [d.attempts[-1].status for d in deliveries] == [200, 200]
    assert stack.wait_idle()
    left = mentions(redis_client, SANDBOX, "C0GENERAL", "C0RANDOM")
    assert left == {}, left
    late = stack.command("me", team_id=SANDBOX)
    assert late.message is not None and "isn't installed" in late.message.all_text()
    opened = {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}
    stray = json.dumps(
        {"type": "event_callback", "team_id": SANDBOX, "event_id": "Ev1", "event": opened}
    ).encode()
    headers = signed_headers(SIGNING_SECRET, stray, "application/json")
    assert requests.post(stack.slack.bot_url or "", data=stray, headers=headers, timeout=5).status_code == 200
    assert stack.pending_jobs() == 0, "work was queued for a workspace igbot is not in"
    assert mentions(redis_client, SANDBOX) == {}
    assert stack.worker_errors() == []

    # The other workspace still works, with its link and feed.
    stack.command("subscriptions", team_id=OTHER, channel_id="C0OTHERGENERAL")
    listed = stack.slack.wait_for(
        lambda m: m.team_id == OTHER and "@bob" in m.all_text() and "feed" in m.all_text().lower()
    )
    assert listed is not None
    assert stack.services.links.get(OTHER, "U0ALICE") is not None


def eventually(probe: Any, timeout: float = 10.0) -> Any:
    """``probe()``'s first truthy answer (polling the stand-in's records, not waiting a fixed time)."""
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        assert time.monotonic() < deadline, "nothing came"
        time.sleep(0.02)
    return found


def home_text(stack: Stack, team: str = SANDBOX, user: str = "U0ALICE") -> str:
    """The person's published Home tab, as text."""
    view = stack.slack.home_view(team, user)
    assert view is not None, "no Home tab was published"
    return json.dumps(view.view)


def open_home(stack: Stack, team: str = SANDBOX, user: str = "U0ALICE") -> str:
    """Open the Home tab and wait for the worker to publish it; its text."""
    published = len(stack.slack.api_calls("views.publish"))
    delivery = stack.slack.open_app_home(team, user)
    assert delivery.attempts[-1].status == 200
    deadline = time.monotonic() + 10
    while len(stack.slack.api_calls("views.publish")) <= published:
        assert time.monotonic() < deadline, "the Home tab was not published"
        time.sleep(0.02)  # polling the stand-in's record, not waiting a fixed time
    return home_text(stack, team, user)


def test_app_home_follows_link_subscribe_relink_and_logout_and_its_buttons_work(stack: Stack) -> None:
    first = open_home(stack)
    assert "Connect" in first and "ig_connect" in first
    stack.link("alice")
    linked = open_home(stack)
    assert "@alice" in linked and "home_disconnect" in linked and "ig_connect" not in linked
    stack.command("subscribe me")
    stack.command("subscribe #travel")
    assert stack.wait_idle()
    subscribed = open_home(stack)
    assert "home_unsubscribe" in subscribed and "#travel" in subscribed
    home = stack.slack.home_view(SANDBOX, "U0ALICE")
    assert home is not None
    travel = next(b for b in home.buttons() if b.action_id == "home_unsubscribe" and "tag" in str(b.value))
    result = stack.slack.click_home_button(SANDBOX, "U0ALICE", "home_unsubscribe", str(travel.value))
    assert result.error is None and stack.wait_idle()
    assert [f.target for f in stack.services.feeds.of_channel(SANDBOX, "C0GENERAL")] == [
        f.target for f in stack.services.feeds.owned_by(SANDBOX, "U0ALICE")
    ]
    assert not any(f.target.startswith("tag:") for f in stack.services.feeds.owned_by(SANDBOX, "U0ALICE"))
    assert "#travel" not in home_text(stack), "the tab was not drawn again after the button"
    stack.link("bob")  # relinked to another account
    assert "@bob" in open_home(stack)
    stack.slack.click_home_button(SANDBOX, "U0ALICE", "home_disconnect")
    assert stack.wait_idle()
    assert stack.services.links.get(SANDBOX, "U0ALICE") is None
    after = home_text(stack)
    assert "ig_connect" in after and "@bob" not in after
    # Someone else's button values change nothing of another person.
    stack.link("dan_the_man", user_id="U0CAROL")
    stack.command("subscribe me", user_id="U0CAROL")
    assert stack.wait_idle()
    open_home(stack)
    carols = [f for f in stack.services.feeds.owned_by(SANDBOX, "U0CAROL")]
    assert carols
    forged = f"C0GENERAL|{carols[0].target}"
    stack.link("alice")
    stack.command("subscribe #food")
    assert stack.wait_idle()
    open_home(stack)
    stack.slack.click_home_button(SANDBOX, "U0ALICE", "home_unsubscribe", forged)
    assert stack.wait_idle()
    assert stack.services.feeds.owned_by(SANDBOX, "U0CAROL") == carols
    assert stack.worker_errors() == []


def test_a_pasted_post_link_unfurls_once_for_a_linked_sharer_and_offers_connect_to_others(
    stack: Stack,
) -> None:
    account = stack.instagram.world.user_by_username("alice")
    post = next(m for m in stack.instagram.world.media_of(str(account.id)))
    url = f"https://www.instagram.com/p/{post.shortcode}/"
    stack.link("alice")
    message = stack.slack.post_user_message(SANDBOX, "C0GENERAL", "U0ALICE", f"look at this {url}")
    cards = eventually(lambda: stack.slack.unfurls_of(SANDBOX, "C0GENERAL", message.ts))
    assert url in cards and "@alice" in json.dumps(cards[url]), cards
    shared = stack.slack.deliveries("link_shared")[-1]
    calls = len(stack.slack.api_calls("chat.unfurl"))
    again = stack.slack.redeliver(shared)  # Slack did not see the first 200 in time
    assert again.attempts[-1].status == 200
    assert stack.wait_idle()
    assert len(stack.slack.api_calls("chat.unfurl")) == calls, "a retried link_shared unfurled twice"

    other = stack.slack.post_user_message(SANDBOX, "C0GENERAL", "U0BOB", url)
    prompts = eventually(lambda: [p for p in stack.slack.auth_prompts(SANDBOX) if p.user_id == "U0BOB"])
    assert prompts and prompts[-1].message_ts == other.ts
    assert "Connect" in json.dumps(prompts[-1].blocks)
    assert stack.slack.unfurls_of(SANDBOX, "C0GENERAL", other.ts) == {}
    # A private account's post: its owner may see it, but the whole channel would see the preview.
    carol = stack.instagram.world.user_by_username("carol.private")
    private = stack.instagram.world.media_of(str(carol.id))[0]
    stack.link("carol.private", user_id="U0CAROL")
    private_url = f"https://instagr.am/p/{private.shortcode}"
    own = stack.slack.post_user_message(SANDBOX, "C0GENERAL", "U0CAROL", private_url)
    card = json.dumps(eventually(lambda: stack.slack.unfurls_of(SANDBOX, "C0GENERAL", own.ts))[private_url])
    assert "private account" in card and "image" not in card
    if private.caption is not None:
        assert private.caption.text[:20] not in card
    calls = len(stack.slack.api_calls("chat.unfurl"))
    # Other links are none of igbot's business.
    stack.slack.post_user_message(SANDBOX, "C0GENERAL", "U0ALICE", "https://www.instagram.com/alice/")
    assert stack.wait_idle()
    assert len(stack.slack.api_calls("chat.unfurl")) == calls
    assert stack.worker_errors() == []


def test_events_api_url_verification_and_a_retried_event_taken_once(stack: Stack) -> None:
    assert stack.slack.verify_request_url()
    stack.link("alice")
    published = len(stack.slack.api_calls("views.publish"))
    delivery = stack.slack.send_event(
        SANDBOX, {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}, first_timed_out=True
    )
    assert [a.retry_num for a in delivery.attempts][:2] == [0, 1]
    assert all(a.status == 200 for a in delivery.attempts)
    assert stack.wait_idle()
    assert len(stack.slack.api_calls("views.publish")) == published + 1


def test_an_enterprise_grid_install_is_refused_with_a_page_and_its_token_revoked(app_stack: Stack) -> None:
    page = app_stack.install("enterprise:E0GRID")
    assert page.status_code == 400 and "Enterprise Grid" in page.text
    assert app_stack.services.installations.find_bot(enterprise_id="E0GRID", team_id=None) is None
    assert app_stack.slack.api_calls("auth.revoke"), "the refused install's token was left alive"
    cancelled = app_stack.install(SANDBOX, decision="cancel")
    assert cancelled.status_code == 200 and "was not added" in cancelled.text
    assert app_stack.slack.installed_teams() in ([], ["E0GRID"])


def test_rotating_tokens_are_refreshed_before_they_expire(redis_url: str, redis_client: redis.Redis) -> None:
    running = start_stack(
        redis_url, oauth=True, slack_options={"token_rotation": True, "token_lifetime": 3600}
    )
    try:
        assert running.install(SANDBOX).status_code == 200
        first = running.slack.bot_of(SANDBOX)
        assert first is not None and first.token.startswith("xoxe.xoxb-")
        open_home(running)
        refreshed = [
            c for c in running.slack.api_calls("oauth.v2.access") if "refresh" in json.dumps(c.params)
        ]
        assert refreshed, "the token was not refreshed"
        assert running.slack.home_view(SANDBOX, "U0ALICE") is not None
        assert running.worker_errors() == []
    finally:
        running.close()


def test_the_follow_story_over_socket_mode(stack: Stack) -> None:
    hub = SocketHub()
    hub.start()
    stack.slack.socket = hub
    runner = SocketModeRunner(stack.igbot.bolt, stack.slack.app_token, ping_interval=2.0)
    try:
        runner.start()
        assert runner.wait_connected(10)
        assert hub.wait_until(lambda h: h.connected(), 5)
        first = stack.command("follow carol.private")
        assert first.error is None
        prompt = stack.wait_message("Connect Instagram", user_id="U0ALICE")
        page = stack.approve(login_url(prompt), username="alice")
        assert page.status_code == 200
        stack.wait_message("follow request was sent", user_id="U0ALICE", timeout=10)
        assert "carol.private" in stack.instagram.follows_of("alice")["requested"]
        assert stack.command("help").message is not None  # an answer in the ack, over the socket
        kinds = [d.envelope_type for d in hub.deliveries()]
        assert kinds.count("slash_commands") == 2 and all(d.acked for d in hub.deliveries())
        delivery = stack.slack.open_app_home(SANDBOX, "U0ALICE")  # events over the socket too
        assert delivery.attempts[-1].via == "socket"
        assert stack.wait_idle()
        assert stack.worker_errors() == []
    finally:
        runner.stop()
        hub.stop()


HOSTILE_REDIRECTS = [
    b"",
    b"code=abc",
    b"code=abc&state=",
    b"code=abc&state=not-a-state",
    b"state=x&code=%ff%fe",
    b"code=\xff\xfe&state=\xc3",
    b"error=access_denied&error=other",
    b"code=" + b"A" * 6000 + b"&state=" + b"B" * 6000,
    b"code[]=1&state[]=2",
]


def test_every_hostile_redirect_gets_a_page_and_installs_nothing(app_stack: Stack) -> None:
    host, port = app_stack.bot.url.removeprefix("http://").split(":")
    for query in HOSTILE_REDIRECTS:
        for cookie in (b"", b"slack-app-oauth-state=not-it", b"slack-app-oauth-state=\xff; a=="):
            raw = b"GET /slack/oauth_redirect?" + query + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            raw += (b"Cookie: " + cookie + b"\r\n" if cookie else b"") + b"\r\n"
            with socket.create_connection((host, int(port)), timeout=5) as conn:
                conn.sendall(raw)
                answer = b""
                while chunk := conn.recv(65536):
                    answer += chunk
            status = int(answer.split(b" ", 2)[1])
            assert status in (200, 400, 414, 431), (query[:40], cookie, answer[:200])
            assert b"Traceback" not in answer
    assert app_stack.slack.installed_teams() == []
    assert app_stack.services.installations.find_bot(enterprise_id=None, team_id=SANDBOX) is None


def test_connecting_from_the_home_tab_on_graph_offers_the_account_menu_by_direct_message(
    redis_url: str, redis_client: redis.Redis
) -> None:
    graph = start_stack(redis_url, api="graph")
    try:
        home = stack_home_button_url(graph)
        page = graph.approve(home, username="alice")  # two professional accounts: pick one in Slack
        assert page.status_code == 200 and "pick" in page.text.lower()
        picker = graph.slack.wait_for(lambda m: "Which one should igbot use?" in m.all_text(), timeout=10)
        assert picker.channel_id.startswith("D") and picker.valid, picker.describe()
        studio = next(
            a for a in graph.instagram.graph_accounts_of("alice") if a["username"] == "alice.studio"
        )
        graph.slack.select_option(picker, "ig_pick_account", studio["id"], user_id="U0ALICE")
        graph.wait_message("Connected as @alice.studio", user_id="U0ALICE", timeout=10)
        assert "@alice.studio" in open_home(graph)
        assert graph.worker_errors() == []
    finally:
        graph.close()


def stack_home_button_url(stack: Stack) -> str:
    """The Home tab's Connect button (a link to the Instagram approval page)."""
    open_home(stack)
    home = stack.slack.home_view(SANDBOX, "U0ALICE")
    assert home is not None
    button = next(b for b in home.buttons() if b.action_id == "ig_connect")
    assert button.url
    return str(button.url)


class Clock:
    """The stand-in's clock, ``offset`` seconds away from now."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def test_an_uninstall_handled_after_a_quick_reinstall_keeps_the_new_installation_and_what_came_since(
    redis_url: str, redis_client: redis.Redis
) -> None:
    clock = Clock()
    running = start_stack(redis_url, oauth=True, workers=0, slack_options={"clock": clock})
    try:
        assert running.install(SANDBOX).status_code == 200
        store = running.services.installations
        first = store.find_bot(enterprise_id=None, team_id=SANDBOX)
        first.installed_at = time.time() - 120  # installed two minutes ago
        store.save_bot(first)
        running.link("alice", user_id="U0ALICE")
        redis_client.hset("igbot:link:T0SANDBOX:U0ALICE", "linked_at", int(time.time()) - 60)  # a minute ago
        clock.offset = -30  # the uninstall came half a minute ago; its job waited (no worker ran)
        running.slack.uninstall(SANDBOX)
        clock.offset = 0
        assert store.find_bot(enterprise_id=None, team_id=SANDBOX) is None, (
            "the web tier kept the installation"
        )
        assert running.install(SANDBOX).status_code == 200  # added again since
        running.link("bob", user_id="U0BOB")
        assert running.workers is not None
        running.workers.start()
        running.wait_workers(1)
        assert running.wait_idle()
        assert running.services.installations.find_bot(enterprise_id=None, team_id=SANDBOX) is not None
        assert running.services.links.get(SANDBOX, "U0ALICE") is None, (
            "a link from before the uninstall stayed"
        )
        assert running.services.links.get(SANDBOX, "U0BOB") is not None, (
            "a link made after the reinstall went"
        )
        assert running.command("me", user_id="U0BOB").error is None
        assert running.worker_errors() == []
    finally:
        running.close()


def test_an_uninstall_while_instagram_is_down_still_forgets_everything(
    app_stack: Stack, redis_client: redis.Redis
) -> None:
    assert app_stack.install(SANDBOX).status_code == 200
    app_stack.link("alice")
    for target in ("#travel", "#food", "#sunset", "near 48.8584,2.2945"):  # API v1: real-time subscriptions
        app_stack.command(f"subscribe {target}")
    assert app_stack.wait_idle() and len(app_stack.services.feeds.owned_by(SANDBOX, "U0ALICE")) == 4
    # More failures than a job has attempts: cancelling every subscription fails, all the way through.
    app_stack.instagram.inject_faults(20, status=503)
    app_stack.slack.uninstall(SANDBOX)
    assert app_stack.wait_idle()
    assert mentions(redis_client, SANDBOX, "C0GENERAL") == {}
    assert app_stack.worker_errors() == []


def test_a_feed_of_a_workspace_whose_token_died_without_an_event_pauses_instead_of_retrying(
    app_stack: Stack,
) -> None:
    assert app_stack.install(SANDBOX).status_code == 200
    app_stack.link("alice")
    app_stack.command("subscribe #sunset")
    assert app_stack.wait_idle()
    app_stack.slack.installs.uninstall(SANDBOX)  # Slack removed igbot, and its events never arrived
    app_stack.instagram.add_media("bob", caption="Into the void", tags=["sunset"])
    app_stack.instagram.wait_pushes_idle()
    assert app_stack.wait_idle()
    feed = app_stack.services.feeds.feed(SANDBOX, "C0GENERAL", "tag:sunset")
    assert feed is not None and feed.paused == "workspace"
    assert app_stack.worker_errors() == []
    refused = [c for c in app_stack.slack.api_calls("chat.postMessage") if not c.ok]
    assert len(refused) == 1, "the post was retried against a dead token"
