"""Which bot token speaks in each workspace (bot.slack.workspaces), on a real Redis store and a Slack
stand-in for ``oauth.v2.access`` over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from cryptography.fernet import Fernet
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot

from bot.slack.workspaces import NOT_INSTALLED, InstalledWorkspaces, StaticWorkspaces
from bot.storage.crypto import TokenCipher
from bot.storage.installations import RedisInstallationStore
from igbot_sandboxes.slack import SlackSandbox

CLIENT_ID, CLIENT_SECRET = "sandbox-slack-client-id", "sandbox-slack-client-secret"


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    """The stand-in with token rotation, igbot installed in T0SANDBOX with a token living an hour."""
    sandbox = SlackSandbox(preinstalled=False, token_rotation=True, token_lifetime=3600)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _installed(slack: SlackSandbox, store: RedisInstallationStore) -> Bot:
    """Install by OAuth into T0SANDBOX and save the bot as Bolt's flow would."""
    url = slack.install("T0SANDBOX", redirect_uri="http://127.0.0.1:1/slack/oauth_redirect")
    code = url.split("code=", 1)[1].split("&", 1)[0]
    answer = slack.oauth_access({"code": code, "redirect_uri": "http://127.0.0.1:1/slack/oauth_redirect"},
                                (CLIENT_ID, CLIENT_SECRET))  # fmt: skip
    bot = Bot(
        app_id=answer["app_id"],
        enterprise_id=None,
        team_id="T0SANDBOX",
        bot_token=answer["access_token"],
        bot_refresh_token=answer["refresh_token"],
        bot_token_expires_at=int(time.time()) + int(answer["expires_in"]),
        bot_id="B0IGBOT",
        bot_user_id=answer["bot_user_id"],
        bot_scopes=answer["scope"],
        installed_at=time.time(),
    )
    store.save_bot(bot)
    return bot


def _workspaces(
    client: redis.Redis, slack: SlackSandbox
) -> tuple[InstalledWorkspaces, RedisInstallationStore]:
    store = RedisInstallationStore(client, TokenCipher([Fernet.generate_key().decode()]), client_id=CLIENT_ID)
    spaces = InstalledWorkspaces(
        store, slack.api_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, lock_client=client
    )
    return spaces, store


def test_a_token_within_two_hours_of_expiry_is_refreshed_once_but_never_on_the_ack_path(
    redis_client: redis.Redis, slack: SlackSandbox
) -> None:
    spaces, store = _workspaces(redis_client, slack)
    first = _installed(slack, store)
    unrefreshed = spaces.bot("T0SANDBOX", refresh=False)
    assert unrefreshed is not None and unrefreshed.token == first.bot_token
    assert slack.api_calls("oauth.v2.access") == [], "the ack path called Slack"
    fresh = spaces.bot("T0SANDBOX")
    assert fresh is not None and fresh.token != first.bot_token
    saved = store.find_bot(enterprise_id=None, team_id="T0SANDBOX")
    assert saved is not None and saved.bot_token == fresh.token
    assert spaces.client("T0SANDBOX").auth_test()["team_id"] == "T0SANDBOX"
    # Another process holding the refresh lock: this one goes on with the current, still valid token.
    redis_client.set("igbot:slack-rotate:T0SANDBOX", "1", ex=30)
    calls = len(slack.api_calls("oauth.v2.access"))
    current = store.find_bot(enterprise_id=None, team_id="T0SANDBOX")
    again = spaces.bot("T0SANDBOX")
    assert again is not None and current is not None and again.token == current.bot_token
    assert len(slack.api_calls("oauth.v2.access")) == calls


def test_slack_unreachable_for_a_refresh_keeps_the_current_token(
    redis_client: redis.Redis, slack: SlackSandbox
) -> None:
    spaces, store = _workspaces(redis_client, slack)
    first = _installed(slack, store)
    slack.stop()  # oauth.v2.access cannot be reached
    bot = spaces.bot("T0SANDBOX")
    assert bot is not None and bot.token == first.bot_token
    assert redis_client.get("igbot:slack-rotate:T0SANDBOX") is None, "the refresh lock was left behind"


def test_a_team_without_installation_gets_a_client_that_refuses_before_calling(
    redis_client: redis.Redis, slack: SlackSandbox
) -> None:
    spaces, _ = _workspaces(redis_client, slack)
    assert spaces.bot("T0NOBODY") is None and spaces.bot("") is None
    with pytest.raises(SlackApiError) as refused:
        spaces.client("T0NOBODY").chat_postMessage(channel="C1", text="hi")
    assert refused.value.response.get("error") == NOT_INSTALLED
    assert slack.api_calls() == []


def test_the_single_workspace_token_speaks_for_every_team() -> None:
    spaces = StaticWorkspaces("https://slack.example/api/", "xoxb-1")
    assert spaces.bot("T1") is not None and spaces.bot("T2").token == "xoxb-1"  # type: ignore[union-attr]
    assert spaces.client("T1") is spaces.client("T2") and spaces.client(
        "T1", paced=True
    ) is not spaces.client("T1")


def test_with_slack_bot_token_too_a_team_without_installation_keeps_that_token(
    redis_client: redis.Redis, slack: SlackSandbox
) -> None:
    store = RedisInstallationStore(
        redis_client, TokenCipher([Fernet.generate_key().decode()]), client_id=CLIENT_ID
    )
    spaces = InstalledWorkspaces(store, slack.api_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                 lock_client=redis_client, fallback_token="xoxb-from-before")  # fmt: skip
    before = spaces.bot("T0SANDBOX")
    assert before is not None and before.token == "xoxb-from-before"
    installed = _installed(slack, store)
    assert spaces.bot("T0SANDBOX", refresh=False).token == installed.bot_token  # type: ignore[union-attr]
