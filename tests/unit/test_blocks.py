"""Block Kit builders: what a user sees in Slack, and that Slack accepts it.

Instagram controls names, bios, captions and links; none of it may become a mention, a link or a
broken message in a channel.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.accounts import blocks as follow_blocks
from bot.features.gallery import blocks as gallery_blocks
from bot.features.linking import blocks as linking_blocks
from bot.instagram.models import Account, FollowResult, FollowStatus, Media
from bot.instagram.registry import BACKENDS, GRAPH, BackendEntry
from bot.slack import blocks
from bot.slack.blocks import Message
from igbot_sandboxes.slack.blockkit import validate_message
from tests.hypothesis_profiles import examples

HOSTILE = "<!channel> <!here|here> <@U123> <#C1|general> <https://evil.example|click me> & *x*"
# What must never reach a mrkdwn field or the notification text: Slack would act on it.
RAW_MARKUP = ("<!channel>", "<!here", "<@U123>", "<#C1", "<https://evil.example", "click me>")
PROFILE = "https://www.instagram.com/alice/"
PICTURE = "https://cdn.example/alice.jpg"


def _account(**fields: Any) -> Account:
    base: dict[str, Any] = {
        "id": "17841400000000001",
        "username": "alice",
        "full_name": "Alice Liddell",
        "picture_url": PICTURE,
        "profile_url": PROFILE,
    }
    return Account(**{**base, **fields})


def _media(n: int = 0, **fields: Any) -> Media:
    base: dict[str, Any] = {
        "id": f"m{n}",
        "image_url": f"https://cdn.example/{n}.jpg",
        "link": f"https://www.instagram.com/p/{n}/",
        "author": "bob",
        "caption": f"caption {n}",
        "likes": 1234,
    }
    return Media(**{**base, **fields})


def _mrkdwn_texts(payload: Any) -> list[str]:
    """Every string Slack parses as mrkdwn: the top-level text and each mrkdwn text object."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return [payload["text"], *found]


def _assert_no_raw_markup(payload: Message) -> None:
    for text in _mrkdwn_texts(payload):
        for raw in RAW_MARKUP:
            assert raw not in text, (raw, text)


def _assert_slack_accepts(payload: Message) -> None:
    assert validate_message(payload) == [], json.dumps(payload, indent=1)[:3000]


def _elements(payload: Message, kind: str) -> list[dict[str, Any]]:
    """Every block or element of type ``kind`` in the message."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return found


# --- escaping -----------------------------------------------------------------------------------------


def test_escape_neutralises_slack_control_sequences() -> None:
    assert blocks.escape("<!channel> & <@U123> <https://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x|y&gt;"
    )
    assert blocks.escape("&amp;") == "&amp;amp;"  # typed text shows as typed, not as an entity


@settings(max_examples=examples(200), deadline=None)
@given(st.text())
def test_escape_leaves_no_angle_bracket_and_round_trips(text: str) -> None:
    escaped = blocks.escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_account_card_escapes_every_instagram_field() -> None:
    account = _account(username="<!channel>", full_name=HOSTILE, bio=HOSTILE)
    card = blocks.account_card(account, ":bust_in_silhouette: Instagram profile")
    _assert_no_raw_markup(card)
    _assert_slack_accepts(card)
    section_text = card["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &lt;!here|here&gt;" in section_text  # shown to the user as typed
    assert "&amp; *x*" in section_text


def test_follow_result_and_unsupported_escape_the_account() -> None:
    account = _account(full_name=HOSTILE, bio=HOSTILE)
    for status in FollowStatus:
        message = follow_blocks.follow_result(FollowResult(account, status))
        _assert_no_raw_markup(message)
        _assert_slack_accepts(message)
    for found in (account, None):
        message = follow_blocks.follow_unsupported("alice", found, PROFILE)
        _assert_no_raw_markup(message)
        _assert_slack_accepts(message)


def test_gallery_escapes_captions_and_authors() -> None:
    item = _media(author="<!channel>", caption=HOSTILE, link="https://www.instagram.com/p/1/")
    gallery = gallery_blocks.gallery([item], "<@U1> shared 1 popular Instagram post")
    _assert_no_raw_markup({**gallery, "text": ""})  # the headline is the caller's mrkdwn
    _assert_slack_accepts(gallery)
    line = gallery["blocks"][2]["elements"][0]["text"]
    assert "*@&lt;!channel&gt;*" in line
    assert "&lt;https://evil.example|click me&gt; &amp;" in line


def test_a_link_that_could_smuggle_markup_is_not_linked() -> None:
    smuggling = "https://www.instagram.com/p/1/|<!channel>"
    gallery = gallery_blocks.gallery([_media(link=smuggling)], "headline")
    line = gallery["blocks"][2]["elements"][0]["text"]
    assert "Open on Instagram" not in line and "<!channel>" not in line
    card = blocks.account_card(_account(profile_url="https://x.example/a|<!channel>"), "Profile")
    _assert_no_raw_markup(card)
    assert _elements(card, "button") == []  # no button to a URL Slack would refuse
    _assert_slack_accepts(card)


def test_connected_escapes_the_instagram_name_and_the_resumed_command() -> None:
    message = linking_blocks.connected("U0ALICE", "<!channel>", resume="follow <!here> & more")
    _assert_no_raw_markup(message)
    assert "<@U0ALICE>" in message["text"]  # the Slack user, as a mention of the person themself
    assert "@&lt;!channel&gt;" in message["text"]
    assert "`/ig follow &lt;!here&gt; &amp; more`" in message["text"]
    assert "/ig logout" in message["text"]  # what to do if that is not you


# --- limits Slack enforces --------------------------------------------------------------------------


def test_clip_cuts_to_the_limit_with_an_ellipsis() -> None:
    assert blocks.clip("abc", 3) == "abc"
    assert blocks.clip("abcd", 3) == "ab…"
    assert len(blocks.clip("x" * 5000, 3000)) == 3000


def test_section_text_is_at_most_3000_characters() -> None:
    block = blocks.section("y" * 10_000)
    assert len(block["text"]["text"]) == blocks.MAX_SECTION_TEXT
    card = blocks.account_card(_account(full_name="n" * 5000, bio="b" * 5000), "h" * 3000)
    assert all(len(t) <= 3000 for t in _mrkdwn_texts(card))
    _assert_slack_accepts(card)


def test_message_text_and_context_parts_are_clipped() -> None:
    assert len(blocks.message("t" * 50_000)["text"]) == 3000
    context = blocks.context(*[f"part {i}" for i in range(15)], "z" * 5000)
    assert len(context["elements"]) == 10


def test_a_gallery_never_exceeds_50_blocks() -> None:
    gallery = gallery_blocks.gallery([_media(i) for i in range(40)], "forty")
    assert len(gallery["blocks"]) <= 50
    assert len(_elements(gallery, "image")) == gallery_blocks.MAX_GALLERY_POSTS
    _assert_slack_accepts(gallery)


def test_button_text_is_at_most_75_characters() -> None:
    button = blocks.link_button("b" * 200, "https://example.com/", "x")
    assert len(button["text"]["text"]) == blocks.MAX_BUTTON_TEXT


# --- images and alt text ----------------------------------------------------------------------------


def test_gallery_shows_each_post_with_its_image_author_likes_caption_and_link() -> None:
    gallery = gallery_blocks.gallery([_media(1)], "<@U1> shared 1 popular Instagram post")
    assert gallery["response_type"] == "in_channel"
    assert gallery["text"] == "<@U1> shared 1 popular Instagram post."
    headline, image, line = gallery["blocks"]
    assert headline["text"]["text"] == ":camera_with_flash: <@U1> shared 1 popular Instagram post"
    assert image == {"type": "image", "image_url": "https://cdn.example/1.jpg", "alt_text": "caption 1"}
    text = line["elements"][0]["text"]
    assert text == "*@bob* · :heart: 1,234 · caption 1 · <https://www.instagram.com/p/1/|Open on Instagram>"


@pytest.mark.parametrize(
    ("fields", "alt"),
    [
        ({"caption": ""}, "Instagram photo by @bob"),
        ({"caption": "", "is_video": True}, "Instagram video by @bob"),
        ({"caption": "", "author": ""}, "Instagram photo"),
        ({"caption": "   "}, "Instagram picture"),  # Slack refuses a blank alt text
    ],
)
def test_image_alt_text_says_what_the_picture_is(fields: dict[str, Any], alt: str) -> None:
    gallery = gallery_blocks.gallery([_media(1, **fields)], "h")
    assert _elements(gallery, "image")[0]["alt_text"] == alt
    _assert_slack_accepts(gallery)


def test_alt_text_and_caption_line_are_clipped() -> None:
    gallery = gallery_blocks.gallery([_media(1, caption="c" * 5000)], "h")
    assert len(_elements(gallery, "image")[0]["alt_text"]) == blocks.MAX_ALT_TEXT
    assert "c" * 199 + "…" in gallery["blocks"][2]["elements"][0]["text"]
    _assert_slack_accepts(gallery)


def test_a_video_says_to_open_it_on_instagram() -> None:
    gallery = gallery_blocks.gallery([_media(1, is_video=True)], "h")
    assert ":movie_camera: video: open it on Instagram to play" in gallery["blocks"][2]["elements"][0]["text"]


@pytest.mark.parametrize(
    "url", ["", "ftp://cdn.example/1.jpg", "javascript:alert(1)", "https://cdn.example/a b.jpg", "https://"]
)
def test_an_image_slack_cannot_load_is_left_out_not_the_whole_gallery(url: str) -> None:
    gallery = gallery_blocks.gallery([_media(1, image_url=url), _media(2)], "h")
    assert [i["image_url"] for i in _elements(gallery, "image")] == ["https://cdn.example/2.jpg"]
    assert len(_elements(gallery, "context")) == 2  # both posts keep their caption line and link
    _assert_slack_accepts(gallery)


def test_an_image_url_over_slacks_limit_is_left_out() -> None:
    long_url = "https://cdn.example/" + "a" * 3000
    gallery = gallery_blocks.gallery([_media(1, image_url=long_url)], "h")
    assert _elements(gallery, "image") == []
    _assert_slack_accepts(gallery)


def test_profile_picture_is_the_card_thumbnail_when_usable() -> None:
    card = blocks.account_card(_account(), "Profile")
    assert card["blocks"][0]["accessory"] == {
        "type": "image",
        "image_url": PICTURE,
        "alt_text": "Profile picture of @alice",
    }
    for picture in ("", "not a url"):
        card = blocks.account_card(_account(picture_url=picture), "Profile")
        assert "accessory" not in card["blocks"][0]
        _assert_slack_accepts(card)


# --- cards, buttons and their URLs ------------------------------------------------------------------


def test_account_card_shows_name_counts_and_an_open_profile_button() -> None:
    account = _account(bio="Down the rabbit hole", media_count=1200, followers=34567, follows=89)
    card = blocks.account_card(account, ":bust_in_silhouette: Instagram profile")
    assert card["response_type"] == "ephemeral"
    assert card["text"] == ":bust_in_silhouette: Instagram profile @alice"
    assert card["blocks"][0]["text"]["text"] == (
        ":bust_in_silhouette: Instagram profile\n*<https://www.instagram.com/alice/|@alice>* (Alice Liddell)"
        "\nDown the rabbit hole"
    )
    assert card["blocks"][1]["elements"][0]["text"] == "1,200 posts · 34,567 followers · 89 following"
    (button,) = _elements(card, "button")
    assert button["url"] == PROFILE and button["text"]["text"] == "Open profile"
    _assert_slack_accepts(card)


def test_a_private_account_says_so_and_unknown_counts_are_left_out() -> None:
    card = blocks.account_card(_account(is_private=True), "Profile")
    assert card["blocks"][1]["elements"][0]["text"] == "private account"
    bare = blocks.account_card(_account(full_name="", picture_url=""), "Profile")
    assert [b["type"] for b in bare["blocks"]] == ["section", "actions"]
    assert bare["blocks"][0]["text"]["text"] == "Profile\n*<https://www.instagram.com/alice/|@alice>*"


def test_account_card_without_a_usable_profile_url_has_no_link_and_no_button() -> None:
    card = blocks.account_card(_account(profile_url=""), "Profile")
    assert card["blocks"][0]["text"]["text"].endswith("*@alice* (Alice Liddell)")
    assert _elements(card, "button") == []
    _assert_slack_accepts(card)


@pytest.mark.parametrize(
    ("status", "headline"),
    [
        (FollowStatus.FOLLOWS, ":white_check_mark: You now follow @alice on Instagram."),
        (FollowStatus.REQUESTED, ":hourglass_flowing_sand: @alice is private: your follow request was sent."),
        (FollowStatus.NONE, ":wave: You no longer follow @alice on Instagram."),
    ],
)
def test_follow_result_says_what_changed(status: FollowStatus, headline: str) -> None:
    message = follow_blocks.follow_result(FollowResult(_account(), status))
    assert message["blocks"][0]["text"]["text"].startswith(headline)
    assert message["response_type"] == "ephemeral"


def test_follow_unsupported_says_why_and_offers_the_profile() -> None:
    with_card = follow_blocks.follow_unsupported("alice", _account(), PROFILE)
    assert with_card["text"].startswith("Today's Instagram API doesn't let apps follow or unfollow")
    assert "Open @alice's profile" in with_card["text"]
    assert _elements(with_card, "button")[0]["url"] == PROFILE
    without = follow_blocks.follow_unsupported("alice", None, PROFILE)
    (button,) = _elements(without, "button")
    assert button == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Open profile"},
        "url": PROFILE,
        "action_id": "ig_open_profile",
        "style": "primary",
    }
    _assert_slack_accepts(with_card)
    _assert_slack_accepts(without)


def test_login_prompt_is_a_private_connect_button_to_the_approval_page() -> None:
    url = "https://api.instagram.com/oauth/authorize?client_id=c&state=s"
    prompt = blocks.login_prompt(url, "Connect your Instagram account to use igbot's `/ig` commands.")
    assert prompt["response_type"] == "ephemeral"
    assert prompt["text"].endswith(f"Connect Instagram: {url}")  # the link also works from a notification
    (button,) = _elements(prompt, "button")
    assert button["url"] == url and button["text"]["text"] == "Connect Instagram"
    assert button["action_id"] == "ig_connect" and button["style"] == "primary"
    assert "works once, for 10 minutes" in prompt["blocks"][2]["elements"][0]["text"]
    _assert_slack_accepts(prompt)


def test_message_is_private_unless_asked_and_keeps_text_as_the_fallback() -> None:
    assert blocks.message("hi") == {"text": "hi", "response_type": "ephemeral"}
    assert blocks.message("hi", [], in_channel=True) == {
        "text": "hi",
        "response_type": "in_channel",
        "blocks": [],
    }


def test_posts_counts_in_words() -> None:
    assert gallery_blocks.posts(1) == "1 post"
    assert gallery_blocks.posts(3) == "3 posts"
    assert gallery_blocks.posts(3, "popular Instagram") == "3 popular Instagram posts"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.instagram.com/p/1/", True),
        ("http://127.0.0.1:8700/p/1", True),
        ("https://x.example/a|<!channel>", False),
        ("https://x.example/a b", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_safe_url_and_web_url(url: str, safe: bool) -> None:
    assert (blocks.safe_url(url) == url) is safe
    assert (blocks.web_url(url) == url) is safe
    assert blocks.web_url("https://x.example/\u200b") is None  # invisible characters
    assert blocks.web_url("https://x.example/" + "a" * 3000) is None


# --- the account menu ---------------------------------------------------------------------------------


def test_account_picker_lists_each_account_and_carries_the_command_to_finish() -> None:
    accounts = [_account(id="1", username="alice.shop", full_name="Shop"), _account(id="2", username="al")]
    picker = blocks.account_picker(accounts, "follow bob", GRAPH.account_facts)
    _assert_slack_accepts(picker)
    assert picker["text"] == GRAPH.account_facts.pick_prompt
    (menu,) = _elements(picker, "static_select")
    assert menu["action_id"] == "ig_pick_account"
    assert [(o["text"]["text"], o["value"]) for o in menu["options"]] == [
        ("@alice.shop (Shop)", "1"),
        ("@al (Alice Liddell)", "2"),
    ]
    assert picker["blocks"][1]["block_id"] == "pick:follow bob"
    assert blocks.account_picker(accounts, None, GRAPH.account_facts)["blocks"][1]["block_id"] == "pick:"


def test_account_picker_stays_within_slacks_menu_limits() -> None:
    accounts = [_account(id=str(i), username=f"a{i}", full_name="F" * 200) for i in range(150)]
    picker = blocks.account_picker(accounts, "x" * 1000, GRAPH.account_facts)
    (menu,) = _elements(picker, "static_select")
    assert len(menu["options"]) == blocks.MAX_OPTIONS
    assert all(len(o["text"]["text"]) <= 75 for o in menu["options"])
    assert len(picker["blocks"][1]["block_id"]) <= 255


def test_account_picker_with_no_account_sends_no_menu_but_says_what_to_do() -> None:
    message = blocks.account_picker([], "follow bob", GRAPH.account_facts)
    assert "blocks" not in message
    assert _elements(message, "static_select") == []
    assert message["response_type"] == "ephemeral"
    text = message["text"]
    assert "no Instagram professional" in text
    assert "Facebook Page" in text
    assert "run `/ig login` again" in text
    _assert_slack_accepts(message)


@pytest.mark.parametrize("entry", BACKENDS.values(), ids=list(BACKENDS))
def test_the_account_menu_speaks_of_facebook_only_on_a_backend_that_needs_it(entry: BackendEntry) -> None:
    empty = blocks.account_picker([], None, entry.account_facts)
    several = blocks.account_picker([_account(id="1"), _account(id="2")], None, entry.account_facts)
    for message in (empty, several):
        _assert_slack_accepts(message)
        assert ("Facebook" in message["text"]) == entry.needs_facebook_page, message["text"]
    assert "run `/ig login` again" in empty["text"].lower()
