"""The inbox on the Graph API: webhooks push comments and mentions (once the account's Page subscribed
the app), igbot reads each one back, and moderates with the acting person's own token.

Calls (docs/inbox-wire.md): ``/me/accounts`` then ``/{page-id}?fields=access_token`` for the Page token,
``POST /{page-id}/subscribed_apps``; ``GET /{comment-id}`` with its media, ``mentioned_media`` /
``mentioned_comment`` on the account; ``POST /{comment-id}/replies``, ``POST /{comment-id}?hide=``,
``DELETE /{comment-id}``; ``POST /{ig-user-id}/mentions`` to answer a mention.

A mention is read with only the fields Meta's references list (Graph refuses any other with its
``(#100) Tried accessing nonexisting field`` error): a mentioned comment has no author and a mentioned
post no permalink.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from bot.instagram.errors import AppFeatureMissing, NotAllowed, PermissionMissing
from bot.instagram.graph import parsing as parse
from bot.instagram.models import Comment, Credentials, InboxEvent, InboxItem, Media

COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},hidden,parent_id"
# Meta's Mentioned Media reference: caption, comments, comments_count, id, like_count, media_type,
# media_url, owner, timestamp, username (no permalink, no thumbnail_url).
MENTIONED_MEDIA_FIELDS = "id,caption,media_type,media_url,timestamp,username"
# Meta's Mentioned Comment reference: id, like_count, media, text, timestamp (no username, from, hidden);
# its media is someone else's post, so it is asked for the Mentioned Media fields.
MENTIONED_FIELDS = "id,text,timestamp"
POST_FIELDS = "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,username"
PAGE_FIELDS = "id,instagram_business_account{id}"
WEBHOOK_FIELDS = "feed"  # what the Page subscribes to; Instagram's own fields are set on the app [U]
MAX_CHANGES = 1000  # Meta batches up to 1000 changes in one body
INBOX_FEATURE = (
    "Instagram webhooks for comments (the app Live, with Advanced Access to instagram_manage_comments)"
)


class _Graph(Protocol):
    def _get(self, path: str, token: str | None, *, lookup: str = "", hashtag: str = "", item: bool = False,
             **params: str | int) -> dict[str, Any]: ...  # fmt: skip

    def _send(
        self, method: str, path: str, token: str, *, action: str, **params: str | int
    ) -> dict[str, Any]: ...

    def _pages(
        self, path: str, token: str, *, pages: int, **params: str | int
    ) -> Iterator[dict[str, Any]]: ...


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: object) -> str:
    return (
        parse.node_id({"id": value}) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    )


def inbox_events(body: object) -> list[InboxEvent]:
    """The comments and mentions of one webhook body (Facebook Login shape), each once, in order.

    Anything else (messaging, story insights, malformed entries, ids that are not plain ids) is skipped.
    """
    found: list[InboxEvent] = []
    body_dict = _dict(body)
    if body_dict.get("object") != "instagram":
        return found
    entries = body_dict.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        account_id = _id(_dict(entry).get("id"))
        changes = _dict(entry).get("changes")
        for change in changes if isinstance(changes, list) and account_id else []:
            event = _event(account_id, _dict(change))
            if event is not None and event not in found:
                found.append(event)
            if len(found) >= MAX_CHANGES:
                return found
    return found


def _event(account_id: str, change: dict[str, Any]) -> InboxEvent | None:
    field, value = change.get("field"), _dict(change.get("value"))
    if field == "comments":
        comment_id = _id(value.get("id") or value.get("comment_id"))
        media_id = _id(_dict(value.get("media")).get("id"))
        return InboxEvent("comment", account_id, media_id, comment_id) if comment_id and media_id else None
    if field == "mentions":
        media_id, comment_id = _id(value.get("media_id")), _id(value.get("comment_id"))
        return InboxEvent("mention", account_id, media_id, comment_id) if media_id else None
    return None


def comment(node: dict[str, Any], media_id: str = "") -> Comment | None:
    """A graph comment node; None without an id."""
    comment_id = parse.node_id(node)
    if not comment_id:
        return None
    username = parse._text(node.get("username")) or parse._text(_dict(node.get("from")).get("username"))
    return Comment(
        id=comment_id,
        media_id=parse.node_id(_dict(node.get("media"))) or media_id,
        text=parse._text(node.get("text")),
        username=username,
        posted_at=parse._timestamp(node.get("timestamp")),
        parent_id=_id(node.get("parent_id")),
        hidden=node.get("hidden") is True,
    )


def post(node: dict[str, Any]) -> Media:
    """A media node as the post a comment is on (the picture may be missing)."""
    found = parse.media(node)
    if found is not None:
        return found
    return Media(
        id=parse.node_id(node),
        image_url="",
        link=parse._text(node.get("permalink")),
        author=parse._text(node.get("username")),
        caption=parse._text(node.get("caption")),
        posted_at=parse._timestamp(node.get("timestamp")),
    )


class GraphInbox:
    """The inbox half of `bot.instagram.graph.GraphInstagram` (mixed into it)."""

    def enable_inbox(self: _Graph, creds: Credentials) -> None:
        """Subscribe the Page connected to the linked account to the app's webhooks (Page token)."""
        page_id = ""
        for body in self._pages("/me/accounts", creds.token, pages=10, fields=PAGE_FIELDS):
            data = body.get("data")
            for page in data if isinstance(data, list) else []:
                ig = parse.node_id(_dict(_dict(page).get("instagram_business_account")))
                if ig and ig == creds.ig_user_id:
                    page_id = parse.node_id(_dict(page))
                    break
            if page_id:
                break
        if not page_id:
            raise NotAllowed("no Page with a role connects to this Instagram account")
        page = self._get(f"/{page_id}", creds.token, fields="access_token")
        page_token = parse._text(page.get("access_token"))
        if not page_token:
            raise NotAllowed("Facebook gave no Page token")
        try:
            self._send(
                "POST",
                f"/{page_id}/subscribed_apps",
                page_token,
                action="turn on the inbox",
                subscribed_fields=WEBHOOK_FIELDS,
            )
        except PermissionMissing as missing:  # a scope of the user's token: linking again grants it
            missing.token_fingerprint = creds.fingerprint  # (the call used the Page token it gave)
            raise
        except NotAllowed:
            raise AppFeatureMissing(INBOX_FEATURE) from None

    def inbox_events(self, body: object) -> list[InboxEvent]:
        """See `inbox_events`."""
        return inbox_events(body)

    def inbox_item(self: _Graph, creds: Credentials, event: InboxEvent) -> InboxItem | None:
        """Read the comment (with its post) or the mention back from Instagram; NotFound when it is gone
        (deleted since the notification, Graph's 100/33): that one is skipped, the others are read."""
        if event.kind == "comment":
            node = self._get(
                f"/{event.comment_id}",
                creds.token,
                item=True,
                fields=f"{COMMENT_FIELDS},media{{{POST_FIELDS}}}",
            )
            found = comment(node, event.media_id)
            if found is None:
                return None
            return InboxItem("comment", post(_dict(node.get("media")) or {"id": event.media_id}), found)
        account = f"/{creds.ig_user_id}"
        if event.comment_id:
            fields = f"{MENTIONED_FIELDS},media{{{MENTIONED_MEDIA_FIELDS}}}"
            spec = f"mentioned_comment.comment_id({event.comment_id}){{{fields}}}"
            node = _dict(self._get(account, creds.token, item=True, fields=spec).get("mentioned_comment"))
            found = comment(node, event.media_id)
            if found is None:
                return None
            return InboxItem("mention", post(_dict(node.get("media")) or {"id": event.media_id}), found)
        spec = f"mentioned_media.media_id({event.media_id}){{{MENTIONED_MEDIA_FIELDS}}}"
        node = _dict(self._get(account, creds.token, item=True, fields=spec).get("mentioned_media"))
        return InboxItem("mention", post(node)) if parse.node_id(node) else None

    def new_comments(self, creds: Credentials, posts: int) -> list[InboxItem]:
        """Webhooks bring comments here: nothing is read on a schedule."""
        return []

    def reply_to_comment(self: _Graph, creds: Credentials, comment: Comment, text: str) -> None:
        """``POST /{comment-id}/replies``; a reply to a reply answers its top-level comment."""
        target = comment.parent_id or comment.id
        self._send("POST", f"/{target}/replies", creds.token, action="reply to", message=text)

    def reply_to_mention(self: _Graph, creds: Credentials, media_id: str, comment_id: str, text: str) -> None:
        """``POST /{ig-user-id}/mentions`` with ``media_id``, ``comment_id`` (a mention in a comment; ""
        for one in a caption) and ``message``."""
        where = {"comment_id": comment_id} if comment_id else {}
        path = f"/{creds.ig_user_id}/mentions"
        self._send("POST", path, creds.token, action="reply to", media_id=media_id, message=text, **where)

    def hide_comment(self: _Graph, creds: Credentials, comment: Comment, hidden: bool) -> None:
        """``POST /{comment-id}?hide=true|false``."""
        verb = "hide" if hidden else "unhide"
        self._send("POST", f"/{comment.id}", creds.token, action=verb, hide="true" if hidden else "false")

    def delete_comment(self: _Graph, creds: Credentials, comment: Comment) -> None:
        """``DELETE /{comment-id}``."""
        self._send("DELETE", f"/{comment.id}", creds.token, action="delete")
