"""The ``fields`` field-expansion parser: nested braces, modifiers, errors, and never a crash on junk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igbot_sandboxes.instagram.graph.fields import (
    MAX_DEPTH,
    FieldSpec,
    FieldSyntaxError,
    field_names,
    format_fields,
    parse_fields,
)


def test_flat_list() -> None:
    assert parse_fields("id,username, name") == (FieldSpec("id"), FieldSpec("username"), FieldSpec("name"))
    assert parse_fields(None) == ()
    assert parse_fields("  ") == ()


def test_business_discovery_expansion() -> None:
    text = "business_discovery.username(alice.shop){id,followers_count,media.limit(3){id,caption,like_count}}"
    (spec,) = parse_fields(text)
    assert spec.name == "business_discovery"
    assert spec.arg("username") == "alice.shop"
    assert spec.children is not None
    assert [c.name for c in spec.children] == ["id", "followers_count", "media"]
    media = spec.children[2]
    assert media.arg("limit") == "3"
    assert media.children == (FieldSpec("id"), FieldSpec("caption"), FieldSpec("like_count"))
    assert format_fields((spec,)) == text


def test_modifiers_keep_order_and_last_wins() -> None:
    (spec,) = parse_fields("media.limit(2).after(QVFI-x_y=).limit( 5 ){id}")
    assert spec.args == (("limit", "2"), ("after", "QVFI-x_y="), ("limit", "5"))
    assert spec.arg("limit") == "5"
    assert spec.arg("before") is None


def test_instagram_business_account_subfields() -> None:
    specs = parse_fields("name,instagram_business_account{id,username,name,profile_picture_url}")
    assert field_names(specs) == ["name", "instagram_business_account"]
    assert specs[1].children is not None and len(specs[1].children) == 4
    assert field_names(parse_fields("id,id,name")) == ["id", "name"]


@pytest.mark.parametrize(
    "text",
    [
        "id,",
        ",id",
        "id,,name",
        "media{",
        "media{}",
        "media{id",
        "id}",
        "media.limit(3",
        "media.limit",
        "a b",
        "é",
        "{id}",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(FieldSyntaxError, match=r'^Syntax error "Expected .*" at character \d+: '):
        parse_fields(text)


def test_nesting_is_bounded() -> None:
    nested = "a{" * MAX_DEPTH + "b" + "}" * MAX_DEPTH
    assert parse_fields(nested)[0].name == "a"
    with pytest.raises(FieldSyntaxError):
        parse_fields("a{" * (MAX_DEPTH + 1) + "b" + "}" * (MAX_DEPTH + 1))
    with pytest.raises(FieldSyntaxError):
        parse_fields("a{" * 100_000)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab_.,(){} 1\u00e9\n"), max_size=40) | st.text(max_size=40))
def test_junk_never_crashes(text: str) -> None:
    try:
        specs = parse_fields(text)
    except FieldSyntaxError:
        return
    assert parse_fields(format_fields(specs)) == specs


names = st.text(alphabet="abcxyz_019", min_size=1, max_size=8)
values = st.text(alphabet="AZaz09._=-", min_size=1, max_size=10)
modifiers = st.lists(st.tuples(names, values), max_size=2).map(tuple)
leaf = st.builds(FieldSpec, names, modifiers)
level1 = st.builds(FieldSpec, names, modifiers, st.lists(leaf, min_size=1, max_size=3).map(tuple))
level2 = st.builds(FieldSpec, names, modifiers, st.lists(leaf | level1, min_size=1, max_size=3).map(tuple))


@settings(max_examples=30, deadline=None)
@given(st.lists(leaf | level1 | level2, min_size=1, max_size=3).map(tuple))
def test_format_then_parse_round_trips(specs: tuple[FieldSpec, ...]) -> None:
    assert parse_fields(format_fields(specs)) == specs
