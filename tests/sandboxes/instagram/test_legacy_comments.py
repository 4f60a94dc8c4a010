"""API v1's comment routes over real HTTP: list (seeded comments included), create (scope
``comments``, v1's text rules), delete (owner or author), the v1 envelope, the write limit, reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox, Media
from tests.sandboxes.instagram.conftest import CLIENT_ID, TIMEOUT, FakeClock, api


def public_post_with_comments(sandbox: InstagramSandbox) -> Media:
    for item in sandbox.world.media:
        owner = sandbox.world.user_by_id(item.owner_id)
        if owner is not None and not owner.is_private and len(item.comments) >= 2:
            return item
    raise AssertionError("no public post with comments")


def owner_of(sandbox: InstagramSandbox, item: Media) -> str:
    owner = sandbox.world.user_by_id(item.owner_id)
    assert owner is not None
    return owner.username


def another_user(sandbox: InstagramSandbox, *not_these: str) -> str:
    return next(u.username for u in sandbox.world.users if not u.is_private and u.username not in not_these)


def meta_of(answer: requests.Response) -> dict[str, object]:
    meta: dict[str, object] = answer.json()["meta"]
    assert set(answer.json()) == {"meta"} and meta["code"] == answer.status_code
    return meta


def test_seeded_comments_are_listed_oldest_first_in_the_v1_envelope(
    base: str, sandbox: InstagramSandbox
) -> None:
    item = public_post_with_comments(sandbox)
    answer = api(base, f"/media/{item.id}/comments", client_id=CLIENT_ID)
    assert answer.status_code == 200
    body = answer.json()
    assert body["meta"] == {"code": 200}
    assert [c["id"] for c in body["data"]] == [c.id for c in item.comments]
    first = body["data"][0]
    assert (
        first["created_time"] == str(item.comments[0].created_time) and first["text"] == item.comments[0].text
    )
    assert {"id", "username", "full_name", "profile_picture"} <= set(first["from"])
    token = sandbox.issue_token(owner_of(sandbox, item), "basic")  # own post: basic is enough
    assert api(base, f"/media/{item.id}/comments", access_token=token).status_code == 200
    other = sandbox.issue_token(another_user(sandbox, owner_of(sandbox, item)), "basic")
    refused = api(base, f"/media/{item.id}/comments", access_token=other)
    assert meta_of(refused)["error_type"] == "OAuthPermissionsException"
    unknown = api(base, "/media/123_456/comments", client_id=CLIENT_ID)
    assert meta_of(unknown)["error_type"] == "APINotFoundError"


def test_a_private_post_s_comments_are_not_allowed(base: str, sandbox: InstagramSandbox) -> None:
    private = next(m for m in sandbox.world.media if sandbox.world.user_by_id(m.owner_id).is_private)  # type: ignore[union-attr]
    answer = api(base, f"/media/{private.id}/comments", client_id=CLIENT_ID)
    assert answer.status_code == 400 and meta_of(answer)["error_type"] == "APINotAllowedError"


def test_posting_needs_the_comments_scope_and_answers_data_null(
    base: str, sandbox: InstagramSandbox, clock: FakeClock
) -> None:
    item = public_post_with_comments(sandbox)
    commenter = another_user(sandbox, owner_of(sandbox, item))
    without = sandbox.issue_token(commenter, "basic public_content")
    refused = api(base, f"/media/{item.id}/comments", "POST", data={"text": "nice"}, access_token=without)
    assert refused.status_code == 400 and meta_of(refused)["error_type"] == "OAuthPermissionsException"
    assert "scope=comments" in str(meta_of(refused)["error_message"])
    no_token = api(base, f"/media/{item.id}/comments", "POST", data={"text": "nice"}, client_id=CLIENT_ID)
    assert meta_of(no_token)["error_type"] == "OAuthParameterException"

    token = sandbox.issue_token(commenter, "basic public_content comments")
    clock.advance(30)
    made = api(
        base, f"/media/{item.id}/comments", "POST", data={"text": "Lovely light", "access_token": token}
    )
    assert made.status_code == 200 and made.json() == {"meta": {"code": 200}, "data": None}
    listed = api(base, f"/media/{item.id}/comments", access_token=token).json()["data"]
    assert listed[-1]["text"] == "Lovely light" and listed[-1]["from"]["username"] == commenter
    assert listed[-1]["created_time"] == str(int(clock.now)) and len(listed) == len(item.comments) + 1
    assert sandbox.comments_of(item.id)[-1]["text"] == "Lovely light"


@pytest.mark.parametrize(
    ("text", "error_type"),
    [
        ("x" * 301, "APICommentTooLongError"),
        ("#a #b #c #d #e", "APIInvalidParametersError"),
        ("see http://a.example and http://b.example", "APIInvalidParametersError"),
        ("SHOUTING AT YOU", "APIInvalidParametersError"),
        ("", "APIInvalidParametersError"),
    ],
)
def test_v1_comment_rules(base: str, sandbox: InstagramSandbox, text: str, error_type: str) -> None:
    item = public_post_with_comments(sandbox)
    token = sandbox.issue_token(owner_of(sandbox, item), "basic comments")
    answer = api(base, f"/media/{item.id}/comments", "POST", data={"text": text}, access_token=token)
    assert answer.status_code == 400 and meta_of(answer)["error_type"] == error_type


def test_delete_by_the_post_s_owner_or_the_comment_s_author_only(
    base: str, sandbox: InstagramSandbox
) -> None:
    item = public_post_with_comments(sandbox)
    owner = owner_of(sandbox, item)
    seeded = item.comments[0]
    author = sandbox.world.user_by_id(seeded.from_id)
    assert author is not None
    stranger = another_user(sandbox, owner, author.username)
    path = f"/media/{item.id}/comments/{seeded.id}"

    denied = api(
        base, path, "DELETE", access_token=sandbox.issue_token(stranger, "basic comments public_content")
    )
    assert denied.status_code == 400 and meta_of(denied)["error_type"] == "APINotAllowedError"
    scoped = api(base, path, "DELETE", access_token=sandbox.issue_token(owner, "basic"))
    assert meta_of(scoped)["error_type"] == "OAuthPermissionsException"
    deleted = api(base, path, "DELETE", access_token=sandbox.issue_token(owner, "basic comments"))
    assert deleted.json() == {"meta": {"code": 200}, "data": None}
    ids = [c["id"] for c in api(base, f"/media/{item.id}/comments", client_id=CLIENT_ID).json()["data"]]
    assert seeded.id not in ids
    again = api(base, path, "DELETE", access_token=sandbox.issue_token(owner, "basic comments"))
    assert meta_of(again)["error_type"] == "APINotFoundError"

    second = item.comments[1]
    writer = sandbox.world.user_by_id(second.from_id)
    assert writer is not None
    via_post = api(
        base,
        f"/media/{item.id}/comments/{second.id}",
        "POST",
        data={"_method": "DELETE"},
        access_token=sandbox.issue_token(writer.username, "basic comments public_content"),
    )
    assert via_post.json()["data"] is None
    assert [c["deleted"] for c in sandbox.comments_of(item.id)[:2]] == [True, True]


@pytest.fixture
def strict_sandbox(clock: FakeClock) -> Iterator[tuple[InstagramSandbox, str]]:
    sandbox = InstagramSandbox(clock=clock, write_rate_limit_per_hour=2)
    running = sandbox.start()
    yield sandbox, running.url
    sandbox.stop()


def test_comment_writes_have_their_own_hourly_limit(
    strict_sandbox: tuple[InstagramSandbox, str], clock: FakeClock
) -> None:
    sandbox, base = strict_sandbox
    item = public_post_with_comments(sandbox)
    token = sandbox.issue_token(owner_of(sandbox, item), "basic comments")
    answers = [
        api(base, f"/media/{item.id}/comments", "POST", data={"text": f"note {n}"}, access_token=token)
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert meta_of(answers[2])["error_type"] == "OAuthRateLimitException"
    assert answers[2].headers["X-Ratelimit-Limit"] == "5000"
    assert api(base, f"/media/{item.id}/comments", access_token=token).status_code == 200  # reads still fine
    clock.advance(3601)
    assert (
        api(
            base, f"/media/{item.id}/comments", "POST", data={"text": "later"}, access_token=token
        ).status_code
        == 200
    )


def test_reset_brings_back_the_seeded_comments(base: str, sandbox: InstagramSandbox) -> None:
    item = public_post_with_comments(sandbox)
    token = sandbox.issue_token(owner_of(sandbox, item), "basic comments")
    api(base, f"/media/{item.id}/comments/{item.comments[0].id}", "DELETE", access_token=token)
    sandbox.add_comment(item.id, "alice.shop", "a professional account on a v1 post")
    shown = api(base, f"/media/{item.id}/comments", client_id=CLIENT_ID).json()["data"]
    assert shown[-1]["from"]["username"] == "alice.shop" and shown[-1]["from"]["full_name"]
    requests.post(f"{base}/__sandbox__/reset", timeout=TIMEOUT)
    after = api(base, f"/media/{item.id}/comments", client_id=CLIENT_ID).json()["data"]
    assert [c["id"] for c in after] == [c.id for c in item.comments]
