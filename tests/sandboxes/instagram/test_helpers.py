"""Pure helpers: loopback redirect checks, query appending, redaction, scopes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from igbot_sandboxes.instagram.legacy.tokens import parse_scope
from igbot_sandboxes.instagram.legacy.urls import add_query, is_loopback_uri
from igbot_sandboxes.instagram.reqlog import redact

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    existing=st.dictionaries(texts.filter(bool), texts, max_size=3),
    extra=st.dictionaries(texts.filter(bool), texts, min_size=1, max_size=3),
)
def test_add_query_keeps_existing_and_appends(existing: dict[str, str], extra: dict[str, str]) -> None:
    base = add_query("http://127.0.0.1:3000/cb", existing) if existing else "http://127.0.0.1:3000/cb"
    out = add_query(base, extra)
    pairs = parse_qsl(urlsplit(out).query, keep_blank_values=True)
    assert pairs == [*existing.items(), *extra.items()]
    assert out.startswith("http://127.0.0.1:3000/cb?")


@settings(max_examples=60, deadline=None)
@given(host=st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True), port=st.integers(1, 65535))
def test_only_loopback_hosts_pass(host: str, port: int) -> None:
    assert is_loopback_uri(f"http://{host}:{port}/cb") is (host in {"127.0.0.1", "localhost"})


def test_loopback_edge_cases() -> None:
    assert is_loopback_uri("http://[::1]:8080/x")
    assert is_loopback_uri("https://LOCALHOST/cb")
    assert not is_loopback_uri("http://user@127.0.0.1/cb")
    assert not is_loopback_uri("http://127.0.0.1/cb#frag")
    assert not is_loopback_uri("http://127.0.0.1:99999/cb")
    assert not is_loopback_uri("/relative/cb")
    assert not is_loopback_uri("javascript://127.0.0.1/%0aalert(1)")


def test_redact_keeps_redirect_uri() -> None:
    params = {"client_secret": "s", "code": "c", "access_token": "t", "redirect_uri": "http://x/?code=1"}
    params["q"] = "a"
    assert redact(params) == {
        "client_secret": "[redacted]",
        "code": "[redacted]",
        "access_token": "[redacted]",
        "redirect_uri": "http://x/?code=1",
        "q": "a",
    }


def test_parse_scope() -> None:
    assert parse_scope(None) == {"basic"}
    assert parse_scope("relationships public_content") == {"basic", "relationships", "public_content"}
    assert parse_scope("") is None
    assert parse_scope("   ") is None
    assert parse_scope("basic,likes") is None
    assert parse_scope("basic admin") is None
