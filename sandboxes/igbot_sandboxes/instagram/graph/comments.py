"""Comment moderation and mentions in graph mode (docs/inbox-wire.md; Meta's IG Media ``comments``, IG
Comment, IG Comment ``replies`` and IG User ``mentioned_media`` / ``mentioned_comment`` references).

- ``GET /{ig-media-id}/comments``: top-level comments, newest first, hidden ones included (with
  ``hidden: true``), cursor paging (25 a page by default, at most 100); ``POST ?message=`` comments
  as the media owner's account -> ``{"id"}``.
- ``GET /{ig-comment-id}``; ``POST ?hide=true|false`` -> ``{"success": true}``; ``DELETE`` ->
  ``{"success": true}`` (its replies go too; afterwards the id answers 100/33 like an unknown node).
- ``GET /{ig-comment-id}/replies`` (oldest first); ``POST ?message=`` replies as the media owner's
  account -> ``{"id"}``.  Replies go to top-level comments only: a reply to a reply, or to a hidden or
  deleted comment, answers code 100 "Invalid parameter" with ``error_user_title`` /
  ``error_user_msg``.
- ``mentioned_media.media_id(<id>){...}`` and ``mentioned_comment.comment_id(<id>){...}`` on the IG
  user node: a post whose caption, or a comment whose text, ``@mentions`` the account.  Only the fields
  Meta's references list: Mentioned Media ``caption``, ``comments``, ``comments_count``, ``id``,
  ``like_count``, ``media_type``, ``media_url``, ``owner``, ``timestamp``, ``username`` (no
  ``permalink``, no ``thumbnail_url``); Mentioned Comment ``id``, ``like_count``, ``media``, ``text``,
  ``timestamp`` (no ``username``, ``from``, ``hidden``, ``parent_id``); its ``media{...}`` takes the
  Mentioned Media fields [sandbox's choice: someone else's post].  Anything else is code 100.
- ``POST /{ig-user-id}/mentions?media_id=&comment_id=&message=`` (Meta's IG User Mentions reference):
  answers a mention as the account -> ``{"id"}``: with ``comment_id`` a reply to that comment (to its
  top-level comment when it is a reply [sandbox's choice]), without it a comment on the post whose
  caption mentions the account.

Permissions: ``instagram_basic``, ``instagram_manage_comments`` and ``pages_read_engagement`` (code 10
naming what is missing), and a role on the Page connected to the media owner's account (code 10,
"(#10) Application does not have permission for this action").  Only the owner's managers see
``hidden``; a comment's own author's managers may read and delete it (Meta: "comments discovered
through the Mentions API" are readable by "the comment's owner").  Hiding is for the media owner's
managers; comments written by the media owner's own account cannot be hidden (they always stay
visible: code 100 with a user message).

Comment fields: ``id``, ``text``, ``timestamp``, ``username``, ``from{id,username}``, ``hidden``,
``parent_id`` (replies only), ``like_count``, ``media{...}`` (IG Media fields), ``replies{...}``,
``user{id}`` (only for comments by the media owner's account, as Meta documents it); default fields
``timestamp,text,id``; any other field is code 100.

Assumptions [sandbox's own]: the texts of parameter errors and ``error_user_msg``; replies' order;
the 2200-character limit on ``message``; the errors of a mention lookup that matches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from igbot_sandboxes.instagram.comments import StoredComment
from igbot_sandboxes.instagram.graph.auth import GraphCaller, require_permission
from igbot_sandboxes.instagram.graph.errors import GraphError, unsupported
from igbot_sandboxes.instagram.graph.fields import FieldSpec
from igbot_sandboxes.instagram.graph.paging import UrlFor, cut, paging, parse_limit
from igbot_sandboxes.instagram.graph.render import (
    COMMENT_TYPE,
    MEDIA_FIELDS,
    USER_TYPE,
    Renderer,
    graph_time,
    strict,
)
from igbot_sandboxes.instagram.graph.world import GraphMedia, ProAccount
from igbot_sandboxes.instagram.inbox import (
    MAX_COMMENT,
    Author,
    mentioned_usernames,
    store_comment,
)

if TYPE_CHECKING:
    from igbot_sandboxes.instagram.state import SandboxState

COMMENT_FIELDS = frozenset(
    {
        "id",
        "text",
        "timestamp",
        "username",
        "from",
        "hidden",
        "parent_id",
        "like_count",
        "media",
        "replies",
        "user",
    }
)
MENTIONED_COMMENT_FIELDS = frozenset({"id", "like_count", "media", "text", "timestamp"})
MENTIONED_MEDIA_FIELDS = frozenset(
    {
        "id",
        "caption",
        "comments_count",
        "like_count",
        "media_type",
        "media_url",
        "owner",
        "timestamp",
        "username",
    }
)
DEFAULT_COMMENT_FIELDS = (FieldSpec("timestamp"), FieldSpec("text"), FieldSpec("id"))
COMMENTS_LIMIT = (25, 100)
MODERATION = ("instagram_basic", "instagram_manage_comments", "pages_read_engagement")
NO_PERMISSION = "(#10) Application does not have permission for this action"


def invalid_parameter(user_title: str, user_msg: str) -> GraphError:
    """Code 100 "Invalid parameter" with the user-facing title and message Meta adds."""
    return GraphError(100, "Invalid parameter", user_title=user_title, user_msg=user_msg)


class CommentRoutes:
    """The comment calls of one graph request."""

    def __init__(
        self,
        state: SandboxState,
        caller: GraphCaller,
        render: Renderer,
        params: Mapping[str, str],
        url_for: UrlFor,
    ) -> None:
        self.state = state
        self.world = state.graph_mode.world
        self.store = state.comments
        self.caller = caller
        self.render = render
        self.params = params
        self.url_for = url_for

    # permissions -----------------------------------------------------------------------------------

    def require_moderator(self, account_id: str) -> None:
        """The moderation permissions and a role on the Page of ``account_id``.

        Raises:
            GraphError: code 10.
        """
        require_permission(self.caller, *MODERATION)
        if not self.caller.manages(self.world, account_id):
            raise GraphError(10, NO_PERMISSION)

    def media_of(self, item: StoredComment) -> GraphMedia:
        """The post a graph comment is on."""
        media = self.world.media_by_id(item.media_id)
        if media is None:  # its post was deleted (`deletions`): the comment went with it
            raise unsupported(item.id)
        return media

    # rendering -------------------------------------------------------------------------------------

    def comment(
        self,
        item: StoredComment,
        specs: tuple[FieldSpec, ...],
        *,
        owner_view: bool,
        allowed: frozenset[str] = COMMENT_FIELDS,
        media_fields: frozenset[str] = MEDIA_FIELDS,
    ) -> dict[str, Any]:
        """An IG Comment node (``hidden`` only in ``owner_view``).

        Raises:
            GraphError: code 100 for a field not in ``allowed`` (or, in ``media{...}``, not in
            ``media_fields``).
        """
        media = self.media_of(item)
        out: dict[str, Any] = {}
        for spec in strict(specs or DEFAULT_COMMENT_FIELDS, allowed, COMMENT_TYPE):
            name = spec.name
            if name in ("id", "text", "username"):
                out[name] = {"id": item.id, "text": item.text, "username": item.username}[name]
            elif name == "timestamp":
                out[name] = graph_time(item.created_time)
            elif name == "like_count":
                out[name] = 0
            elif name == "from":
                person = {"id": item.author_id, "username": item.username}
                wanted = strict(spec.children or (FieldSpec("id"), FieldSpec("username")), person, USER_TYPE)
                out[name] = {s.name: person[s.name] for s in wanted}
            elif name == "hidden":
                if owner_view:
                    out[name] = item.hidden
            elif name == "parent_id":
                if item.parent_id is not None:
                    out[name] = item.parent_id
            elif name == "user":
                if item.author_id == media.owner_id:
                    out[name] = {"id": item.author_id}
            elif name == "media":
                out[name] = self.render.media(media, spec.children or (), media_fields)
            elif name == "replies":
                replies = self.store.replies_of(item.id)
                limit = parse_limit(spec.arg("limit"), *COMMENTS_LIMIT)
                page = cut(replies, limit, spec.arg("after"), spec.arg("before"))
                edge: dict[str, Any] = {
                    "data": [self.comment(r, spec.children or (), owner_view=owner_view) for r in page.items]
                }
                links = paging(page)
                if links is not None:
                    edge["paging"] = links
                out[name] = edge
        out.setdefault("id", item.id)
        return out

    def listing(
        self, items: list[StoredComment], specs: tuple[FieldSpec, ...], owner_view: bool
    ) -> dict[str, Any]:
        """A top-level edge of comments with cursor paging."""
        limit = parse_limit(self.params.get("limit"), *COMMENTS_LIMIT)
        page = cut(items, limit, self.params.get("after"), self.params.get("before"))
        out: dict[str, Any] = {"data": [self.comment(c, specs, owner_view=owner_view) for c in page.items]}
        links = paging(page, self.url_for)
        if links is not None:
            out["paging"] = links
        return out

    # routes ----------------------------------------------------------------------------------------

    def message(self) -> str:
        """The ``message`` parameter of a new comment or reply.

        Raises:
            GraphError: code 100 when missing, blank or too long.
        """
        text = self.params.get("message", "")
        if not text.strip():
            raise GraphError(100, "(#100) The parameter message is required")
        if len(text) > MAX_COMMENT:
            raise invalid_parameter(
                "Comment too long", f"A comment can have at most {MAX_COMMENT} characters."
            )
        return text

    def owner_author(self, media: GraphMedia) -> Author:
        """The media owner's account as the author of a comment made through the API."""
        account = self.world.account_by_id(media.owner_id)
        assert account is not None
        return Author(account.id, account.username)

    def media_comments(self, media: GraphMedia, method: str, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
        """``/{ig-media-id}/comments``: GET the top-level comments, POST a comment."""
        self.require_moderator(media.owner_id)
        if method == "POST":
            item = store_comment(self.state, media.id, self.owner_author(media), self.message())
            return {"id": item.id}
        if method != "GET":
            raise unsupported(media.id, method.lower())
        newest_first = list(reversed(self.store.top_level(media.id)))
        return self.listing(newest_first, specs, owner_view=True)

    def comment_node(
        self, item: StoredComment, edge: str | None, method: str, specs: tuple[FieldSpec, ...]
    ) -> dict[str, Any]:
        """``/{ig-comment-id}`` (GET, POST hide, DELETE) and ``/{ig-comment-id}/replies`` (GET, POST)."""
        media = self.media_of(item)
        if edge == "replies":
            return self.replies(item, media, method, specs)
        if edge is not None:
            raise GraphError(2500, f"Unknown path components: /{edge}")
        if item.deleted:
            raise unsupported(item.id, method.lower())
        require_permission(self.caller, *MODERATION)
        owner_view = self.caller.manages(self.world, media.owner_id)
        author_view = self.caller.manages(self.world, item.author_id)
        if method == "GET":
            if not (owner_view or author_view):
                raise GraphError(10, NO_PERMISSION)
            return self.comment(item, specs, owner_view=owner_view)
        if method == "DELETE":
            if not (owner_view or author_view):
                raise GraphError(10, NO_PERMISSION)
            self.store.delete(item.id)
            return {"success": True}
        if method == "POST":
            if not owner_view:
                raise GraphError(10, NO_PERMISSION)
            return self.hide(item, media)
        raise unsupported(item.id, method.lower())

    def hide(self, item: StoredComment, media: GraphMedia) -> dict[str, Any]:
        """``POST /{ig-comment-id}?hide=true|false``."""
        raw = self.params.get("hide")
        if raw is None or raw == "":
            raise GraphError(100, "(#100) The parameter hide is required")
        if raw.lower() not in ("true", "false", "1", "0"):
            raise GraphError(100, "(#100) Param hide must be a boolean")
        hidden = raw.lower() in ("true", "1")
        if hidden and item.author_id == media.owner_id:
            raise invalid_parameter(
                "Cannot hide comment", "Comments by the owner of the media can't be hidden."
            )
        self.store.set_hidden(item.id, hidden)
        return {"success": True}

    def replies(
        self, item: StoredComment, media: GraphMedia, method: str, specs: tuple[FieldSpec, ...]
    ) -> dict[str, Any]:
        """``/{ig-comment-id}/replies``."""
        if method == "GET":
            if item.deleted:
                raise unsupported(item.id)
            self.require_moderator(media.owner_id)
            return self.listing(self.store.replies_of(item.id), specs, owner_view=True)
        if method != "POST":
            raise unsupported(item.id, method.lower())
        self.require_moderator(media.owner_id)
        text = self.message()
        if item.deleted:
            raise invalid_parameter("Comment not found", "The comment you're replying to has been deleted.")
        if item.is_reply:
            raise invalid_parameter(
                "Cannot reply to a reply", "You can only reply to top-level comments, not to replies."
            )
        if item.hidden:
            raise invalid_parameter(
                "Cannot reply to a hidden comment", "You can't reply to a hidden comment."
            )
        reply = store_comment(self.state, media.id, self.owner_author(media), text, item.id)
        return {"id": reply.id}

    # mentions --------------------------------------------------------------------------------------

    def require_mentions(self) -> None:
        """Mentions lookups need ``instagram_basic`` and ``instagram_manage_comments``.

        Raises:
            GraphError: code 10.
        """
        require_permission(self.caller, "instagram_basic", "instagram_manage_comments")

    def mentioned_media(self, account: ProAccount, spec: FieldSpec) -> dict[str, Any]:
        """``mentioned_media.media_id(<id>){fields}``: a post whose caption mentions the account."""
        self.require_mentions()
        media_id = spec.arg("media_id")
        if not media_id:
            raise GraphError(100, "(#100) mentioned_media needs .media_id(<IG media id>)")
        media = self.world.media_by_id(media_id)
        if media is None or account.username.lower() not in mentioned_usernames(media.caption):
            raise GraphError(
                100, f"(#100) The media {media_id} does not mention {account.username}", subcode=33
            )
        return self.render.media(media, spec.children or (), MENTIONED_MEDIA_FIELDS)

    def mentioned_comment(self, account: ProAccount, spec: FieldSpec) -> dict[str, Any]:
        """``mentioned_comment.comment_id(<id>){fields}``: a comment whose text mentions the account."""
        self.require_mentions()
        comment_id = spec.arg("comment_id")
        if not comment_id:
            raise GraphError(100, "(#100) mentioned_comment needs .comment_id(<IG comment id>)")
        item = self.store.live(comment_id, "graph")
        if item is None or account.username.lower() not in mentioned_usernames(item.text):
            raise GraphError(
                100, f"(#100) The comment {comment_id} does not mention {account.username}", subcode=33
            )
        return self.comment(
            item,
            spec.children or (),
            owner_view=False,
            allowed=MENTIONED_COMMENT_FIELDS,
            media_fields=MENTIONED_MEDIA_FIELDS,
        )

    def reply_to_mention(self, account: ProAccount, method: str) -> dict[str, Any]:
        """``POST /{ig-user-id}/mentions``: answer a mention of ``account`` as ``account``.

        Raises:
            GraphError: code 10 without the permissions, 100 for a missing ``media_id`` or ``message``,
            or a post or comment that does not mention the account.
        """
        if method != "POST":
            raise unsupported(account.id, method.lower())
        require_permission(self.caller, *MODERATION)
        media_id = self.params.get("media_id", "")
        if not media_id:
            raise GraphError(100, "(#100) The parameter media_id is required")
        text = self.message()
        media = self.world.media_by_id(media_id)
        if media is None or not media.professional:
            raise unsupported(media_id, "post")
        name = account.username.lower()
        author = Author(account.id, account.username)
        comment_id = self.params.get("comment_id", "")
        if not comment_id:
            if name not in mentioned_usernames(media.caption):
                raise invalid_parameter("No mention", f"@{account.username} isn't mentioned in this post.")
            return {"id": store_comment(self.state, media.id, author, text).id}
        item = self.store.live(comment_id, "graph")
        if item is None or item.media_id != media.id or name not in mentioned_usernames(item.text):
            raise invalid_parameter("No mention", f"@{account.username} isn't mentioned in this comment.")
        reply = store_comment(self.state, media.id, author, text, item.parent_id or item.id)
        return {"id": reply.id}
