"""/v1 comment routes (python-instagram ``media_comments``, ``create_media_comment``, ``delete_comment``):

- ``GET /v1/media/{media-id}/comments`` -> ``{"meta": {"code": 200}, "data": [comment...]}``, oldest
  first, the post's seeded comments included; a comment is ``{"id", "created_time": "<epoch
  seconds>", "text", "from": {"id", "username", "full_name", "profile_picture", ...}}``.  A token
  reading someone else's post needs ``public_content`` (the 2015 docs' rule for ``/media/...``); a
  client id alone may read public posts, as on ``/v1/media/{id}``; a private post the caller may not
  view is ``APINotAllowedError``.
- ``POST /v1/media/{media-id}/comments`` form ``text=`` (scope ``comments``; a token) ->
  ``{"meta": {"code": 200}, "data": null}`` (the v1 docs' answer; python-instagram's older fixture
  returned the comment instead).  The v1 rules: at most 300 characters (``APICommentTooLongError``),
  4 hashtags, 1 URL, not all capital letters (``APIInvalidParametersError``).
- ``DELETE /v1/media/{media-id}/comments/{comment-id}`` (or ``POST`` with ``_method=DELETE``; scope
  ``comments``): the post's owner or the comment's author -> ``data`` null; anyone else
  ``APINotAllowedError``; an unknown comment ``APINotFoundError``.

``access_token`` may come in the query or the form body.  Besides the hourly limit of every /v1 call
(the gate in `app`), comment POST and DELETE count against their own per-token limit (Instagram's
documented 60 an hour for Live apps, ``write_rate_limit_per_hour``), answered 429
``OAuthRateLimitException`` like the global one.  Comments made here are not pushed anywhere (v1's
real-time API only knew new media).  Error wording beyond the error types is the sandbox's own.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram import inbox
from igbot_sandboxes.instagram.comments import StoredComment
from igbot_sandboxes.instagram.legacy import api_media, render
from igbot_sandboxes.instagram.legacy.api_users import base_url
from igbot_sandboxes.instagram.legacy.auth import Caller, authenticate, require_scope
from igbot_sandboxes.instagram.legacy.envelope import APIError, ok
from igbot_sandboxes.instagram.legacy.world import Media
from igbot_sandboxes.instagram.state import SandboxState

MAX_V1_COMMENT = 300
MAX_HASHTAGS = 4
MAX_URLS = 1
_HASHTAG = re.compile(r"#\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def check_v1_text(text: str) -> str:
    """A v1 comment's text.

    Raises:
        APIError: missing, too long, too many hashtags or URLs, or all capitals.
    """
    if not text.strip():
        raise APIError("APIInvalidParametersError", "Missing text")
    if len(text) > MAX_V1_COMMENT:
        raise APIError("APICommentTooLongError", f"The comment cannot exceed {MAX_V1_COMMENT} characters.")
    if len(_HASHTAG.findall(text)) > MAX_HASHTAGS:
        raise APIError(
            "APIInvalidParametersError", f"The comment cannot contain more than {MAX_HASHTAGS} hashtags."
        )
    if len(_URL.findall(text)) > MAX_URLS:
        raise APIError("APIInvalidParametersError", f"The comment cannot contain more than {MAX_URLS} URL.")
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        raise APIError("APIInvalidParametersError", "The comment cannot consist of all capital letters.")
    return text


def v1_comment(state: SandboxState, item: StoredComment) -> dict[str, Any]:
    """A stored comment as v1 renders it."""
    user = state.world.user_by_id(item.author_id)
    base = base_url()
    if user is not None:
        sender = render.user_short(base, user)
    else:  # a professional account commenting on a v1 post
        account = state.graph_mode.world.account_by_id(item.author_id)
        sender = {
            "id": item.author_id,
            "username": item.username,
            "full_name": account.name if account else "",
            "profile_picture": f"{base}/avatars/{item.author_id}.png",
        }
    sender["type"] = "user"
    return {"id": item.id, "text": item.text, "created_time": str(item.created_time), "from": sender}


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/v1/media/{id}/comments`` (GET, POST) and ``/v1/media/{id}/comments/{id}`` (DELETE)."""

    def params() -> dict[str, str]:
        return {**request.form.to_dict(), **request.args.to_dict()}

    def visible_media(caller: Caller, media_id: str) -> Media:
        item = api_media.visible_media(state, caller, media_id)
        inbox.import_v1(state, item.id)
        return item

    def writer(given: dict[str, str]) -> Caller:
        caller = authenticate(state, given, allow_client_id=False)
        require_scope(caller, "comments")
        decision = state.write_limiter.hit("token:" + given["access_token"])
        if not decision.allowed:
            raise APIError(
                "OAuthRateLimitException",
                "The maximum number of requests per hour has been exceeded. You have made "
                f"{decision.made} requests of the {decision.limit} allowed in the last hour.",
                429,
            )
        return caller

    def delete(given: dict[str, str], media_id: str, comment_id: str) -> Response:
        caller = writer(given)
        item = visible_media(caller, media_id)
        comment = state.comments.live(comment_id, "v1")
        if comment is None or comment.media_id != item.id:
            raise APIError("APINotFoundError", "invalid comment id")
        if caller.user_id not in (item.owner_id, comment.author_id):
            raise APIError("APINotAllowedError", "you cannot delete this comment")
        state.comments.delete(comment.id)
        return ok(None)

    @app.route("/v1/media/<media_id>/comments", methods=["GET", "POST"])
    def media_comments(media_id: str) -> Response:
        given = params()
        if request.method == "GET":
            caller = authenticate(state, given, allow_client_id=True)
            item = visible_media(caller, media_id)
            return ok([v1_comment(state, c) for c in state.comments.of_media(item.id)])
        caller = writer(given)
        item = visible_media(caller, media_id)
        text = check_v1_text(request.form.get("text", given.get("text", "")))
        user = state.world.user_by_id(caller.user_id or "")
        assert user is not None
        inbox.store_comment(state, item.id, inbox.Author(user.id, user.username), text)
        return ok(None)

    @app.route("/v1/media/<media_id>/comments/<comment_id>", methods=["DELETE", "POST"])
    def media_comment(media_id: str, comment_id: str) -> Response:
        given = params()
        if request.method == "POST" and given.get("_method", "").upper() != "DELETE":
            raise APIError("APIInvalidParametersError", "POST is not allowed here (use DELETE)", 405)
        return delete(given, media_id, comment_id)
