"""Every `/ig` subcommand through the real wire path."""

from __future__ import annotations

import redis

from tests.stack import TEAM, Stack, login_url


def test_help_is_answered_in_the_ack_privately(stack: Stack) -> None:
    ack = stack.command("")
    assert ack.status == 200 and ack.body is not None
    assert ack.body.get("response_type") == "ephemeral"
    assert "/ig follow <username>" in ack.raw_text
    unknown = stack.command("folow bob")
    assert "Did you mean `/ig follow`?" in unknown.raw_text


def test_usage_errors_are_answered_privately_in_the_ack(stack: Stack) -> None:
    ack = stack.command("follow not/valid!")
    assert ack.status == 200
    assert "doesn't look like an Instagram username" in ack.raw_text
    assert ack.body is not None and ack.body.get("response_type") == "ephemeral"


def test_popular_posts_images_into_the_channel_without_a_link(stack: Stack) -> None:
    ack = stack.command("popular 3", user_id="U0DAN", channel_id="C0RANDOM")
    assert ack.status == 200
    gallery = stack.slack.wait_for(lambda m: m.response_type == "in_channel", timeout=5)
    assert gallery.valid, gallery.errors
    assert gallery.channel_id == "C0RANDOM"
    images = [b for b in gallery.blocks if b["type"] == "image"]
    assert len(images) == 3
    for image in images:
        assert image["image_url"].startswith("http") and image["alt_text"]
    assert "<@U0DAN>" in gallery.all_text()
    assert len(gallery.blocks) <= 50


def test_popular_images_are_real_pictures(stack: Stack) -> None:
    import requests

    stack.command("popular 2")
    gallery = stack.slack.wait_for(lambda m: m.response_type == "in_channel", timeout=5)
    for block in (b for b in gallery.blocks if b["type"] == "image"):
        picture = requests.get(block["image_url"], timeout=5)
        assert picture.status_code == 200
        assert picture.headers["Content-Type"] in ("image/png", "image/jpeg")
        assert picture.content[:4] in (
            b"\x89PNG",
            b"\xff\xd8\xff\xe0",
            b"\xff\xd8\xff\xdb",
            b"\xff\xd8\xff\xe1",
        )


def test_popular_videos_show_their_cover_and_say_so(stack: Stack) -> None:
    stack.command("popular 10")
    gallery = stack.slack.wait_for(lambda m: m.response_type == "in_channel", timeout=5)
    assert gallery.valid
    assert len([b for b in gallery.blocks if b["type"] == "image"]) == 10


def test_follow_and_unfollow_a_public_account(stack: Stack) -> None:
    stack.link("alice")
    stack.command("follow @Dan_The_Man")
    followed = stack.wait_message("You now follow @dan_the_man", user_id="U0ALICE")
    assert followed.valid and followed.ephemeral
    assert any((b.url or "").endswith("instagram.com/dan_the_man/") for b in followed.buttons())
    assert "dan_the_man" in stack.instagram.follows_of("alice")["follows"]
    stack.command("unfollow https://instagram.com/dan_the_man")
    stack.wait_message("You no longer follow @dan_the_man", user_id="U0ALICE")
    assert "dan_the_man" not in stack.instagram.follows_of("alice")["follows"]


def test_user_card_shows_the_profile(stack: Stack) -> None:
    stack.link("alice")
    stack.command("user dan_the_man")
    card = stack.wait_message("Instagram profile", user_id="U0ALICE")
    assert card.valid and card.ephemeral
    text = card.all_text()
    assert "@dan_the_man" in text and "followers" in text


def test_me_and_logout(stack: Stack, redis_client: redis.Redis) -> None:
    stack.command("me")
    stack.wait_message("haven't connected", user_id="U0ALICE")
    stack.link("alice")
    stack.command("whoami")
    stack.wait_message("connected to Instagram account *@alice*", user_id="U0ALICE")
    stack.command("logout")
    stack.wait_message("forgot your Instagram connection to @alice", user_id="U0ALICE")
    assert redis_client.keys("igbot:link:*") == []
    stack.command("follow dan_the_man")
    assert login_url(stack.wait_message("connect your Instagram account first", user_id="U0ALICE"))


def test_two_teams_with_the_same_user_id_stay_apart(stack: Stack) -> None:
    stack.link("alice", user_id="U0ALICE", team_id=TEAM)
    stack.command("me", user_id="U0ALICE", team_id="T0OTHER")
    stack.slack.wait_for(lambda m: m.team_id == "T0OTHER" and "haven't connected" in m.all_text(), timeout=5)
    stack.command("follow dan_the_man", user_id="U0ALICE", team_id="T0OTHER")
    stack.slack.wait_for(lambda m: m.team_id == "T0OTHER" and "Connect Instagram" in m.all_text(), timeout=5)
    assert "dan_the_man" not in stack.instagram.follows_of("alice")["follows"]


def test_every_command_is_acknowledged_within_slacks_limit(stack: Stack) -> None:
    stack.link("alice")
    for text in ("help", "follow dan_the_man", "popular 5", "me", "user bob", "login"):
        result = stack.command(text)
        assert result.ok and result.status == 200, result.error  # the stand-in flags acks over 3 s


def test_popular_with_a_hashtag_and_recent_on_legacy(stack: Stack) -> None:
    stack.link("alice")
    tag = next(t for m in stack.instagram.world.media for t in m.tags)
    stack.command(f"popular #{tag} 2")
    gallery = stack.slack.wait_for(lambda m: m.response_type == "in_channel", timeout=5)
    assert gallery.valid and f"#{tag}" in gallery.all_text()
    assert 1 <= len([b for b in gallery.blocks if b["type"] == "image"]) <= 2
    stack.command("recent 1", channel_id="C0RANDOM")
    mine = stack.slack.wait_for(
        lambda m: m.response_type == "in_channel" and m.channel_id == "C0RANDOM", timeout=5
    )
    assert "latest" in mine.all_text() and "@alice" in mine.all_text()


def test_help_lists_what_this_backend_can_do(stack: Stack) -> None:
    text = stack.command("help").body["text"]
    for command in (
        "/ig follow",
        "/ig unfollow",
        "/ig user",
        "/ig popular [count]",
        "/ig popular #hashtag",
        "/ig recent",
    ):
        assert command in text
