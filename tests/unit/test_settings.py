"""Settings from the environment: defaults, and one clear line per problem."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.settings import Settings, SettingsError

KEY = Fernet.generate_key().decode()
BASE = {
    "SLACK_SIGNING_SECRET": "s3cret",
    "SLACK_BOT_TOKEN": "xoxb-1-2",
    "INSTAGRAM_CLIENT_ID": "cid",
    "INSTAGRAM_CLIENT_SECRET": "csecret",
    "TOKEN_ENCRYPTION_KEYS": KEY,
}


def test_defaults_match_the_design() -> None:
    s = Settings.from_env(BASE)
    assert s.instagram_api == "legacy"
    assert s.instagram_api_url == "https://api.instagram.com/v1"
    assert s.instagram_authorize_url == "https://api.instagram.com/oauth/authorize"
    assert s.instagram_token_url == "https://api.instagram.com/oauth/access_token"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.public_url == "http://localhost:3000"
    assert s.redirect_uri == "http://localhost:3000/instagram/callback"
    assert s.redis_url is None
    assert s.port == 3000
    assert s.slack_web_url == "https://slack.com"
    assert not s.instagram_urls_are_loopback


def test_secrets_do_not_show_in_repr() -> None:
    text = repr(Settings.from_env(BASE))
    for secret in ("s3cret", "xoxb-1-2", "csecret", KEY):
        assert secret not in text


def test_every_problem_is_reported_on_its_own_line() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxp-user",
                "TOKEN_ENCRYPTION_KEYS": "not-a-key",
                "PORT": "http",
                "INSTAGRAM_API": "v2",
                "INSTAGRAM_API_URL": "http://api.example.com/v1",
                "REDIS_URL": "mysql://x",
            }
        )
    problems = info.value.problems
    assert "SLACK_SIGNING_SECRET is not set" in problems
    assert "INSTAGRAM_CLIENT_ID is not set" in problems
    assert any(p.startswith("SLACK_BOT_TOKEN must be a bot token") for p in problems)
    assert any(p.startswith("TOKEN_ENCRYPTION_KEYS key #1") for p in problems)
    assert any(p.startswith("PORT must be") for p in problems)
    assert any(p.startswith("INSTAGRAM_API must be") for p in problems)
    assert any(p.startswith("INSTAGRAM_API_URL must use https") for p in problems)
    assert any(p.startswith("REDIS_URL must") for p in problems)
    assert all("\n" not in p for p in problems)


def test_loopback_sandboxes_may_use_plain_http() -> None:
    s = Settings.from_env(
        {
            **BASE,
            "INSTAGRAM_API_URL": "http://127.0.0.1:8700/v1",
            "INSTAGRAM_AUTHORIZE_URL": "http://localhost:8700/oauth/authorize",
            "INSTAGRAM_TOKEN_URL": "http://[::1]:8700/oauth/access_token",
            "SLACK_API_URL": "http://127.0.0.1:8800/api",
        }
    )
    assert s.instagram_urls_are_loopback
    assert s.slack_api_url == "http://127.0.0.1:8800/api/"
    assert s.slack_web_url == "http://127.0.0.1:8800"


def test_rotation_keys_are_split_on_commas() -> None:
    other = Fernet.generate_key().decode()
    s = Settings.from_env({**BASE, "TOKEN_ENCRYPTION_KEYS": f"{KEY}, {other}"})
    assert s.token_encryption_keys == (KEY, other)


def test_map_tiles_default_to_openstreetmap_and_a_bad_template_is_named() -> None:
    assert Settings.from_env(BASE).map_tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    local = "http://127.0.0.1:8700/tiles/{z}/{x}/{y}.png"
    assert Settings.from_env({**BASE, "MAP_TILE_URL": local}).map_tile_url == local
    for bad in (
        "https://tiles.example/{z}/{x}.png",
        "http://tiles.example/{z}/{x}/{y}.png",
        "ftp://x/{z}/{x}/{y}",
    ):
        with pytest.raises(SettingsError) as raised:
            Settings.from_env({**BASE, "MAP_TILE_URL": bad})
        assert "MAP_TILE_URL" in str(raised.value)


def test_a_worker_process_gets_exactly_the_settings_of_its_parent() -> None:
    from dataclasses import fields

    from bot.jobs.supervisor import settings_env

    every = {
        **BASE,
        "SLACK_APP_TOKEN": "xapp-1-2",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "INSTAGRAM_API": "graph",
        "INSTAGRAM_API_URL": "http://127.0.0.1:9/graph/v25.0",
        "INSTAGRAM_AUTHORIZE_URL": "http://127.0.0.1:9/dialog",
        "INSTAGRAM_TOKEN_URL": "http://127.0.0.1:9/token",
        "PUBLIC_URL": "https://igbot.example",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "IGBOT_DATA_DIR": "/tmp/igbot-x",
        "PORT": "3999",
        "INSTAGRAM_WEBHOOK_VERIFY_TOKEN": "vt",
        "MAP_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
    }
    parent = Settings.from_env(every)
    child = Settings.from_env(settings_env(parent))
    for f in fields(Settings):
        if f.name != "web_concurrency":  # the web tier's own setting: workers have none
            assert getattr(child, f.name) == getattr(parent, f.name), f.name


def test_oauth_install_needs_both_credentials_and_then_no_bot_token() -> None:
    oauth = {k: v for k, v in BASE.items() if k != "SLACK_BOT_TOKEN"}
    s = Settings.from_env({**oauth, "SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "shh"})
    assert s.oauth_install and s.slack_client_id == "123.456" and "shh" not in repr(s)
    assert not Settings.from_env(BASE).oauth_install
    with pytest.raises(SettingsError) as half:
        Settings.from_env({**oauth, "SLACK_CLIENT_ID": "123.456"})
    assert half.value.problems == [
        "SLACK_CLIENT_SECRET is not set (installing by OAuth needs both SLACK_CLIENT_ID and it)"
    ]
    with pytest.raises(SettingsError) as neither:
        Settings.from_env(oauth)
    assert neither.value.problems == [
        "SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
    ]
