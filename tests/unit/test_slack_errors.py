"""Slack's refusals as typed errors (bot.slack.errors), raised by igbot's Web API client over real HTTP to
the Slack stand-in; and a check that product code never matches Slack's error strings itself."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import errors
from bot.slack.errors import (
    FAMILIES,
    BlocksRefused,
    ChannelArchived,
    ChannelGone,
    MissingScope,
    RateLimited,
    ResponseUrlSpent,
    SlackError,
    TokenRefused,
    Transient,
    WorkspaceGone,
    classify,
)
from bot.slack.workspaces import InstalledWorkspaces, StaticWorkspaces
from bot.storage.crypto import TokenCipher
from bot.storage.installations import RedisInstallationStore
from igbot_sandboxes.slack import SlackSandbox

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-typed-errors"
NOW = 1_800_000_000.0

# What igbot does something about, written out by hand: a code moved to another family, or dropped from
# the table, fails here.
EXPECTED: dict[str, type[SlackError]] = {
    "channel_not_found": ChannelGone,
    "not_in_channel": ChannelGone,
    "is_archived": ChannelArchived,
    "missing_scope": MissingScope,
    "not_allowed_token_type": TokenRefused,
    "not_installed": WorkspaceGone,
    "invalid_auth": WorkspaceGone,
    "not_authed": WorkspaceGone,
    "account_inactive": WorkspaceGone,
    "token_revoked": WorkspaceGone,
    "ratelimited": RateLimited,
    "service_unavailable": Transient,
    "fatal_error": Transient,
    "internal_error": Transient,
    "request_timeout": Transient,
    "invalid_blocks": BlocksRefused,
    "used_url": ResponseUrlSpent,
    "expired_url": ResponseUrlSpent,
    "no_service": ResponseUrlSpent,
}


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    """The stand-in on a clock that stands still (its posting rate is then exact)."""
    sandbox = SlackSandbox(bot_token=TOKEN, clock=lambda: NOW)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def test_the_table_maps_every_code_igbot_tells_apart_to_its_family() -> None:
    assert dict(FAMILIES) == EXPECTED
    for code, family in EXPECTED.items():
        assert errors.family(code) is family and issubclass(family, SlackApiError)
    assert errors.family("cant_update_message") is SlackError  # one igbot does not tell apart
    assert issubclass(ChannelArchived, ChannelGone) and issubclass(RateLimited, Transient)
    assert issubclass(WorkspaceGone, TokenRefused) and not issubclass(TokenRefused, WorkspaceGone)


def _refusal(call: Callable[[], object]) -> SlackApiError:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value


def test_igbots_client_raises_each_refusal_as_its_family(slack: SlackSandbox) -> None:
    client = StaticWorkspaces(slack.api_url, TOKEN).client("T0SANDBOX")
    no_alt_text = [{"type": "image", "image_url": "http://127.0.0.1:1/x.png"}]

    def refused(call: Callable[[], object], family: type[SlackError], code: str) -> SlackError:
        error = _refusal(call)
        assert type(error) is family, code
        assert isinstance(error, SlackError) and (error.code, error.response["error"]) == (code, code)
        return error

    refused(lambda: client.chat_postMessage(channel="C0GENERAL", text="x", blocks=no_alt_text),
            BlocksRefused, "invalid_blocks")  # fmt: skip
    refused(lambda: client.chat_postMessage(channel="C0GENERAL", text="x", thread_ts="0"),
            SlackError, "invalid_thread_ts")  # fmt: skip
    refused(
        lambda: client.chat_unfurl(channel="C0GENERAL", ts="1.2", unfurls={}), MissingScope, "missing_scope"
    )
    refused(lambda: client.chat_postMessage(channel="C0DELETED", text="x"), ChannelGone, "channel_not_found")
    slack.set_bot_member("C0GENERAL", False)
    refused(lambda: client.chat_postMessage(channel="C0GENERAL", text="x"), ChannelGone, "not_in_channel")
    slack.set_archived("C0RANDOM", True)
    refused(lambda: client.chat_postMessage(channel="C0RANDOM", text="x"), ChannelArchived, "is_archived")
    unknown = StaticWorkspaces(slack.api_url, "xoxb-unknown").client("T1")
    refused(unknown.auth_test, WorkspaceGone, "invalid_auth")
    app_token = StaticWorkspaces(slack.api_url, slack.app_token).client("T1")
    wrong_kind = refused(app_token.auth_test, TokenRefused, "not_allowed_token_type")
    assert not isinstance(wrong_kind, WorkspaceGone)  # an operator's mistake, not a gone workspace


def test_a_rate_limited_paced_post_says_how_long_to_wait(slack: SlackSandbox) -> None:
    slack.set_post_rate(0.5, burst=1)
    paced = StaticWorkspaces(slack.api_url, TOKEN).client("T0SANDBOX", paced=True)
    paced.chat_postMessage(channel="C0GENERAL", text="first")

    refused = _refusal(lambda: paced.chat_postMessage(channel="C0GENERAL", text="second"))

    assert isinstance(refused, RateLimited) and isinstance(refused, Transient)
    assert refused.retry_after == 2.0 and refused.response.status_code == 429


def test_slack_being_down_is_transient(slack: SlackSandbox) -> None:
    slack.webapi_down = True
    refused = _refusal(lambda: StaticWorkspaces(slack.api_url, TOKEN).client("T1").auth_test())
    assert type(refused) is Transient and refused.code == "service_unavailable"


def test_a_team_without_installation_is_a_gone_workspace(
    redis_client: redis.Redis, slack: SlackSandbox
) -> None:
    store = RedisInstallationStore(redis_client, TokenCipher([Fernet.generate_key().decode()]), client_id="c")
    spaces = InstalledWorkspaces(
        store, slack.api_url, client_id="c", client_secret="s", lock_client=redis_client
    )
    refused = _refusal(lambda: spaces.client("T0NOBODY").chat_postMessage(channel="C1", text="hi"))
    assert isinstance(refused, WorkspaceGone) and refused.code == errors.NOT_INSTALLED
    assert slack.api_calls() == []


def test_a_bare_slack_sdk_refusal_is_classified_with_its_response(slack: SlackSandbox) -> None:
    """Bolt's own client (Socket Mode's ``apps.connections.open``) raises slack_sdk's bare error."""
    bare = _refusal(lambda: WebClient(token="xoxb-unknown", base_url=slack.api_url).auth_test())
    assert type(bare) is SlackApiError
    typed = classify(bare)
    assert isinstance(typed, WorkspaceGone) and typed.response is bare.response
    assert classify(typed) is typed
    assert "\nThe server responded with:" in str(typed) and str(typed).count("responded with") == 1


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"Retry-After": "3"}, 3.0), ({"retry-after": "0.5"}, 0.5), ({}, 1.0), ({"Retry-After": "soon"}, 1.0)],
)
def test_retry_after_reads_slacks_header(headers: dict[str, str], seconds: float) -> None:
    class Response(dict[str, Any]):
        pass

    response = Response(ok=False, error="ratelimited")
    response.headers = headers  # type: ignore[attr-defined]
    assert RateLimited("limited", response).retry_after == seconds


# --- no Slack error string outside bot/slack/errors.py --------------------------------------------------

# The one module that spells Slack's codes, and what is not igbot's Slack side.
ALLOWED = ("bot/slack/errors.py", "bot/instagram/")


def slack_code_matches(source: str) -> list[str]:
    """Where ``source`` spells a code of the table, or reads a response's ``"error"`` itself (sorted)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in FAMILIES:
            found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "error":
                found.append(f"line {node.lineno}: .get('error')")
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "error"
        ):
            found.append(f"line {node.lineno}: ['error']")
    return sorted(found)


def test_the_check_sees_string_matches() -> None:
    assert slack_code_matches('if exc.response.get("error") in ("x", "is_archived"): pass') == [
        "line 1: 'is_archived'",
        "line 1: .get('error')",
    ]
    assert slack_code_matches('x = r["error"] == "ratelimited"') == [
        "line 1: 'ratelimited'",
        "line 1: ['error']",
    ]
    assert slack_code_matches("try:\n    pass\nexcept ChannelGone as exc:\n    log(exc.code)") == []


def test_no_slack_error_is_matched_by_string_outside_the_slack_client_layer() -> None:
    offenders = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(ALLOWED):
            continue
        found = slack_code_matches(path.read_text(encoding="utf-8"))
        if found:
            offenders[relative] = found
    assert offenders == {}, "catch the family from bot.slack.errors instead (add the code to its table)"
