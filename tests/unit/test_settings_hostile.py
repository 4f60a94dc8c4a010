"""Hostile settings stop start-up with one line each, never a traceback (issue 11, item 4).

``urlsplit`` raises on ``[`` / ``]`` in the host and on NFKC-changing characters, ``.port`` raises on a
non-number or an out-of-range port, ``int("²")`` raises although ``"²".isdigit()`` is True.
"""

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
URL_NAMES = (
    "PUBLIC_URL",
    "SLACK_API_URL",
    "INSTAGRAM_API_URL",
    "INSTAGRAM_AUTHORIZE_URL",
    "INSTAGRAM_TOKEN_URL",
)
BAD_URLS = [
    "http://[::1",
    "https://a]b/",
    "http://[zz]/",
    "https://[::1]x/",
    "https://h:99999/",
    "https://h:0/",
    "https://h:abc/",
    "https://h:²/",
    "https://exa\u2100mple.com/",
    "https://a b/",
    "https://\x00/",
    "https://@/",
    "https://:80/",
    "https://",
    "ftp://example.com/",
    "example.com",
]


def _problems(**env: str) -> list[str]:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**BASE, **env})
    assert all("\n" not in p for p in info.value.problems)
    assert not any(_pydantic_words(p) for p in info.value.problems), info.value.problems
    return info.value.problems


def _pydantic_words(line: str) -> bool:
    return any(
        words in line
        for words in ("pydantic", "Input should", "Field required", "validation error", "[type=")
    )


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_url_is_one_line_naming_the_setting(name: str, url: str) -> None:
    problems = _problems(**{name: url})
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{name} must be"), problems


@pytest.mark.parametrize(
    "url",
    [
        "redis://[x",
        "redis://h:abc/0",
        "redis://h:99999",
        "redis://h/notadb",
        "rediss://[::1/0",
        "mysql://x",
        "x",
    ],
)
def test_a_malformed_redis_url_is_one_line(url: str) -> None:
    problems = _problems(REDIS_URL=url)
    assert len(problems) == 1 and problems[0].startswith("REDIS_URL must"), problems


@pytest.mark.parametrize(
    "url", ["redis://localhost:6379/0", "rediss://u:p@[::1]:6380/2", "unix:///tmp/redis.sock", "redis://h"]
)
def test_good_redis_urls_pass(url: str) -> None:
    assert Settings.from_env({**BASE, "REDIS_URL": url}).redis_url == url


@pytest.mark.parametrize(
    "value", ["²", "٣٠٠٠", "\uff13\uff10\uff10\uff10", "0", "65536", "-1", "80.0", "1e3", "auto", "9" * 30]
)
def test_port_is_an_ascii_number_in_range(value: str) -> None:
    problems = _problems(PORT=value)
    assert len(problems) == 1 and problems[0].startswith("PORT must be"), problems


@pytest.mark.parametrize("value", ["auto", "²", "0", "-2", "1.5", "\uff19", "9" * 30, "100000"])
def test_web_concurrency_is_validated_like_port(value: str) -> None:
    problems = _problems(WEB_CONCURRENCY=value)
    assert len(problems) == 1 and problems[0].startswith("WEB_CONCURRENCY must be"), problems


def test_web_concurrency_unset_or_a_number() -> None:
    assert Settings.from_env(BASE).web_concurrency is None
    assert Settings.from_env({**BASE, "WEB_CONCURRENCY": " "}).web_concurrency is None
    assert Settings.from_env({**BASE, "WEB_CONCURRENCY": "4"}).web_concurrency == 4


def test_every_hostile_value_at_once_is_one_line_each() -> None:
    problems = _problems(
        PUBLIC_URL="http://[::1",
        REDIS_URL="redis://[x",
        INSTAGRAM_API_URL="https://a]b/",
        PORT="²",
        WEB_CONCURRENCY="auto",
    )
    for name in ("PUBLIC_URL", "REDIS_URL", "INSTAGRAM_API_URL", "PORT", "WEB_CONCURRENCY"):
        assert sum(p.startswith(f"{name} must") for p in problems) == 1, problems
    assert len(problems) == 5


def test_good_urls_still_pass() -> None:
    s = Settings.from_env(
        {
            **BASE,
            "PUBLIC_URL": "https://igbot.example.com:8443",
            "INSTAGRAM_API_URL": "http://[::1]:8700/v1",
            "INSTAGRAM_AUTHORIZE_URL": "http://127.0.0.1:8700/oauth/authorize",
            "INSTAGRAM_TOKEN_URL": "http://localhost:8700/oauth/access_token",
            "SLACK_API_URL": "https://slack.com/api",
            "PORT": "8080",
        }
    )
    assert s.port == 8080 and s.instagram_urls_are_loopback
    assert s.public_url == "https://igbot.example.com:8443"


@pytest.mark.parametrize("junk", ['{"a": 1}', "[1, 2]", "null", "None", "\x00", "[", "9" * 400, "\u00b2"])
def test_junk_in_any_setting_is_igbots_own_line_naming_it(junk: str) -> None:
    """Whatever the value, start-up either goes on or stops with igbot's line naming the setting."""
    names = [str(field.alias) for field in Settings.model_fields.values()]
    for name in names:
        try:
            Settings.from_env({**BASE, name: junk})
        except SettingsError as exc:
            # (SLACK_CLIENT_SECRET alone: the line names the SLACK_CLIENT_ID it lacks; each bad
            # TOKEN_ENCRYPTION_KEYS key is a line)
            assert exc.problems and all(p.split()[0] in names for p in exc.problems), (name, exc.problems)
            assert not any("\n" in p or _pydantic_words(p) for p in exc.problems), exc.problems
