"""The Instagram backends are named in one place, `bot.instagram.registry`: every entry builds a backend
that carries the entry's facts, its URLs resolve, `igbot dev` can play it, what people are told about
Facebook Pages follows the entry's facts, an unknown name is one line naming the setting, and no other
module of igbot names a backend or speaks of Facebook."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

from bot.app import instagram_backend
from bot.dev import DevApiError, dev_api, redis_dir, sandbox_urls
from bot.instagram.config import ClientConfig
from bot.instagram.registry import BACKENDS, DEFAULT, BackendEntry, entry_for, entry_named, load_settings
from bot.instagram.wording import AccountFacts
from bot.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
BASE = {
    "SLACK_SIGNING_SECRET": "s3cret",
    "SLACK_BOT_TOKEN": "xoxb-1-2",
    "INSTAGRAM_CLIENT_ID": "cid",
    "INSTAGRAM_CLIENT_SECRET": "csecret",
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}
ENTRIES = pytest.mark.parametrize("entry", BACKENDS.values(), ids=list(BACKENDS))


def _config(entry: BackendEntry) -> ClientConfig:
    return ClientConfig(
        client_id="cid",
        client_secret="csecret",
        api_url=entry.urls.api,
        authorize_url=entry.urls.authorize,
        token_url=entry.urls.token,
        redirect_uri="https://igbot.example/instagram/callback",
    )


def test_the_default_is_a_registered_backend_with_names_as_settings_read_them() -> None:
    assert DEFAULT in BACKENDS
    assert all(name == name.strip().lower() and name for name in BACKENDS)
    assert all(name == entry.name for name, entry in BACKENDS.items())


@ENTRIES
def test_every_entry_builds_a_backend_that_carries_its_facts(entry: BackendEntry) -> None:
    backend = entry.build(_config(entry))
    assert backend.account_facts is entry.account_facts
    assert backend.capabilities  # a backend that can do nothing is no backend
    assert entry.label and entry.summary


@ENTRIES
def test_every_entry_is_what_instagram_api_builds(entry: BackendEntry) -> None:
    settings = load_settings({**BASE, "INSTAGRAM_API": entry.name.upper()})
    assert entry_for(settings) is entry
    backend = instagram_backend(settings)
    assert backend.account_facts is entry.account_facts
    assert backend.authorization_url("st4te").startswith(entry.urls.authorize + "?")


@ENTRIES
def test_every_default_url_is_https_and_never_loopback(entry: BackendEntry) -> None:
    """`Settings.instagram_urls_are_loopback` reads an unset URL as not loopback: true only if so."""
    for url in (entry.urls.api, entry.urls.authorize, entry.urls.token):
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.hostname, url
        assert parts.hostname not in ("localhost", "127.0.0.1", "::1"), url
    assert not entry.urls.api.endswith("/")


@ENTRIES
def test_set_urls_win_over_the_entrys_defaults(entry: BackendEntry) -> None:
    settings = load_settings(
        {**BASE, "INSTAGRAM_API": entry.name, "INSTAGRAM_AUTHORIZE_URL": "https://login.example/dialog"}
    )
    urls = entry.urls_for(settings)
    assert urls.authorize == "https://login.example/dialog"
    assert (urls.api, urls.token) == (entry.urls.api, entry.urls.token)


@ENTRIES
def test_igbot_dev_can_play_every_entry_against_the_sandbox(entry: BackendEntry, tmp_path: Path) -> None:
    env = sandbox_urls("http://127.0.0.1:8700", entry.name)
    settings = load_settings({**BASE, **env})
    assert entry_for(settings) is entry
    assert settings.instagram_urls_are_loopback  # oauthlib is then told plain http is fine
    assert settings.instagram_api_url == "http://127.0.0.1:8700" + entry.sandbox_paths.api
    assert dev_api(entry.name.upper(), {}) == entry.name
    assert redis_dir(tmp_path, entry.name) == (tmp_path / entry.dev_data if entry.dev_data else tmp_path)


def test_each_backend_keeps_its_own_links_in_igbot_dev(tmp_path: Path) -> None:
    folders = [redis_dir(tmp_path, name) for name in BACKENDS]
    assert len(set(folders)) == len(folders)
    assert redis_dir(tmp_path, DEFAULT) == tmp_path  # where legacy's links always were


# --- what people are told ------------------------------------------------------------------------------

FACEBOOK_PAGE_WORDS = (
    "no_account",
    "nothing_to_pick",
    "inbox_needs_role",
    "inbox_access_how",
    "moderation_refused",
)


@ENTRIES
def test_only_a_backend_that_needs_a_facebook_page_speaks_of_one(entry: BackendEntry) -> None:
    facts = entry.account_facts
    texts = {f.name: getattr(facts, f.name) for f in fields(AccountFacts) if f.name != "needs_facebook_page"}
    if entry.needs_facebook_page:
        for name in FACEBOOK_PAGE_WORDS:
            assert "Facebook Page" in texts[name], name
    else:
        assert [name for name, text in texts.items() if "Facebook" in text] == []


@ENTRIES
def test_the_words_fill_in_and_say_what_to_do(entry: BackendEntry) -> None:
    facts = entry.account_facts
    assert "*@shop*" in facts.inbox_needs_role.format(account="shop")
    assert "3" in facts.several_accounts.format(count=3)
    assert "/ig login" in facts.no_account and "`" not in facts.no_account  # shown as is on a web page
    assert facts.pick_prompt.endswith("?")
    assert facts.moderation_refused.endswith("Nothing was changed.")


def test_the_graph_backend_keeps_its_words() -> None:
    facts = BACKENDS["graph"].account_facts
    assert facts.inbox_access_how == " (your Facebook account needs a role on its Facebook Page)"
    assert facts.pick_prompt == (
        "Your Facebook login manages several Instagram professional accounts. Which one should igbot use?"
    )
    assert facts.no_account.startswith("igbot found no Instagram professional (business or creator) account")


# --- an unknown name -----------------------------------------------------------------------------------


def test_an_unknown_instagram_api_is_one_line_naming_the_setting() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**BASE, "INSTAGRAM_API": " V2 "})
    assert refused.value.problems == [
        "INSTAGRAM_API must be 'legacy', 'graph' or 'instagram-login', not 'v2'"
    ]


def test_an_unknown_instagram_api_is_reported_with_every_other_problem() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**BASE, "INSTAGRAM_API": "v2", "PORT": "http"})
    problems = refused.value.problems
    assert "INSTAGRAM_API must be 'legacy', 'graph' or 'instagram-login', not 'v2'" in problems
    assert any(p.startswith("PORT must be") for p in problems) and len(problems) == 2


def test_settings_alone_name_no_backend_and_building_one_refuses_an_unknown_name() -> None:
    settings = Settings.from_env({**BASE, "INSTAGRAM_API": "v2"})  # the bottom layer knows no backend
    assert settings.instagram_api == "v2"
    for build in (entry_for, instagram_backend):
        with pytest.raises(SettingsError) as refused:
            build(settings)
        assert refused.value.problems == [
            "INSTAGRAM_API must be 'legacy', 'graph' or 'instagram-login', not 'v2'"
        ]
    assert entry_named(None) is entry_named(" ") is BACKENDS[DEFAULT]


def test_igbot_dev_refuses_an_unknown_api_in_its_own_words() -> None:
    with pytest.raises(DevApiError, match=r"^--api must be legacy, graph or instagram-login, not 'v2'$"):
        dev_api("v2", {"INSTAGRAM_API": "graph"})
    with pytest.raises(
        DevApiError, match=r"^INSTAGRAM_API must be legacy, graph or instagram-login, not 'Fb '$"
    ):
        dev_api(None, {"INSTAGRAM_API": "Fb "})
    assert dev_api(None, {}) == DEFAULT


# --- nothing else names a backend ----------------------------------------------------------------------


def _strings_outside_the_instagram_package() -> list[tuple[str, int, str]]:
    """Every string literal of igbot's code outside bot/instagram/, docstrings left out."""
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if (ROOT / "bot" / "instagram") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found += [
            (str(path.relative_to(ROOT)), node.lineno, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        ]
    return found


def test_no_module_outside_the_instagram_package_names_a_backend_or_speaks_of_facebook() -> None:
    strings = _strings_outside_the_instagram_package()
    assert len(strings) > 1000  # the walk saw igbot's code
    named = [(path, line) for path, line, text in strings if text.strip().lower() in BACKENDS]
    facebook = [(path, line) for path, line, text in strings if "Facebook" in text]
    assert named == [], "name backends only in bot/instagram/registry.py"
    assert facebook == [], "backend-dependent words belong to the backend's AccountFacts"
