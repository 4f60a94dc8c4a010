"""Block Kit validation: the limits Slack enforces, as a pure function."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igbot_sandboxes.slack import check_message, validate_message


def image(**overrides: Any) -> dict[str, Any]:
    block = {"type": "image", "image_url": "https://cdn.example/p.jpg", "alt_text": "a photo"}
    return {k: v for k, v in {**block, **overrides}.items() if v is not None}


def button(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": "open",
        "text": {"type": "plain_text", "text": "Open"},
        **overrides,
    }


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def gallery(count: int = 5) -> list[dict[str, Any]]:
    """What `/ig popular` posts: a header, then per photo an image, an author line and a link button."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "Popular now"}}]
    for i in range(count):
        blocks += [
            image(
                image_url=f"https://cdn.example/{i}.jpg",
                alt_text=f"photo {i}",
                title={"type": "plain_text", "text": "t"},
            ),
            {"type": "context", "elements": [mrkdwn(f"📷 @user{i} · 2 h"), image(type="image")]},
            {
                "type": "section",
                "text": mrkdwn("caption"),
                "accessory": button(action_id=f"open_{i}", url="https://x.example/p"),
            },
            {
                "type": "actions",
                "elements": [button(action_id=f"link_{i}", url="https://x.example/p", value="v")],
            },
            {"type": "divider"},
        ]
    return blocks


def test_typical_gallery_message_is_valid_without_warnings() -> None:
    result = check_message({"text": "5 popular photos", "blocks": gallery(), "response_type": "in_channel"})
    assert result.valid and result.errors == [] and result.warnings == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "carousel"}], "invalid_blocks: [blocks[0].type] unknown block type 'carousel'"),
        (
            [{"type": "divider"}] * 3 + [image(alt_text=None)],
            "invalid_blocks: [blocks[3].alt_text] missing required field",
        ),
        ([{"type": "divider"}] * 51, "invalid_blocks: [blocks] must contain at most 50 blocks (got 51)"),
        ([image(image_url=None)], "[blocks[0].image_url] missing required field"),
        ([image(image_url="ftp://cdn.example/p.jpg")], "[blocks[0].image_url] must be an http(s) URL"),
        ([image(image_url="https://x.example/" + "a" * 3000)], "[blocks[0].image_url] must be at most 3000"),
        ([image(alt_text="a" * 2001)], "[blocks[0].alt_text] must be at most 2000"),
        ([{"type": "section", "text": mrkdwn("a" * 3001)}], "[blocks[0].text.text] must be at most 3000"),
        ([{"type": "section", "text": mrkdwn("")}], "[blocks[0].text.text] must be more than 0 characters"),
        ([{"type": "section"}], "[blocks[0]] must provide text or fields"),
        (
            [{"type": "section", "fields": [mrkdwn("f")] * 11}],
            "[blocks[0].fields] must contain at most 10 items",
        ),
        (
            [{"type": "section", "fields": [mrkdwn("a" * 2001)]}],
            "[blocks[0].fields[0].text] must be at most 2000",
        ),
        (
            [{"type": "section", "text": mrkdwn("x"), "accessory": {"type": "divider"}}],
            "[blocks[0].accessory.type]",
        ),
        (
            [{"type": "section", "text": {"type": "html", "text": "x"}}],
            "[blocks[0].text.type] must be plain_text or mrkdwn",
        ),
        (
            [{"type": "context", "elements": [mrkdwn("x")] * 11}],
            "[blocks[0].elements] must contain at most 10 items",
        ),
        ([{"type": "context", "elements": []}], "[blocks[0].elements] must be a non-empty array"),
        (
            [{"type": "actions", "elements": [button(action_id=f"b{i}") for i in range(26)]}],
            "at most 25 items",
        ),
        (
            [{"type": "actions", "elements": [button(text={"type": "plain_text", "text": "a" * 76})]}],
            "at most 75",
        ),
        (
            [{"type": "actions", "elements": [button(text=mrkdwn("*bold*"))]}],
            "[blocks[0].elements[0].text.type]",
        ),
        (
            [{"type": "actions", "elements": [button(url="https://x.example/" + "a" * 3000)]}],
            "elements[0].url]",
        ),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "[blocks[0].elements[0].value]"),
        (
            [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
            "[blocks[0].elements[0].action_id]",
        ),
        ([{"type": "actions", "elements": [button(), button()]}], "duplicate action_id 'open' in block"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "[blocks[0].text.text] must be at most 150",
        ),
        ([{"type": "header", "text": mrkdwn("*h*")}], "[blocks[0].text.type] must be plain_text"),
        (
            [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}],
            "duplicate block_id 'x'",
        ),
        ([{"type": "divider", "block_id": "b" * 256}], "[blocks[0].block_id] must be at most 255"),
        (["divider"], "[blocks[0]] must be an object"),
    ],
)
def test_limits_are_enforced(blocks: list[Any], expected: str) -> None:
    errors = validate_message({"text": "fallback", "blocks": blocks})
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("invalid_blocks: [") for e in errors)


def test_message_level_rules() -> None:
    assert validate_message({}) == ["no_text: a message needs text or blocks"]
    assert validate_message({"text": ""}) == ["no_text: a message needs text or blocks"]
    assert validate_message({"delete_original": True}) == []
    assert validate_message({"text": "x" * 40001})[0].startswith("msg_too_long")
    assert validate_message({"text": "x" * 40000}) == []
    assert validate_message({"blocks": '[{"type": "divider"}]'})[0].startswith("invalid_blocks_format")


def test_blocks_without_text_fallback_are_valid_but_warned() -> None:
    result = check_message({"blocks": [{"type": "divider"}]})
    assert result.valid
    assert [w.split(":")[0] for w in result.warnings] == ["missing_text_fallback"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
block_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["section", "image", "context", "actions", "header", "video", "file", "x"])},
    optional={
        k: json_values
        for k in ("text", "fields", "elements", "accessory", "image_url", "alt_text", "block_id")
    },
)


@given(text=json_values, blocks=st.lists(block_like, max_size=4) | json_values)
def test_validation_never_crashes_and_reports_codes(text: Any, blocks: Any) -> None:
    result = check_message({"text": text, "blocks": blocks})
    assert all(isinstance(e, str) and ":" in e for e in result.errors + result.warnings)
