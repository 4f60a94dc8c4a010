"""Graph mode's comment inbox over real HTTP: Page tokens, subscribed_apps, the comments and replies
edges, hide, delete, mentions lookups, Page roles and every permission error (docs/inbox-wire.md)."""

from __future__ import annotations

import pytest

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, FakeClock
from tests.sandboxes.instagram.graph_helpers import (
    ALICE_SHOP,
    ALICE_STUDIO,
    BOBS_BAKERY,
    SCOPE,
    error_of,
    exchange_code,
    graph_code,
)
from tests.sandboxes.instagram.inbox_helpers import (
    ALICE_SHOP_PAGE,
    MODERATION_SCOPE,
    call,
    moderator,
    newest_post,
    page_token,
)

COMMENT_FIELDS = "id,text,timestamp,username,from,hidden,parent_id,like_count"


def test_a_page_token_comes_from_a_user_with_a_role_on_the_page(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    answer = call(base, "GET", f"/{ALICE_SHOP_PAGE}", token, fields="access_token")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "id"} and body["id"] == ALICE_SHOP_PAGE
    assert body["access_token"].startswith("EAA") and body["access_token"] != token
    me = call(
        base, "GET", "/me", body["access_token"], fields="id,name"
    ).json()  # a Page token's me: its Page
    assert me == {"id": ALICE_SHOP_PAGE, "name": "Alice's Coffee Shop"}
    listed = call(base, "GET", "/me/accounts", token, fields="id,access_token").json()["data"]
    assert all(p["access_token"].startswith("EAA") for p in listed)

    bobs = call(base, "GET", f"/{ALICE_SHOP_PAGE}", moderator(sandbox, "bob"), fields="access_token")
    assert bobs.status_code == 400 and (error_of(bobs)["code"], error_of(bobs)["error_subcode"]) == (100, 33)


def test_subscribed_apps_needs_a_page_token_and_pages_manage_metadata(
    base: str, sandbox: InstagramSandbox
) -> None:
    user = moderator(sandbox)
    path = f"/{ALICE_SHOP_PAGE}/subscribed_apps"
    as_user = call(base, "POST", path, user, subscribed_fields="feed")
    assert as_user.status_code == 400 and error_of(as_user)["code"] == 210
    assert "page access token is required" in error_of(as_user)["message"]

    weak_page = page_token(base, moderator(sandbox, scope=SCOPE))
    refused = call(base, "POST", path, weak_page, subscribed_fields="feed")
    assert refused.status_code == 403 and error_of(refused)["code"] == 200
    assert error_of(refused)["message"].startswith("(#200)")

    page = page_token(base, user)
    assert call(base, "GET", path, page).json() == {"data": []}
    missing = call(base, "POST", path, page)
    assert missing.status_code == 400 and error_of(missing)["code"] == 100
    assert error_of(call(base, "POST", path, page, subscribed_fields="nonsense"))["code"] == 100
    assert call(base, "POST", path, page, subscribed_fields="feed").json() == {"success": True}
    (app,) = call(base, "GET", path, page).json()["data"]
    assert app["id"] == sandbox.client_id and app["subscribed_fields"] == ["feed"] and app["name"]
    assert call(base, "DELETE", path, page).json() == {"success": True}
    assert call(base, "GET", path, page).json() == {"data": []}
    other_page = call(base, "GET", "/104000000000012/subscribed_apps", page)  # alice's other Page
    assert error_of(other_page)["code"] == 210


def test_comments_are_listed_newest_first_top_level_only_with_cursor_paging(
    base: str, sandbox: InstagramSandbox, clock: FakeClock
) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    made = []
    for n in range(3):
        made.append(sandbox.add_comment(media, "bobs_bakery" if n % 2 else "sunset.chaser", f"comment {n}"))
        clock.advance(60)
    sandbox.add_comment(media, "brewlab.coffee", "a reply", parent_id=made[0]["id"])

    first = call(base, "GET", f"/{media}/comments", token, fields=COMMENT_FIELDS, limit=2)
    assert first.status_code == 200
    body = first.json()
    assert [c["text"] for c in body["data"]] == ["comment 2", "comment 1"]
    assert body["data"][0] == {
        "id": made[2]["id"],
        "text": "comment 2",
        "timestamp": made[2]["timestamp"],
        "username": "sunset.chaser",
        "from": {"id": made[2]["from"]["id"], "username": "sunset.chaser"},
        "hidden": False,
        "like_count": 0,
    }
    assert body["data"][0]["timestamp"].endswith("+0000") and set(body["paging"]["cursors"]) == {
        "before",
        "after",
    }
    after = call(
        base,
        "GET",
        f"/{media}/comments",
        token,
        fields="id,text",
        limit=2,
        after=body["paging"]["cursors"]["after"],
    )
    assert [c["text"] for c in after.json()["data"]] == ["comment 0"] and "next" not in after.json()["paging"]
    assert body["paging"]["next"].startswith(base)
    default = call(base, "GET", f"/{media}/comments", token).json()["data"][0]
    assert list(default) == ["timestamp", "text", "id"]
    bad = call(base, "GET", f"/{media}/comments", token, fields="id,nonsense")
    assert error_of(bad)["code"] == 100
    seeded = sandbox.graph_world.media_by_id(media)
    assert seeded is not None
    count = call(base, "GET", f"/{media}", token, fields="comments_count").json()["comments_count"]
    assert count == seeded.comments_count + 4


def test_moderation_needs_instagram_manage_comments_and_a_role_on_the_page(
    base: str, sandbox: InstagramSandbox
) -> None:
    media = newest_post(sandbox)
    comment = sandbox.add_comment(media, "sunset.chaser", "hello")
    without_scope = call(base, "GET", f"/{media}/comments", sandbox.issue_graph_token("alice"))
    assert without_scope.status_code == 400 and error_of(without_scope)["code"] == 10
    assert "instagram_manage_comments" in error_of(without_scope)["message"]

    bob = moderator(sandbox, "bob")
    for method, path, params in (
        ("GET", f"/{media}/comments", {}),
        ("POST", f"/{media}/comments", {"message": "hi"}),
        ("GET", f"/{comment['id']}", {}),
        ("POST", f"/{comment['id']}", {"hide": "true"}),
        ("DELETE", f"/{comment['id']}", {}),
        ("GET", f"/{comment['id']}/replies", {}),
        ("POST", f"/{comment['id']}/replies", {"message": "hi"}),
    ):
        answer = call(base, method, path, bob, **params)
        assert answer.status_code == 400, (method, path)
        error = error_of(answer)
        assert (error["code"], error["message"]) == (
            10,
            "(#10) Application does not have permission for this action",
        )

    sandbox.add_page_role("alice.shop", "bob")
    accounts = call(base, "GET", "/me/accounts", bob, fields="id,instagram_business_account").json()["data"]
    assert [a["instagram_business_account"]["id"] for a in accounts] == [ALICE_SHOP, BOBS_BAKERY]
    assert call(base, "GET", f"/{media}/comments", bob).status_code == 200
    assert call(base, "GET", f"/{ALICE_SHOP}", bob, fields="username").json()["username"] == "alice.shop"
    assert sandbox.graph_accounts_of("bob")[0]["username"] == "alice.shop"


def test_the_dialog_grants_the_moderation_permissions(base: str, sandbox: InstagramSandbox) -> None:
    code = graph_code(base, scope=MODERATION_SCOPE)
    token = exchange_code(base, code).json()["access_token"]
    media = newest_post(sandbox)
    assert call(base, "GET", f"/{media}/comments", token).json() == {"data": []}
    assert (
        call(base, "GET", f"/{ALICE_SHOP_PAGE}/subscribed_apps", page_token(base, token)).status_code == 200
    )


def test_replies_go_to_top_level_comments_that_are_neither_hidden_nor_deleted(
    base: str, sandbox: InstagramSandbox
) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    top = sandbox.add_comment(media, "bobs_bakery", "Open on Sundays?")
    answer = call(base, "POST", f"/{top['id']}/replies", token, message="Yes, 8-2!")
    assert answer.status_code == 200 and set(answer.json()) == {"id"}
    reply_id = answer.json()["id"]
    replies = call(
        base, "GET", f"/{top['id']}/replies", token, fields="id,text,username,parent_id,user"
    ).json()
    assert replies["data"] == [
        {
            "id": reply_id,
            "text": "Yes, 8-2!",
            "username": "alice.shop",
            "parent_id": top["id"],
            "user": {"id": ALICE_SHOP},
        }
    ]
    nested = call(base, "GET", f"/{top['id']}", token, fields="id,replies{id,text}").json()
    assert nested["replies"]["data"] == [{"id": reply_id, "text": "Yes, 8-2!"}]
    missing = call(base, "POST", f"/{top['id']}/replies", token)
    assert error_of(missing)["code"] == 100

    to_reply = error_of(call(base, "POST", f"/{reply_id}/replies", token, message="again"))
    assert (to_reply["code"], to_reply["message"]) == (100, "Invalid parameter") and to_reply[
        "error_user_msg"
    ]
    hidden = sandbox.add_comment(media, "bobs_bakery", "spam spam")
    assert call(base, "POST", f"/{hidden['id']}", token, hide="true").json() == {"success": True}
    to_hidden = error_of(call(base, "POST", f"/{hidden['id']}/replies", token, message="no"))
    assert to_hidden["code"] == 100 and "hidden" in to_hidden["error_user_msg"]
    gone = sandbox.add_comment(media, "bobs_bakery", "bye")
    assert call(base, "DELETE", f"/{gone['id']}", token).json() == {"success": True}
    to_deleted = error_of(call(base, "POST", f"/{gone['id']}/replies", token, message="no"))
    assert to_deleted["code"] == 100 and to_deleted["error_user_msg"]
    assert [c["text"] for c in sandbox.comments_of(media)[0]["replies"]] == ["Yes, 8-2!"]


def test_hide_and_unhide_and_who_sees_hidden(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    comment = sandbox.add_comment(media, "bobs_bakery", "meh @bobs_bakery")
    path = f"/{comment['id']}"
    assert call(base, "POST", path, token, hide="true").json() == {"success": True}
    assert call(base, "GET", path, token, fields="id,hidden").json() == {"id": comment["id"], "hidden": True}
    assert sandbox.comments_of(media)[0]["hidden"] is True
    listed = call(base, "GET", f"/{media}/comments", token, fields="id,hidden").json()["data"]
    assert listed == [{"id": comment["id"], "hidden": True}]
    # the comment's author (bob manages bobs_bakery) reads it without `hidden`
    as_author = call(base, "GET", path, moderator(sandbox, "bob"), fields="id,text,hidden").json()
    assert as_author == {"id": comment["id"], "text": "meh @bobs_bakery"}
    assert call(base, "POST", path, token, hide="false").json() == {"success": True}
    assert call(base, "GET", path, token, fields="hidden").json()["hidden"] is False
    assert error_of(call(base, "POST", path, token))["code"] == 100
    assert error_of(call(base, "POST", path, token, hide="maybe"))["code"] == 100

    own = call(base, "POST", f"/{media}/comments", token, message="Thanks all!").json()["id"]
    refused = error_of(call(base, "POST", f"/{own}", token, hide="true"))
    assert refused["code"] == 100 and refused["error_user_msg"]


def test_delete_removes_the_comment_and_its_replies(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    top = sandbox.add_comment(media, "bobs_bakery", "first!")
    reply = sandbox.add_comment(media, "sunset.chaser", "second", parent_id=top["id"])
    assert call(base, "DELETE", f"/{top['id']}", token).json() == {"success": True}
    for comment_id in (top["id"], reply["id"]):
        answer = call(base, "GET", f"/{comment_id}", token)
        assert answer.status_code == 400 and (
            error_of(answer)["code"],
            error_of(answer)["error_subcode"],
        ) == (100, 33)
    again = error_of(call(base, "DELETE", f"/{top['id']}", token))
    assert (again["code"], again["error_subcode"]) == (100, 33)
    assert call(base, "GET", f"/{media}/comments", token).json() == {"data": []}
    (shown,) = sandbox.comments_of(media)
    assert shown["deleted"] is True and shown["replies"][0]["deleted"] is True
    # the author's own managers may delete their comment too
    bobs = sandbox.add_comment(media, "bobs_bakery", "oops, wrong post")
    assert call(base, "DELETE", f"/{bobs['id']}", moderator(sandbox, "bob")).json() == {"success": True}


def test_commenting_on_own_media_and_unsupported_methods(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    answer = call(base, "POST", f"/{media}/comments", token, message="New beans on Friday")
    new_id = answer.json()["id"]
    got = call(
        base, "GET", f"/{new_id}", token, fields="id,username,from{id},media{id,caption},parent_id"
    ).json()
    assert got["username"] == "alice.shop" and got["from"] == {"id": ALICE_SHOP}
    assert got["media"]["id"] == media and "parent_id" not in got
    assert error_of(call(base, "POST", f"/{media}/comments", token))["code"] == 100
    for method, path in (("POST", "/me"), ("DELETE", f"/{media}"), ("POST", f"/{ALICE_SHOP}")):
        error = error_of(call(base, method, path, token))
        assert (error["code"], error["error_subcode"]) == (100, 33), (method, path)


def test_mentions_lookups(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    caption = sandbox.add_mention("alice.shop", "bobs_bakery", "Our croissants with coffee from")
    in_comment = sandbox.add_mention(
        "alice.shop", "sunset.chaser", "Best flat white, @alice.shop!", newest_post(sandbox, BOBS_BAKERY)
    )
    fields = f"mentioned_media.media_id({caption['media_id']}){{id,caption,username,media_type}}"
    got = call(base, "GET", f"/{ALICE_SHOP}", token, fields=fields).json()
    assert got["id"] == ALICE_SHOP
    assert got["mentioned_media"] == {
        "id": caption["media_id"],
        "caption": "Our croissants with coffee from @alice.shop",
        "username": "bobs_bakery",
        "media_type": "IMAGE",
    }
    comment = in_comment["comment_id"]
    fields = f"mentioned_comment.comment_id({comment}){{id,text,timestamp,like_count,media{{id}}}}"
    mentioned = call(base, "GET", f"/{ALICE_SHOP}", token, fields=fields).json()["mentioned_comment"]
    assert mentioned["text"] == "Best flat white, @alice.shop!" and "username" not in mentioned
    assert mentioned["media"] == {"id": newest_post(sandbox, BOBS_BAKERY)}
    assert (
        error_of(call(base, "GET", f"/{ALICE_STUDIO}", token, fields=fields))["code"] == 100
    )  # not mentioned
    weak = call(base, "GET", f"/{ALICE_SHOP}", sandbox.issue_graph_token("alice"), fields=fields)
    assert error_of(weak)["code"] == 10
    assert error_of(call(base, "GET", f"/{ALICE_SHOP}", token, fields="mentioned_media{id}"))["code"] == 100


@pytest.mark.parametrize(
    ("lookup", "field", "node_type"),
    [
        ("mentioned_comment.comment_id({comment}){{id,text,{field}}}", "username", "ShadowIGComment"),
        ("mentioned_comment.comment_id({comment}){{id,text,{field}}}", "from", "ShadowIGComment"),
        ("mentioned_comment.comment_id({comment}){{id,media{{id,{field}}}}}", "permalink", "ShadowIGMedia"),
        ("mentioned_media.media_id({media}){{id,caption,{field}}}", "permalink", "ShadowIGMedia"),
        ("mentioned_media.media_id({media}){{id,caption,{field}}}", "thumbnail_url", "ShadowIGMedia"),
    ],
)
def test_mentions_lookups_refuse_fields_meta_does_not_list(
    base: str, sandbox: InstagramSandbox, lookup: str, field: str, node_type: str
) -> None:
    # Issue 20, item 4: Meta's Mentioned Comment and Mentioned Media references list the fields one may
    # ask for; Graph answers any other one with its (#100) error, and so does the sandbox.
    token = moderator(sandbox)
    caption = sandbox.add_mention("alice.shop", "bobs_bakery", "Our croissants with coffee from")
    in_comment = sandbox.add_mention(
        "alice.shop", "sunset.chaser", "Best flat white, @alice.shop!", newest_post(sandbox, BOBS_BAKERY)
    )
    fields = lookup.format(comment=in_comment["comment_id"], media=caption["media_id"], field=field)
    refused = call(base, "GET", f"/{ALICE_SHOP}", token, fields=fields)
    assert refused.status_code == 400
    error = error_of(refused)
    assert {k: v for k, v in error.items() if k != "fbtrace_id"} == {
        "message": f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})",
        "type": "OAuthException",
        "code": 100,
    }
    assert isinstance(error["fbtrace_id"], str) and error["fbtrace_id"]


def test_a_mention_is_answered_through_the_mentions_edge(base: str, sandbox: InstagramSandbox) -> None:
    token = moderator(sandbox)
    post = newest_post(sandbox, BOBS_BAKERY)  # its caption does not mention alice.shop
    caption = sandbox.add_mention("alice.shop", "bobs_bakery", "Our croissants with coffee from")
    in_comment = sandbox.add_mention("alice.shop", "sunset.chaser", "Best flat white, @alice.shop!", post)
    path = f"/{ALICE_SHOP}/mentions"
    on_comment = call(
        base, "POST", path, token, media_id=post, comment_id=in_comment["comment_id"], message="Thank you!"
    )
    assert on_comment.status_code == 200, on_comment.text
    replies = {c["id"]: c for c in sandbox.comments_of(post)}[in_comment["comment_id"]]["replies"]
    assert [(r["id"], r["username"], r["text"]) for r in replies] == [
        (on_comment.json()["id"], "alice.shop", "Thank you!")
    ]
    on_caption = call(base, "POST", path, token, media_id=caption["media_id"], message="Glad you liked it")
    assert on_caption.status_code == 200, on_caption.text
    made = [c for c in sandbox.comments_of(caption["media_id"]) if c["id"] == on_caption.json()["id"]]
    assert [(c["username"], c["text"]) for c in made] == [("alice.shop", "Glad you liked it")]
    # what Meta would refuse: no message, no media, a post or comment that does not mention the account,
    # an account the token does not manage, a token without the moderation permissions
    assert error_of(call(base, "POST", path, token, media_id=post))["code"] == 100
    assert error_of(call(base, "POST", path, token, message="hi"))["code"] == 100
    assert error_of(call(base, "POST", path, token, media_id=post, message="hi"))["code"] == 100
    other = sandbox.add_comment(post, "sunset.chaser", "no mention here")["id"]
    assert (
        error_of(call(base, "POST", path, token, media_id=post, comment_id=other, message="hi"))["code"]
        == 100
    )
    bobs = call(base, "POST", path, moderator(sandbox, "bob"), media_id=caption["media_id"], message="x")
    assert (error_of(bobs)["code"], error_of(bobs)["error_subcode"]) == (100, 33)
    weak = sandbox.issue_graph_token("alice", scope="instagram_basic,pages_show_list")
    assert error_of(call(base, "POST", path, weak, media_id=caption["media_id"], message="x"))["code"] == 10


def test_the_comment_controls_validate(base: str, sandbox: InstagramSandbox) -> None:
    import requests

    media = newest_post(sandbox)
    control = f"{base}/__sandbox__/comments"
    made = requests.post(
        control, json={"media_id": media, "username": "@BobS_Bakery", "text": "hi"}, timeout=TIMEOUT
    )
    assert made.status_code == 200 and made.json()["username"] == "bobs_bakery"
    assert (
        requests.post(
            control, json={"media_id": "nope", "username": "bob", "text": "x"}, timeout=TIMEOUT
        ).status_code
        == 404
    )
    assert (
        requests.post(
            control, json={"media_id": media, "username": "nobody.here", "text": "x"}, timeout=TIMEOUT
        ).status_code
        == 404
    )
    assert (
        requests.post(
            control, json={"media_id": media, "username": "bob", "text": " "}, timeout=TIMEOUT
        ).status_code
        == 400
    )
    listing = requests.get(control, params={"media_id": media}, timeout=TIMEOUT).json()
    assert [c["text"] for c in listing["comments"]] == ["hi"]
    roles = requests.post(
        f"{base}/__sandbox__/graph/page_roles",
        json={"ig_account": "alice.shop", "username": "dan_the_man"},
        timeout=TIMEOUT,
    )
    assert roles.status_code == 200 and roles.json()["page"]["id"] == ALICE_SHOP_PAGE
    assert (
        requests.post(
            f"{base}/__sandbox__/graph/page_roles",
            json={"ig_account": "nobody", "username": "bob"},
            timeout=TIMEOUT,
        ).status_code
        == 404
    )
