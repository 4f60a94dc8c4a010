"""OAuth v2 install of the Slack stand-in: authorize page, oauth.v2.access, rotation, per-team tokens."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from igbot_sandboxes.slack import SlackSandbox
from igbot_sandboxes.slack.oauth import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.sandboxes.slack.helpers import SECRET, TOKEN, FakeClock

REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"
SCOPES = "commands,chat:write,links:read,links:write"


@pytest.fixture
def fresh(clock: FakeClock) -> Iterator[SlackSandbox]:
    """A started stand-in where nothing is installed yet."""
    sb = SlackSandbox(signing_secret=SECRET, bot_token=TOKEN, clock=clock, preinstalled=False)
    sb.start()
    yield sb
    sb.stop()


def _client(sb: SlackSandbox, token: str | None = None) -> WebClient:
    return WebClient(token=token, base_url=sb.api_url)


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def _access(sb: SlackSandbox, code: str, redirect_uri: str | None = REDIRECT) -> dict[str, object]:
    answer = _client(sb).oauth_v2_access(
        client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, code=code, redirect_uri=redirect_uri
    )
    return dict(answer.data)  # type: ignore[arg-type]


def _form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the authorize form."""
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page))


def test_authorize_page_allow_gives_a_code_that_installs_the_bot(fresh: SlackSandbox) -> None:
    query = {"client_id": DEFAULT_CLIENT_ID, "scope": SCOPES, "state": "st-1", "redirect_uri": REDIRECT}
    page = requests.get(f"{fresh.base_url}/oauth/v2/authorize", params=query, timeout=5)
    assert page.status_code == 200 and "igbot wants to join a workspace" in page.text
    assert 'value="T0OTHER"' in page.text and 'value="enterprise:E0GRID"' in page.text
    fields = {**_form_fields(page.text), "team": "T0OTHER", "decision": "allow"}
    back = requests.post(
        f"{fresh.base_url}/oauth/v2/authorize", data=fields, allow_redirects=False, timeout=5
    )
    assert back.status_code == 302 and back.headers["Location"].startswith(REDIRECT + "?")
    got = _query(back.headers["Location"])
    assert got["state"] == "st-1"
    answer = _access(fresh, got["code"])
    assert answer["ok"] is True and answer["token_type"] == "bot"
    assert answer["team"] == {"id": "T0OTHER", "name": "Other Team"} and answer["enterprise"] is None
    assert answer["is_enterprise_install"] is False and answer["bot_user_id"] == "U0OTHERBOT"
    assert answer["scope"] == SCOPES and str(answer["access_token"]).startswith("xoxb-")
    assert answer["authed_user"] == {"id": "U0ALICE"}
    token = str(answer["access_token"])
    who = _client(fresh, token).auth_test()
    assert (who["team_id"], who["user_id"], who["bot_id"]) == ("T0OTHER", "U0OTHERBOT", "B0OTHERBOT")
    assert fresh.installed_teams() == ["T0OTHER"]
    bot = fresh.bot_of("T0OTHER")
    assert bot is not None and bot.token == token
    general = fresh.workspace.channel("T0OTHER", "C0OTHERGENERAL")
    assert general is not None and "U0OTHERBOT" in general.members
    with pytest.raises(SlackApiError) as err:  # single use
        _access(fresh, got["code"])
    assert err.value.response["error"] == "invalid_code"


def test_cancel_unknown_client_and_bad_credentials(fresh: SlackSandbox) -> None:
    base = f"{fresh.base_url}/oauth/v2/authorize"
    bad = requests.get(base, params={"client_id": "nope"}, timeout=5)
    assert bad.status_code == 400 and "invalid_client_id" in bad.text
    fields = {"client_id": DEFAULT_CLIENT_ID, "state": "s", "redirect_uri": REDIRECT, "decision": "cancel"}
    back = requests.post(base, data=fields, allow_redirects=False, timeout=5)
    assert _query(back.headers["Location"]) == {"error": "access_denied", "state": "s"}
    code = _query(fresh.install("T0SANDBOX", redirect_uri=REDIRECT))["code"]
    api = f"{fresh.api_url}oauth.v2.access"
    form = {"code": code, "redirect_uri": REDIRECT}
    assert (
        requests.post(api, data={**form, "client_id": "x"}, timeout=5).json()["error"] == "invalid_client_id"
    )
    wrong = requests.post(api, data=form, auth=(DEFAULT_CLIENT_ID, "wrong"), timeout=5).json()
    assert wrong["error"] == "bad_client_secret"
    other = requests.post(
        api,
        data={**form, "redirect_uri": "http://evil/"},
        auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        timeout=5,
    ).json()
    assert other["error"] == "bad_redirect_uri"
    # the credentials may come as form fields too
    ok = requests.post(
        api, data={**form, "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}, timeout=5
    ).json()
    assert ok["ok"] is True
    assert all("client_secret" not in c.params for c in fresh.api_calls("oauth.v2.access"))


def test_code_expires_after_ten_minutes(fresh: SlackSandbox, clock: FakeClock) -> None:
    code = _query(fresh.install("T0SANDBOX", redirect_uri=REDIRECT))["code"]
    clock.advance(601)
    with pytest.raises(SlackApiError) as err:
        _access(fresh, code)
    assert err.value.response["error"] == "invalid_code"


def test_each_token_acts_in_its_own_team_and_uninstalled_tokens_die(fresh: SlackSandbox) -> None:
    with pytest.raises(SlackApiError) as err:  # not preinstalled: the configured token is unknown
        _client(fresh, TOKEN).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    tokens = {}
    for team in ("T0SANDBOX", "T0OTHER"):
        tokens[team] = str(
            _access(fresh, _query(fresh.install(team, redirect_uri=REDIRECT))["code"])["access_token"]
        )
    sandbox_bot = _client(fresh, tokens["T0SANDBOX"])
    assert sandbox_bot.auth_test()["user_id"] == "U0IGBOT"
    posted = sandbox_bot.chat_postMessage(channel="C0GENERAL", text="hi")
    assert posted["channel"] == "C0GENERAL"
    with pytest.raises(SlackApiError) as err:  # T0OTHER's bot cannot see T0SANDBOX's channel
        _client(fresh, tokens["T0OTHER"]).chat_postMessage(channel="C0RANDOM", text="hi")
    assert err.value.response["error"] == "channel_not_found"
    fresh.uninstall("T0OTHER")
    with pytest.raises(SlackApiError) as err:
        _client(fresh, tokens["T0OTHER"]).auth_test()
    assert err.value.response["error"] == "account_inactive"
    assert fresh.installed_teams() == ["T0SANDBOX"] and fresh.bot_of("T0OTHER") is None
    again = _access(fresh, _query(fresh.install("T0OTHER", redirect_uri=REDIRECT))["code"])
    assert again["access_token"] != tokens["T0OTHER"]  # after an uninstall: a new token


def test_reinstall_keeps_the_token_unless_configured_otherwise(fresh: SlackSandbox, clock: FakeClock) -> None:
    first = _access(
        fresh, _query(fresh.install("T0OTHER", redirect_uri=REDIRECT, scopes=["commands"]))["code"]
    )
    second = _access(
        fresh, _query(fresh.install("T0OTHER", redirect_uri=REDIRECT, scopes=SCOPES.split(",")))["code"]
    )
    assert first["access_token"] == second["access_token"]
    headers = _client(fresh, str(second["access_token"])).auth_test().headers
    assert headers["X-OAuth-Scopes"] == SCOPES
    strict = SlackSandbox(clock=clock, preinstalled=False, new_token_on_reinstall=True)
    strict.start()
    try:
        one = _access(strict, _query(strict.install("T0OTHER", redirect_uri=REDIRECT))["code"])
        two = _access(strict, _query(strict.install("T0OTHER", redirect_uri=REDIRECT))["code"])
        assert one["access_token"] != two["access_token"]
        with pytest.raises(SlackApiError) as err:
            _client(strict, str(one["access_token"])).auth_test()
        assert err.value.response["error"] == "invalid_auth"
        assert _client(strict, str(two["access_token"])).auth_test()["ok"] is True
    finally:
        strict.stop()


def test_enterprise_install_is_org_wide(fresh: SlackSandbox) -> None:
    code = _query(fresh.install("E0GRID", redirect_uri=REDIRECT))["code"]
    answer = _access(fresh, code)
    assert answer["is_enterprise_install"] is True and answer["team"] is None
    assert answer["enterprise"] == {"id": "E0GRID", "name": "Grid Org"}
    assert answer["authed_user"] == {"id": "W0ERIN"}
    who = _client(fresh, str(answer["access_token"])).auth_test()
    assert who["enterprise_id"] == "E0GRID" and who["is_enterprise_install"] is True
    assert fresh.installed_teams() == ["E0GRID"]
    bot = fresh.bot_of("T0GRIDA")
    assert bot is not None and bot.is_enterprise_install


def test_token_rotation_refresh_and_expiry(clock: FakeClock) -> None:
    sb = SlackSandbox(clock=clock, preinstalled=False, token_rotation=True, token_lifetime=3600)
    sb.start()
    try:
        code = _query(sb.install("T0OTHER", redirect_uri=REDIRECT, user_scopes=["identity.basic"]))["code"]
        answer = _access(sb, code)
        access, refresh = str(answer["access_token"]), str(answer["refresh_token"])
        assert access.startswith("xoxe.xoxb-") and refresh.startswith("xoxe-1-")
        assert answer["expires_in"] == 3600
        user = answer["authed_user"]
        assert isinstance(user, dict) and str(user["access_token"]).startswith("xoxe.xoxp-")
        assert _client(sb, str(user["access_token"])).auth_test()["user_id"] == "U0ALICE"
        renewed = _client(sb).oauth_v2_access(
            client_id=DEFAULT_CLIENT_ID,
            client_secret=DEFAULT_CLIENT_SECRET,
            grant_type="refresh_token",
            refresh_token=refresh,
        )
        assert renewed["access_token"] != access and renewed["refresh_token"] != refresh
        assert _client(sb, access).auth_test()["ok"] is True  # the old one lives until its own expiry
        clock.advance(3601)
        for token in (access, str(renewed["access_token"])):
            with pytest.raises(SlackApiError) as err:
                _client(sb, token).chat_postMessage(channel="C0OTHERGENERAL", text="x")
            assert err.value.response["error"] == "token_expired"
        with pytest.raises(SlackApiError) as err:  # a refresh token is single use
            _client(sb).oauth_v2_access(
                client_id=DEFAULT_CLIENT_ID,
                client_secret=DEFAULT_CLIENT_SECRET,
                grant_type="refresh_token",
                refresh_token=refresh,
            )
        assert err.value.response["error"] == "invalid_refresh_token"
        newest = _client(sb).oauth_v2_access(
            client_id=DEFAULT_CLIENT_ID,
            client_secret=DEFAULT_CLIENT_SECRET,
            grant_type="refresh_token",
            refresh_token=str(renewed["refresh_token"]),
        )
        assert _client(sb, str(newest["access_token"])).auth_test()["team_id"] == "T0OTHER"
        assert sb.expire_tokens("T0OTHER") >= 1
        with pytest.raises(SlackApiError) as err:
            _client(sb, str(newest["access_token"])).auth_test()
        assert err.value.response["error"] == "token_expired"
    finally:
        sb.stop()


def test_auth_revoke_and_app_token(sandbox: SlackSandbox) -> None:
    client = _client(sandbox, TOKEN)
    assert client.auth_revoke(test=True)["revoked"] is False
    assert client.auth_test()["ok"] is True
    assert client.auth_revoke()["revoked"] is True
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response["error"] == "token_revoked"
    app = _client(sandbox, "xapp-1-sandbox-app-token")
    with pytest.raises(SlackApiError) as err:
        app.apps_connections_open(app_token="xapp-1-sandbox-app-token")
    assert err.value.response["error"] == "socket_mode_not_enabled"
    with pytest.raises(SlackApiError) as err:
        app.auth_test()
    assert err.value.response["error"] == "not_allowed_token_type"


def test_apps_connections_open_with_a_socket_hub(clock: FakeClock) -> None:
    sb = SlackSandbox(clock=clock)
    sb.start()

    class Hub:
        def connected(self) -> bool:
            return False

        def open_url(self) -> str:
            return "ws://127.0.0.1:1/link/?ticket=t"

    try:
        sb.socket = Hub()
        client = WebClient(base_url=sb.api_url)
        assert (
            client.apps_connections_open(app_token=sb.app_token)["url"] == "ws://127.0.0.1:1/link/?ticket=t"
        )
        with pytest.raises(SlackApiError) as err:
            client.apps_connections_open(app_token=sb.bot_token)
        assert err.value.response["error"] == "not_allowed_token_type"
        with pytest.raises(SlackApiError) as err:
            client.apps_connections_open(app_token="xapp-unknown")
        assert err.value.response["error"] == "invalid_auth"
    finally:
        sb.stop()


def test_console_knows_installs_and_the_bot_install_url(sandbox: SlackSandbox) -> None:
    sandbox.bot_url = "http://127.0.0.1:9/slack/events"
    info = requests.get(f"{sandbox.base_url}/console/info", timeout=5).json()
    assert info["install_url"] == "http://127.0.0.1:9/slack/install"
    teams = requests.get(f"{sandbox.base_url}/__sandbox__/workspace", timeout=5).json()["teams"]
    assert {t["id"]: t["installed"] for t in teams} == {"T0SANDBOX": True, "T0OTHER": False, "T0GRIDA": False}
    url = requests.post(
        f"{sandbox.base_url}/__sandbox__/install", json={"team_id": "T0OTHER"}, timeout=5
    ).json()
    assert url["redirect"].startswith("http://127.0.0.1:9/slack/oauth_redirect?code=")
