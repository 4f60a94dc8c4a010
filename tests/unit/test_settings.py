"""Settings from the environment: defaults, and one clear line per problem."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.instagram.config import InstagramUrls
from bot.instagram.registry import entry_for, load_settings
from bot.settings import Settings, SettingsError

pytestmark = pytest.mark.filterwarnings("error")  # e.g. pydantic-settings on an incomplete field

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
    # The backend and its URLs: unset in the settings (the bottom layer knows no backend), legacy's
    # once the registry resolves them.
    assert s.instagram_api is None and s.instagram_api_url is None
    assert entry_for(s).name == "legacy"
    assert entry_for(s).urls_for(s) == InstagramUrls(
        api="https://api.instagram.com/v1",
        authorize="https://api.instagram.com/oauth/authorize",
        token="https://api.instagram.com/oauth/access_token",
    )
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
        load_settings(  # Settings.from_env, and INSTAGRAM_API checked against the registry
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


# A distinctive valid value for every declared setting, none of them its default. A new setting
# must be added here, or the tests below fail and name it.
EVERY = {
    "SLACK_SIGNING_SECRET": "s3cret-2",
    "SLACK_BOT_TOKEN": "xoxb-3-4",
    "INSTAGRAM_CLIENT_ID": "cid-2",
    "INSTAGRAM_CLIENT_SECRET": "csecret-2",
    "SLACK_CLIENT_ID": "123.456",
    "SLACK_CLIENT_SECRET": "oauth-shh",
    "SLACK_APP_TOKEN": "xapp-1-2",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "INSTAGRAM_API": "graph",
    "INSTAGRAM_API_URL": "http://127.0.0.1:9/graph/v25.0",
    "INSTAGRAM_AUTHORIZE_URL": "http://127.0.0.1:9/dialog",
    "INSTAGRAM_TOKEN_URL": "http://127.0.0.1:9/token",
    "PUBLIC_URL": "https://igbot.example",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    "IGBOT_DATA_DIR": "/tmp/igbot-x",
    "TOKEN_ENCRYPTION_KEYS": f"{KEY},{Fernet.generate_key().decode()}",
    "PORT": "3999",
    "WEB_CONCURRENCY": "7",
    "INSTAGRAM_WEBHOOK_VERIFY_TOKEN": "vt",
    "MAP_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
}

OAUTH_PAIR = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


def test_a_worker_process_gets_exactly_the_settings_of_its_parent() -> None:
    """Every declared setting, one by one: set, handed to a worker's environment, read back equal."""
    from bot.worker.supervisor import settings_env

    declared = {field.alias: name for name, field in Settings.model_fields.items()}
    assert set(declared) == set(EVERY), "give every setting a distinctive value in EVERY"
    defaults = Settings.from_env(BASE)
    for env_name, field_name in declared.items():
        env = {**BASE, env_name: EVERY[env_name]}
        if env_name in OAUTH_PAIR:  # one of the two alone is refused
            env.update({name: EVERY[name] for name in OAUTH_PAIR})
        parent = Settings.from_env(env)
        assert getattr(parent, field_name) != getattr(defaults, field_name), env_name
        child = Settings.from_env(settings_env(parent))
        assert getattr(child, field_name) == getattr(parent, field_name), env_name
        assert child == parent, env_name
    everything = Settings.from_env(EVERY)
    assert Settings.from_env(settings_env(everything)) == everything


def test_unset_optional_settings_are_left_out_of_a_workers_environment() -> None:
    env = Settings.from_env(BASE).to_env()
    for unset in ("REDIS_URL", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "WEB_CONCURRENCY"):
        assert unset not in env
    assert env["TOKEN_ENCRYPTION_KEYS"] == KEY and env["PORT"] == "3000"


SECRETS = (
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "INSTAGRAM_CLIENT_SECRET",
    "INSTAGRAM_WEBHOOK_VERIFY_TOKEN",
    "REDIS_URL",  # may carry a password
)


def test_every_secret_setting_is_kept_out_of_repr_and_str() -> None:
    secret_words = ("SECRET", "TOKEN", "KEY", "PASSWORD")
    for name, field in Settings.model_fields.items():
        assert field.alias, name
        if any(word in field.alias for word in secret_words) and not field.alias.endswith("_URL"):
            assert not field.repr, f"{field.alias} is a secret: declare it with repr=False"
    s = Settings.from_env(EVERY)
    for text in (repr(s), str(s)):
        assert "instagram_client_id='cid-2'" in text  # the settings that are not secret still show
        for env_name in SECRETS:
            assert EVERY[env_name] not in text, env_name
        for key in EVERY["TOKEN_ENCRYPTION_KEYS"].split(","):
            assert key not in text


def test_the_instagram_urls_default_to_those_of_the_backend() -> None:
    graph = load_settings({**BASE, "INSTAGRAM_API": "GRAPH"})
    assert graph.instagram_api == "graph"
    urls = entry_for(graph).urls_for(graph)
    assert urls.api == "https://graph.facebook.com/v25.0"
    assert urls.authorize == "https://www.facebook.com/v25.0/dialog/oauth"
    assert urls.token == "https://graph.facebook.com/v25.0/oauth/access_token"
    own = load_settings({**BASE, "INSTAGRAM_API": "graph", "INSTAGRAM_API_URL": "https://gw.example/v1/"})
    assert own.instagram_api_url == "https://gw.example/v1"
    assert entry_for(own).urls_for(own).api == "https://gw.example/v1"
    assert entry_for(own).urls_for(own).token == "https://graph.facebook.com/v25.0/oauth/access_token"


def test_values_are_stripped_and_blank_ones_are_unset() -> None:
    s = Settings.from_env({**BASE, "SLACK_BOT_TOKEN": " xoxb-1-2 \n", "PORT": " 8080 ", "REDIS_URL": "  "})
    assert s.slack_bot_token == "xoxb-1-2" and s.port == 8080 and s.redis_url is None
    with pytest.raises(SettingsError) as blank:
        Settings.from_env({**BASE, "INSTAGRAM_CLIENT_ID": " ", "TOKEN_ENCRYPTION_KEYS": " , "})
    assert blank.value.problems == ["INSTAGRAM_CLIENT_ID is not set", "TOKEN_ENCRYPTION_KEYS is not set"]


def test_a_json_looking_value_is_read_as_plain_text() -> None:
    """pydantic-settings decodes list-like settings as JSON by default; igbot never does."""
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**BASE, "TOKEN_ENCRYPTION_KEYS": f'["{KEY}"]'})
    assert raised.value.problems[0].startswith("TOKEN_ENCRYPTION_KEYS key #1 is not a Fernet key")


def test_each_bad_key_is_a_line_of_its_own() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**BASE, "TOKEN_ENCRYPTION_KEYS": f"x,{KEY},y", "PORT": "http"})
    hint = (
        "(make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')"
    )
    assert raised.value.problems == [
        f"TOKEN_ENCRYPTION_KEYS key #1 is not a Fernet key {hint}",
        f"TOKEN_ENCRYPTION_KEYS key #3 is not a Fernet key {hint}",
        "PORT must be a number from 1 to 65535, not 'http'",
    ]


def test_settings_are_read_only() -> None:
    s = Settings.from_env(BASE)
    with pytest.raises(ValueError):
        s.port = 1  # type: ignore[misc]


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
