"""igbot's "Add to Slack" flow (bot.web.install) on Bolt's OAuthFlow: the pages it answers when Slack or
Redis fail, with real Redis stores and a Slack that cannot be reached."""

from __future__ import annotations

import redis
from cryptography.fernet import Fernet
from redis.backoff import NoBackoff
from redis.retry import Retry
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.storage.crypto import TokenCipher
from bot.storage.installations import RedisInstallationStore, RedisOAuthStateStore
from bot.web.install import oauth_flow
from igbot_sandboxes.slack import SlackSandbox

UNREACHABLE = "http://127.0.0.1:9/api/"  # the discard port: connection refused


def _flow(client: redis.Redis) -> tuple[object, RedisInstallationStore, RedisOAuthStateStore]:
    store = RedisInstallationStore(client, TokenCipher([Fernet.generate_key().decode()]), client_id="1.2")
    states = RedisOAuthStateStore(client)
    flow = oauth_flow(
        client_id="1.2",
        client_secret="s",
        public_url="https://igbot.example",
        slack_web_url="https://slack.example",
        api_client=WebClient(base_url=UNREACHABLE, timeout=1),
        installation_store=store,
        state_store=states,
    )
    return flow, store, states


def test_slack_unreachable_for_the_code_exchange_is_a_page_and_installs_nothing(
    redis_client: redis.Redis,
) -> None:
    flow, store, states = _flow(redis_client)
    page = flow.handle_installation(BoltRequest(body="", query="", headers={}))  # type: ignore[attr-defined]
    assert page.status == 200 and 'id="add-to-slack"' in page.body
    cookie = page.headers["set-cookie"][0].split(";", 1)[0]
    state = cookie.split("=", 1)[1]
    answer = flow.handle_callback(  # type: ignore[attr-defined]
        BoltRequest(body="", query=f"code=c0de&state={state}", headers={"cookie": cookie})
    )
    assert answer.status == 502 and "Slack didn" in answer.body and "Traceback" not in answer.body
    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert not states.consume(state), "the state was not used up"


def test_every_failure_reason_has_igbots_page(redis_client: redis.Redis) -> None:
    flow, _, _ = _flow(redis_client)
    for query, cookie, status, words in (
        ("error=access_denied&state=x", "", 200, "was not added"),
        ("code=c&state=x", "", 400, "another browser"),
        ("code=c&state=x", "slack-app-oauth-state=x", 400, "expired or was used"),
    ):
        headers = {"cookie": cookie} if cookie else {}
        answer = flow.handle_callback(BoltRequest(body="", query=query, headers=headers))  # type: ignore[attr-defined]
        assert answer.status == status and words in answer.body, (query, answer.status, answer.body[:300])


def test_an_installation_redis_cannot_save_is_the_storage_page(redis_client: redis.Redis) -> None:
    slack = SlackSandbox(preinstalled=False)
    slack.start()
    try:
        down = redis.Redis(unix_socket_path="/nonexistent/redis.sock", socket_connect_timeout=0.2,
                           retry=Retry(NoBackoff(), 0))  # fmt: skip
        store = RedisInstallationStore(down, TokenCipher([Fernet.generate_key().decode()]), client_id="1.2")
        states = RedisOAuthStateStore(redis_client)
        flow = oauth_flow(
            client_id=slack.client_id,
            client_secret=slack.client_secret,
            public_url="https://igbot.example",
            slack_web_url=slack.base_url or "",
            api_client=WebClient(base_url=slack.api_url, timeout=2),
            installation_store=store,
            state_store=states,
        )
        page = flow.handle_installation(BoltRequest(body="", query="", headers={}))
        cookie = page.headers["set-cookie"][0].split(";", 1)[0]
        state = cookie.split("=", 1)[1]
        back = slack.install(
            "T0SANDBOX", redirect_uri="https://igbot.example/slack/oauth_redirect", state=state
        )
        answer = flow.handle_callback(
            BoltRequest(body="", query=back.split("?", 1)[1], headers={"cookie": cookie})
        )
        assert answer.status == 503 and "save the installation" in answer.body
    finally:
        slack.stop()
