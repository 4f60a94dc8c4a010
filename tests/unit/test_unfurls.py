"""Link previews of Instagram posts: which links are posts (`post_shortcode`), and the unfurl cards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.unfurls import blocks as unfurls
from bot.features.unfurls.blocks import (
    connect_prompt,
    post_card,
    post_shortcode,
    preview_unavailable_card,
    unavailable_reason,
)
from bot.instagram.errors import InstagramError, NotAllowed, RateLimited, TokenInvalid, Unavailable
from bot.instagram.models import Media, is_shortcode
from tests.hypothesis_profiles import examples

SHARED = "https://www.instagram.com/p/C0dE_x-1/?igsh=abc123"
POST = Media(
    id="1_2",
    image_url="https://cdn.example/p.jpg",
    link="https://www.instagram.com/p/C0dE_x-1/",
    author="bob",
    caption="Evening light #sunset",
    likes=1234,
    posted_at=1_700_000_000,
)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://www.instagram.com/p/C0dE_x-1/", "C0dE_x-1"),
        ("https://instagram.com/p/C0dE_x-1", "C0dE_x-1"),
        ("http://instagr.am/p/D/", "D"),
        ("https://m.instagram.com/reel/Cx9aBcD/?utm_source=ig_web_copy_link", "Cx9aBcD"),
        ("https://www.instagram.com/tv/B1234567/?igsh=MWQ1ZGUxMzBkMA==", "B1234567"),
        ("https://www.instagram.com/bob.s_bakery/p/C0dE/", "C0dE"),
        ("https://www.instagram.com/bob/reel/C0dE?img_index=2#top", "C0dE"),
        ("HTTPS://WWW.INSTAGRAM.COM/p/AbC/", "AbC"),
    ],
)
def test_post_links_give_their_shortcode(url: str, code: str) -> None:
    assert post_shortcode(url) == code


@pytest.mark.parametrize(
    "url",
    [
        "https://www.instagram.com/bob/",  # a profile
        "https://www.instagram.com/stories/bob/3141592653/",
        "https://www.instagram.com/explore/tags/sunset/",
        "https://www.instagram.com/p/",
        "https://www.instagram.com/p//",
        "https://www.instagram.com/p/C0dE/c/17890/",  # a comment link
        "https://www.instagram.com/P/C0dE/",
        "https://www.instagram.com/p/C0%64E/",
        "https://www.instagram.com/p/C0dE!/",
        "https://www.instagram.com/p/" + "x" * 65 + "/",
        "https://instagram.com.evil.com/p/C0dE/",
        "https://evilinstagram.com/p/C0dE/",
        "https://www.instagram.com@evil.com/p/C0dE/",
        "https://bob@www.instagram.com/p/C0dE/",
        "https://www.instagram.com:8443/p/C0dE/",
        "https://www.instagram.com./p/C0dE/",
        "https://www.instagram.com\\@evil.com/p/C0dE/",
        "javascript://www.instagram.com/p/C0dE/%0aalert(1)",
        "javascript:alert(1)//www.instagram.com/p/C0dE/",
        "ftp://www.instagram.com/p/C0dE/",
        "//www.instagram.com/p/C0dE/",
        "www.instagram.com/p/C0dE/",
        "https://www.instagram.com/p/C0dE/ trailing",
        "https://www.instagram.com/p/C0dÉ/",
        "https://www.instagram.com/p/C0dE/\n",
        "https://www.instagram.com/a/b/p/C0dE/",
        "https://www.instagram.com/not a user/p/C0dE/",
        "",
        "https://www.instagram.com/p/C0dE/?" + "a" * 3000,
    ],
)
def test_everything_else_is_not_a_post(url: str) -> None:
    assert post_shortcode(url) is None


def test_extra_hosts_such_as_the_sandbox() -> None:
    url = "http://127.0.0.1:8700/p/AbC/"
    assert post_shortcode(url) is None
    assert post_shortcode(url, also={"127.0.0.1:8700"}) == "AbC"
    assert post_shortcode("http://127.0.0.1:8701/p/AbC/", also={"127.0.0.1:8700"}) is None


codes = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
usernames = st.from_regex(r"[A-Za-z0-9._]{1,30}", fullmatch=True)


@settings(max_examples=examples(100), deadline=None)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(sorted(unfurls.INSTAGRAM_HOSTS)),
    user=st.none() | usernames,
    kind=st.sampled_from(sorted(unfurls.POST_KINDS)),
    code=codes,
    slash=st.booleans(),
    query=st.sampled_from(["", "?igsh=MWQ1ZGUx", "?utm_source=ig_web_copy_link&utm_medium=x", "#c"]),
)
def test_every_form_of_a_post_link_gives_its_code(
    scheme: str, host: str, user: str | None, kind: str, code: str, slash: bool, query: str
) -> None:
    prefix = f"/{user}" if user else ""
    url = f"{scheme}://{host}{prefix}/{kind}/{code}{'/' if slash else ''}{query}"
    assert post_shortcode(url) == code


@settings(max_examples=examples(100), deadline=None)
@given(
    url=st.text(max_size=120) | st.builds(lambda s: "https://www.instagram.com/" + s, st.text(max_size=60))
)
def test_any_text_is_a_code_found_in_it_or_none(url: str) -> None:
    code = post_shortcode(url)
    assert code is None or (code in url and is_shortcode(code))


@settings(max_examples=examples(100), deadline=None)
@given(host=st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True), code=codes)
def test_only_instagram_hosts(host: str, code: str) -> None:
    expected = code if host in unfurls.INSTAGRAM_HOSTS else None
    assert post_shortcode(f"https://{host}/p/{code}/") == expected


# --- the cards ---


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside ``value``."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def assert_within_slack_limits(unfurl: dict[str, Any]) -> None:
    json.dumps(unfurl)
    for obj in walk(unfurl.get("blocks", [])):
        if obj.get("type") == "section":
            assert len(obj["text"]["text"]) <= 3000
        if obj.get("type") == "image":
            assert obj["image_url"].startswith(("https://", "http://"))
            assert 0 < len(obj["alt_text"]) <= 2000
        if obj.get("type") == "button":
            assert len(obj["text"]["text"]) <= 75
            assert obj["url"].startswith(("https://", "http://")) and len(obj["url"]) <= 3000


def texts(unfurl: dict[str, Any]) -> str:
    return "\n".join(o["text"] for o in walk(unfurl["blocks"]) if isinstance(o.get("text"), str))


def test_post_card_shows_author_caption_picture_date_likes_and_a_link() -> None:
    card = post_card(POST, SHARED)
    assert set(card) == {"blocks"}
    kinds = [b["type"] for b in card["blocks"]]
    assert kinds == ["section", "image", "context", "actions"]
    head = card["blocks"][0]["text"]["text"]
    assert "<https://www.instagram.com/bob/|@bob>" in head and "Evening light #sunset" in head
    assert card["blocks"][1]["image_url"] == POST.image_url
    assert card["blocks"][1]["alt_text"] == POST.caption
    facts = card["blocks"][2]["elements"][0]["text"]
    assert "<!date^1700000000^{date_short}|2023-11-14>" in facts and "1,234" in facts
    button = card["blocks"][3]["elements"][0]
    assert button["url"] == POST.link and button["action_id"] == "ig_open_post"
    assert button["text"]["text"] == "Open on Instagram"
    assert_within_slack_limits(card)


def test_post_card_escapes_what_instagram_users_wrote() -> None:
    evil = Media(
        id="1",
        image_url="https://cdn.example/p.jpg",
        link="https://www.instagram.com/p/X/",
        author="<!channel>",
        caption="<!here> look <@U123|boss> & <https://evil.example|click>",
    )
    card = post_card(evil, SHARED)
    text = texts(card)
    assert "<!" not in text and "<@" not in text and "<https://evil" not in text
    assert "&lt;!here&gt; look &lt;@U123|boss&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "A post on Instagram" in text  # an author that isn't a username gets no profile link


def test_post_card_trims_long_captions() -> None:
    long = Media(**{**POST.__dict__, "caption": "word " * 2000})
    many_lines = Media(**{**POST.__dict__, "caption": "\n".join(f"line {n}" for n in range(20))})
    assert len(post_card(long, SHARED)["blocks"][0]["text"]["text"]) < 500
    head = post_card(many_lines, SHARED)["blocks"][0]["text"]["text"]
    assert "line 5" in head and "line 6" not in head and head.endswith("…")
    assert_within_slack_limits(post_card(long, SHARED))


@pytest.mark.parametrize(
    "image", ["", "javascript:alert(1)", "ftp://cdn/p.jpg", "https://cdn/a b.jpg", "https://x/" + "a" * 3000]
)
def test_post_card_without_a_usable_picture_has_no_image_block(image: str) -> None:
    card = post_card(Media(**{**POST.__dict__, "image_url": image, "link": "javascript:x"}), SHARED)
    assert "image" not in [b["type"] for b in card["blocks"]]
    assert card["blocks"][-1]["elements"][0]["url"] == SHARED  # the API's link was unusable
    assert_within_slack_limits(card)


def test_post_card_of_a_video_with_nothing_known() -> None:
    video = Media(id="v", image_url="https://cdn/v.jpg", link="", author="bob", is_video=True)
    card = post_card(video, SHARED)
    assert card["blocks"][1]["alt_text"] == "Instagram video by @bob"
    assert "open it on Instagram to play" in card["blocks"][2]["elements"][0]["text"]
    assert "Posted" not in texts(card) and ":heart:" not in texts(card)


def test_preview_unavailable_card_says_why() -> None:
    card = preview_unavailable_card(SHARED, unfurls.OWN_POSTS_ONLY)
    assert [b["type"] for b in card["blocks"]] == ["context", "actions"]
    assert unfurls.OWN_POSTS_ONLY in card["blocks"][0]["elements"][0]["text"]
    assert card["blocks"][1]["elements"][0]["url"] == SHARED
    odd = preview_unavailable_card("javascript:alert(1)", "<!channel> & co")
    assert [b["type"] for b in odd["blocks"]] == ["context"]
    assert "&lt;!channel&gt; &amp; co" in odd["blocks"][0]["elements"][0]["text"]


@pytest.mark.parametrize(
    ("error", "own_only", "reason"),
    [
        (None, True, unfurls.OWN_POSTS_ONLY),
        (None, False, unfurls.GONE),
        (NotAllowed("private"), False, unfurls.PRIVATE_POST),
        (RateLimited(5), True, unfurls.RATE_LIMITED),
        (Unavailable("timeout"), False, unfurls.INSTAGRAM_DOWN),
        (TokenInvalid("expired"), False, unfurls.INSTAGRAM_DOWN),
    ],
)
def test_unavailable_reason(error: InstagramError | None, own_only: bool, reason: str) -> None:
    assert unavailable_reason(error, own_posts_only=own_only) == reason


def test_connect_prompt_offers_igbots_login_link() -> None:
    login = "https://igbot.example/instagram/login?state=abc"
    prompt = connect_prompt(login)
    assert set(prompt) == {"user_auth_message", "user_auth_blocks"}
    assert "the Instagram links you share" in prompt["user_auth_message"]
    buttons = [o for o in walk(prompt["user_auth_blocks"]) if o.get("type") == "button"]
    assert buttons == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Connect Instagram"},
            "url": login,
            "action_id": "ig_connect",
            "style": "primary",
        }
    ]
    assert "your own Instagram posts" in connect_prompt(login, own_posts_only=True)["user_auth_message"]
    no_button = connect_prompt("javascript:alert(1)")
    assert not [o for o in walk(no_button["user_auth_blocks"]) if o.get("type") == "button"]
