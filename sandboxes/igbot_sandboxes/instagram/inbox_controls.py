"""Controls for the comment inbox under ``/__sandbox__/`` (JSON in, JSON out; never logged or faulted).

- ``POST comments`` ``{"media_id", "username", "text", "parent_id"?}`` -> the new comment (as
  ``GET comments`` shows it), 200: a comment by any Instagram username (a professional account or a
  v1 user) on a post of the current mode (a professional account's graph post, or a v1 post).  In
  graph mode it is pushed to the webhook (see `inbox`).  A ``parent_id`` that is itself a reply
  answers its top-level comment, as the Instagram app does.  404 for an unknown post, user or parent,
  400 for a bad text.
- ``GET comments?media_id=`` -> ``{"media_id", "comments": [...]}``: every top-level comment, oldest
  first, with ``hidden``, ``deleted`` and ``replies`` (deleted ones included, for assertions); a v1
  post's seeded comments too.  404 for an unknown post.

Graph mode's ``graph/webhook``, ``graph/app``, ``graph/mentions``, ``graph/page_roles`` and
``graph/webhooks`` are in `graph.controls`.  ``POST reset`` forgets every comment.
"""

from __future__ import annotations

from flask import Flask, Response, request

from igbot_sandboxes.instagram import inbox
from igbot_sandboxes.instagram.controls import PREFIX
from igbot_sandboxes.instagram.legacy.envelope import json_response
from igbot_sandboxes.instagram.state import SandboxState


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/__sandbox__/comments`` (GET, POST)."""

    @app.route(f"{PREFIX}/comments", methods=["GET", "POST"])
    def comments_control() -> Response:
        if request.method == "GET":
            media_id = request.args.get("media_id", "")
            try:
                listing = inbox.comments_of(state, media_id)
            except LookupError as exc:
                return json_response({"error": str(exc.args[0])}, 404)
            return json_response({"media_id": media_id, "comments": listing})
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_response({"error": "send a JSON object"}, 400)
        parent = body.get("parent_id")
        try:
            item = inbox.add_comment(
                state,
                str(body.get("media_id", "")),
                str(body.get("username", "")),
                body.get("text"),
                None if parent in (None, "") else str(parent),
            )
        except LookupError as exc:
            return json_response({"error": str(exc.args[0])}, 404)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(inbox.comment_dict(state, item))
