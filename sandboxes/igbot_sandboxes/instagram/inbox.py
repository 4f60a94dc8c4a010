"""The comment and mention inbox (issue 13, docs/inbox-wire.md) as the controls and the APIs change it:
new comments by anyone, mentions, what a post's comments look like for assertions, and the webhooks
they cause.

A comment is on a post "of the current mode": a graph post of a professional account (graph mode
served) or a v1 post (v1 served).  Its author is any Instagram username: a professional account or a
v1 user.  In graph mode every new comment is pushed to the app's webhook as a ``comments`` change in
the entry of the media owner's account, unless the owner's own account wrote it (its replies through
the API: our choice, to avoid echo loops), and as a ``mentions`` change in the entry of every
professional account it ``@mentions`` (other than its author).  A new post whose caption mentions an
account (`add_mention` without a media id) pushes ``mentions`` with only ``media_id``.  Whether a
push goes out at all is `graph.webhooks.WebhookHub.notify`'s business (callback set, app Live with
Advanced Access, the account's Page subscribed the app).

A person replying in the Instagram app to a reply answers the top-level comment (Instagram keeps one
level of replies), so the control attaches such a reply to the top-level comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from igbot_sandboxes.instagram.comments import StoredComment
from igbot_sandboxes.instagram.graph.posts import NewGraphPost, build_graph_media
from igbot_sandboxes.instagram.graph.render import graph_time
from igbot_sandboxes.instagram.graph.world import VIDEO, GraphMedia

if TYPE_CHECKING:
    from igbot_sandboxes.instagram.state import SandboxState

MAX_COMMENT = 2200
_MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9._]{1,30})")


@dataclass(frozen=True)
class Author:
    """Who writes a comment: an Instagram user id and username."""

    id: str
    username: str


def mentioned_usernames(text: str | None) -> list[str]:
    """Lower-cased usernames ``@mentioned`` in a text, in order, without repeats (a trailing ``.`` of
    a sentence is not part of the name)."""
    names = [m.group(1).rstrip(".").lower() for m in _MENTION.finditer(text or "")]
    return list(dict.fromkeys(n for n in names if n))


def media_api(state: SandboxState, media_id: str) -> str:
    """``"graph"`` for a professional account's graph post, ``"v1"`` for a v1 post, of an API served.

    Raises:
        LookupError: no such post (or its API is not served).
    """
    served = state.config.api
    item = state.graph_mode.world.media_by_id(media_id)
    if served != "v1" and item is not None and item.professional:
        return "graph"
    if served != "graph" and state.world.media_by_id(media_id) is not None:
        return "v1"
    raise LookupError(f"no post {media_id!r} (a professional account's graph post or a v1 post)")


def author_named(state: SandboxState, username: str) -> Author:
    """A professional account or a v1 user by username (``@`` and case ignored).

    Raises:
        LookupError: no such Instagram user.
    """
    name = username.strip().lstrip("@")
    account = state.graph_mode.world.account_by_username(name)
    if account is not None:
        return Author(account.id, account.username)
    user = state.world.user_by_username(name)
    if user is not None:
        return Author(user.id, user.username)
    raise LookupError(f"no Instagram user named {username!r}")


def username_of(state: SandboxState, user_id: str) -> str:
    """The username of a v1 user or professional account id ("" when unknown)."""
    user = state.world.user_by_id(user_id)
    if user is not None:
        return user.username
    account = state.graph_mode.world.account_by_id(user_id)
    return account.username if account is not None else ""


def import_v1(state: SandboxState, media_id: str) -> None:
    """Bring a v1 post's seeded comments into the store (once)."""
    item = state.world.media_by_id(media_id)
    if item is not None:
        state.comments.import_seeded(media_id, item.comments, lambda uid: username_of(state, uid))


def media_owner(state: SandboxState, item: StoredComment) -> str:
    """The id of the account that owns the post a comment is on."""
    if item.api == "graph":
        media = state.graph_mode.world.media_by_id(item.media_id)
        return media.owner_id if media is not None else ""
    post = state.world.media_by_id(item.media_id)
    return post.owner_id if post is not None else ""


def check_text(text: object) -> str:
    """A comment's text.

    Raises:
        ValueError: not a string, blank, or over 2200 characters.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    if len(text) > MAX_COMMENT:
        raise ValueError(f"text over {MAX_COMMENT} characters")
    return text


def store_comment(
    state: SandboxState, media_id: str, author: Author, text: str, parent_id: str | None = None
) -> StoredComment:
    """Store a new comment (or reply) and push its webhooks; the callers have checked everything.

    Raises:
        LookupError: no such post.
    """
    api = media_api(state, media_id)
    if api == "v1":
        import_v1(state, media_id)
    item = state.comments.add(api, media_id, author.id, author.username, text, parent_id)
    if api == "graph":
        notify_comment(state, item)
    return item


def add_comment(
    state: SandboxState, media_id: str, username: str, text: object, parent_id: str | None = None
) -> StoredComment:
    """A comment by any Instagram user on a post of the current mode (see the module docstring).

    Raises:
        LookupError: no such post, user or parent comment (on that post).
        ValueError: a bad text.
    """
    api = media_api(state, media_id)
    author = author_named(state, username)
    body = check_text(text)
    if api == "v1":
        import_v1(state, media_id)
    if parent_id is not None:
        parent = state.comments.live(parent_id, api)
        if parent is None or parent.media_id != media_id:
            raise LookupError(f"no comment {parent_id!r} on post {media_id}")
        parent_id = parent.parent_id or parent.id
    return store_comment(state, media_id, author, body, parent_id)


def graph_media_value(item: GraphMedia) -> dict[str, str]:
    """``media`` of a ``comments`` webhook value."""
    return {"id": item.id, "media_product_type": "REELS" if item.media_type == VIDEO else "FEED"}


def comment_value(item: StoredComment, media: GraphMedia) -> dict[str, Any]:
    """The ``value`` of a ``comments`` change."""
    value: dict[str, Any] = {
        "id": item.id,
        "text": item.text,
        "from": {"id": item.author_id, "username": item.username},
        "media": graph_media_value(media),
    }
    if item.parent_id is not None:
        value["parent_id"] = item.parent_id
    return value


def _notify(state: SandboxState, account_id: str, field: str, value: dict[str, Any]) -> None:
    page = state.graph_mode.world.page_of_account(account_id)
    state.webhooks.notify(page.id if page else None, account_id, field, value)


def notify_mentions(
    state: SandboxState, text: str | None, author_id: str, media_id: str, comment_id: str | None
) -> None:
    """Push ``mentions`` to every professional account the text mentions (not to its author)."""
    world = state.graph_mode.world
    for name in mentioned_usernames(text):
        account = world.account_by_username(name)
        if account is None or account.id == author_id:
            continue
        value = {"media_id": media_id}
        if comment_id is not None:
            value["comment_id"] = comment_id
        _notify(state, account.id, "mentions", value)


def notify_comment(state: SandboxState, item: StoredComment) -> None:
    """The webhooks a new graph comment causes."""
    media = state.graph_mode.world.media_by_id(item.media_id)
    if media is None:
        return
    if item.author_id != media.owner_id:
        _notify(state, media.owner_id, "comments", comment_value(item, media))
    notify_mentions(state, item.text, item.author_id, media.id, item.id)


def add_mention(
    state: SandboxState, account: str, username: str, text: object, media_id: str | None = None
) -> dict[str, Any]:
    """``username`` mentions the professional account ``account``: in a comment on ``media_id``, or
    (without it) in the caption of a new post by ``username`` (a professional account).  ``@account``
    is appended to the text when it does not mention it already.  Returns ``{"media_id",
    "comment_id"?, "comment"?}``.

    Raises:
        LookupError: no such account, user or post.
        ValueError: a bad text, a v1 post, or a caption mention by someone without a professional
        account.
    """
    if state.config.api == "v1":
        raise ValueError("mentions are graph mode's (this sandbox serves API v1 only)")
    mentioned = state.graph_mode.professional_account(account)
    body = check_text(text)
    if mentioned.username.lower() not in mentioned_usernames(body):
        body = f"{body} @{mentioned.username}"
    if media_id is not None:
        if media_api(state, media_id) != "graph":
            raise ValueError("mentions are on graph posts of professional accounts")
        item = add_comment(state, media_id, username, body)
        return {"media_id": media_id, "comment_id": item.id, "comment": comment_dict(state, item)}
    author = state.graph_mode.world.account_by_username(username.strip().lstrip("@"))
    if author is None:
        raise ValueError(f"{username!r} is not a professional account: only they post through the sandbox")
    mode = state.graph_mode
    post = NewGraphPost(author.username, body)
    created = mode.add_media(lambda world: build_graph_media(world, author, post, mode.clock()))
    notify_mentions(state, created.caption, author.id, created.id, None)
    return {"media_id": created.id, "caption": created.caption, "username": author.username}


def comment_dict(state: SandboxState, item: StoredComment, *, with_replies: bool = True) -> dict[str, Any]:
    """A comment as the controls show it: ``id``, ``api``, ``media_id``, ``text``, ``timestamp``,
    ``created_time``, ``username``, ``from``, ``hidden``, ``deleted``, ``like_count``, ``media``,
    ``parent_id`` (replies) and ``replies`` (top-level comments: every reply, deleted ones too)."""
    out: dict[str, Any] = {
        "id": item.id,
        "api": item.api,
        "media_id": item.media_id,
        "text": item.text,
        "timestamp": graph_time(item.created_time),
        "created_time": str(item.created_time),
        "username": item.username,
        "from": {"id": item.author_id, "username": item.username},
        "hidden": item.hidden,
        "deleted": item.deleted,
        "like_count": 0,
        "media": {"id": item.media_id},
    }
    if item.parent_id is not None:
        out["parent_id"] = item.parent_id
    elif with_replies:
        out["replies"] = [
            comment_dict(state, r, with_replies=False)
            for r in state.comments.replies_of(item.id, include_deleted=True)
        ]
    return out


def comments_of(state: SandboxState, media_id: str) -> list[dict[str, Any]]:
    """Every top-level comment on a post, oldest first, deleted and hidden ones included, each with its
    replies.

    Raises:
        LookupError: no such post.
    """
    if media_api(state, media_id) == "v1":
        import_v1(state, media_id)
    return [comment_dict(state, c) for c in state.comments.top_level(media_id, include_deleted=True)]
