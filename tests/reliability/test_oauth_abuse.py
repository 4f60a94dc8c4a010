"""What anyone can send to `GET /instagram/callback`, and how OAuth state holds up (docs/security.md, 2).

A forged or replayed redirect must answer an escaped error page, exchange no code, store nothing and
never burn a pending link of a real user. Pages are checked for secrets and security headers.
"""

from __future__ import annotations

import base64
import re
import secrets

import pytest
import redis
import requests

from bot.storage.keys import link_key, state_key
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import (
    answer,
    callback_url,
    consent,
    login_url,
    open_callback,
    query_param,
    with_params,
)
from tests.stack import TEAM, Stack


def _login(stack: Stack, user_id: str = "U0ALICE", channel_id: str | None = None) -> str:
    """Run `/ig login` as ``user_id``; the Connect button's authorize URL."""
    channel = channel_id or f"C0LOGIN{secrets.token_hex(3).upper()}"
    stack.command("login", user_id=user_id, channel_id=channel)
    return login_url(answer(stack, channel))


def _exchanges(stack: Stack) -> int:
    return sum(1 for r in stack.instagram.requests_log() if r["path"] == "/oauth/access_token")


def test_callbacks_without_a_usable_state_change_nothing_and_burn_no_pending_link(
    stack: Stack, redis_client: redis.Redis
) -> None:
    pending = _login(stack)
    state = query_param(pending, "state")
    forged = {
        "no parameters": {},
        "code only": {"code": "stolen-code-123"},
        "error only": {"error": "access_denied"},
        "empty state": {"state": "", "code": "abc"},
        "unknown state": {"state": secrets.token_urlsafe(32), "code": "abc"},
        "state one character off": {"state": state[:-1] + ("A" if state[-1] != "A" else "B"), "code": "x"},
        "state prefix": {"state": state[:20], "code": "abc"},
        "state with a wildcard": {"state": "*", "code": "abc"},
        "state of another key": {"state": f"x\r\nDEL {state_key(state)}", "code": "abc"},
        "200-character state": {"state": "s" * 200, "code": "abc"},
        "3000-character state": {"state": "s" * 3000, "code": "abc"},
        "HTML state": {"state": "<script>alert(1)</script>", "code": "<img src=x>"},
    }
    for name, params in forged.items():
        page = open_callback(stack, callback_url(stack, **params))
        assert FIGURES.attack(f"callback with {name}", page.status_code), (name, page.status_code)
        assert page.status_code == 400 and "<script" not in page.text and "<img" not in page.text
    assert _exchanges(stack) == 0
    assert redis_client.keys("igbot:link:*") == []
    assert redis_client.exists(state_key(state)), "a forged callback burned a real pending link"
    assert open_callback(stack, consent(stack, pending)).status_code == 200


def test_states_carry_at_least_128_random_bits_and_expire_within_10_minutes(
    stack: Stack, redis_client: redis.Redis
) -> None:
    states = [query_param(_login(stack, channel_id=f"C0ENTROPY{i}"), "state") for i in range(24)]
    assert len(set(states)) == len(states)
    raw = [base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)) for s in states]
    assert all(len(r) * 8 >= 128 for r in raw), [len(r) for r in raw]
    ones = sum(bin(byte).count("1") for r in raw for byte in r)
    total = sum(len(r) * 8 for r in raw)
    assert 0.45 < ones / total < 0.55, "state bits are not balanced: not random"
    for state in states:
        assert 0 < redis_client.ttl(state_key(state)) <= 600


def test_the_exchange_sends_the_authorize_redirect_uri_byte_for_byte(stack: Stack) -> None:
    url = _login(stack)
    assert open_callback(stack, consent(stack, url)).status_code == 200
    log = stack.instagram.requests_log()
    authorize = next(r for r in log if r["path"] == "/oauth/authorize" and r["method"] == "GET")
    exchange = next(r for r in log if r["path"] == "/oauth/access_token")
    sent = exchange["form"]["redirect_uri"]
    assert sent == authorize["query"]["redirect_uri"] == query_param(url, "redirect_uri")
    assert sent.encode() == stack.igbot.settings.redirect_uri.encode()


def test_a_link_started_by_another_slack_user_is_stored_for_that_user_and_named_on_the_page(
    stack: Stack, redis_client: redis.Redis
) -> None:
    # Mallory sends Alice her own Connect link; Alice approves it with her Instagram account.
    stack.link("alice", user_id="U0ALICE")
    alice_before = redis_client.hgetall(link_key(TEAM, "U0ALICE"))
    mallorys_link = _login(stack, user_id="U0MALLORY", channel_id="C0MALLORY")
    page = open_callback(stack, consent(stack, mallorys_link, username="alice"))
    # The defence is visibility: the page names the Slack user the approval goes to.
    assert page.status_code == 200
    assert "Slack user @u0mallory" in page.text and "Instagram account @alice" in page.text
    assert "run /ig logout" in page.text
    assert redis_client.hgetall(link_key(TEAM, "U0ALICE")) == alice_before
    confirmation = stack.wait_message("Connected as @alice", user_id="U0MALLORY")
    assert confirmation.ephemeral and confirmation.user_id == "U0MALLORY"


def test_an_injected_code_works_once_and_its_owner_sees_the_failure(
    stack: Stack, redis_client: redis.Redis
) -> None:
    # Alice's browser is about to open her callback; Mallory got hold of the code first and sends it
    # with the state of her own flow. Nothing can bind a v1 code to our state (no PKCE): what holds
    # is that a code works once, that both pages say who was linked, and that Alice's try fails loudly.
    alices = consent(stack, _login(stack, user_id="U0ALICE", channel_id="C0ALICE"), username="alice")
    mallorys = _login(stack, user_id="U0MALLORY", channel_id="C0MALLORY")
    injected = with_params(alices, state=query_param(mallorys, "state"))
    page = open_callback(stack, injected)
    assert page.status_code == 200 and "Slack user @u0mallory" in page.text and "@alice" in page.text
    own = open_callback(stack, alices)
    assert own.status_code == 400 and "did not accept" in own.text
    assert not redis_client.exists(link_key(TEAM, "U0ALICE"))
    # And the same code cannot be injected twice.
    again = with_params(
        alices, state=query_param(_login(stack, user_id="U0EVE", channel_id="C0EVE"), "state")
    )
    replayed = open_callback(stack, again)
    assert FIGURES.attack("code replayed with a third state", replayed.status_code)
    assert not redis_client.exists(link_key(TEAM, "U0EVE"))


def test_error_redirects_store_nothing_exchange_nothing_and_escape_what_they_show(
    stack: Stack, redis_client: redis.Redis
) -> None:
    variants = {
        "user denied": {"error": "access_denied", "error_reason": "user_denied",
                        "error_description": "The user denied your request"},
        "server error": {"error": "server_error"},
        "empty error": {"error": ""},
        "error and a code": {"error": "access_denied", "code": "code-with-an-error-123"},
        "HTML error": {"error": "<script>alert(1)</script>", "error_reason": "<b>x</b>",
                       "error_description": "<img src=x onerror=alert(1)>"},
    }  # fmt: skip
    for index, (name, params) in enumerate(variants.items()):
        channel = f"C0ERROR{index}"
        url = _login(stack, channel_id=channel)
        page = open_callback(stack, callback_url(stack, state=query_param(url, "state"), **params))
        assert page.status_code == 200 and "not linked" in page.text, name
        for tag in ("<script", "<b>", "<img"):
            assert tag not in page.text, (name, tag)
        told = stack.slack.wait_for(lambda m, c=channel: m.channel_id == c and "wasn't connected" in m.text)
        assert told.ephemeral
        # The state is used up: the same link cannot be used for an approval afterwards.
        again = open_callback(stack, callback_url(stack, state=query_param(url, "state"), code="x"))
        assert FIGURES.attack(f"state reused after {name}", again.status_code)
    unknown = open_callback(stack, callback_url(stack, state=secrets.token_urlsafe(32), error="x"))
    assert FIGURES.attack("error with an unknown state", unknown.status_code)
    assert _exchanges(stack) == 0
    assert redis_client.keys("igbot:link:*") == []


# werkzeug (the test server; gunicorn answers the same 414) logs the refused 70 KB request line.
URI_TOO_LONG = re.compile(r" werkzeug ERROR .* code 414, message Request-URI Too Long$")


@pytest.mark.stack(expect_errors=[URI_TOO_LONG])
def test_overlong_parameters_are_refused_before_the_state_is_used(
    stack: Stack, redis_client: redis.Redis
) -> None:
    url = _login(stack)
    state = query_param(url, "state")
    for name, params in {
        "5000-character code": {"state": state, "code": "c" * 5000},
        "5000-character error description": {"state": state, "error": "x", "error_description": "d" * 5000},
        "60 KB extra parameter": {"state": state, "code": "abc", "padding": "p" * 60_000},
    }.items():
        page = open_callback(stack, callback_url(stack, **params))
        assert FIGURES.attack(name, page.status_code)
        assert redis_client.exists(state_key(state)), f"{name} burned the pending link"
    huge = f"{callback_url(stack, state=state, code='abc')}&pad={'p' * 70_000}"
    refused = open_callback_raw(stack, huge)
    assert FIGURES.attack("70 KB request line", refused)
    assert _exchanges(stack) == 0 and redis_client.keys("igbot:link:*") == []
    assert open_callback(stack, consent(stack, url)).status_code == 200


def open_callback_raw(stack: Stack, url: str) -> int:
    """Status of a callback request the server may refuse before the app sees it (e.g. 414)."""
    return requests.get(url, timeout=10).status_code
