"""Helpers for the comment-inbox tests (docs/inbox-wire.md): tokens with the moderation permissions,
Page tokens, graph calls with any method, and a fully wired webhook."""

from __future__ import annotations

from typing import Any

import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.callback_server import CallbackServer
from tests.sandboxes.instagram.conftest import TIMEOUT
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, SCOPE, VERSION

MODERATION_SCOPE = SCOPE + ",instagram_manage_comments,pages_manage_metadata"
ALICE_SHOP_PAGE = "104000000000011"
BOBS_BAKERY_PAGE = "104000000000021"


def call(base: str, method: str, path: str, token: str | None = None, **params: Any) -> requests.Response:
    """``<method> /graph/v25.0{path}`` with the parameters in the query string (as igbot sends them)."""
    if token is not None:
        params["access_token"] = token
    return requests.request(method, f"{base}/graph/{VERSION}{path}", params=params, timeout=TIMEOUT)


def moderator(sandbox: InstagramSandbox, fb_username: str = "alice", scope: str = MODERATION_SCOPE) -> str:
    """A long-lived user token with the moderation permissions."""
    return sandbox.issue_graph_token(fb_username, scope=scope)


def page_token(base: str, user_token: str, page_id: str = ALICE_SHOP_PAGE) -> str:
    """The Page access token ``GET /{page-id}?fields=access_token`` answers."""
    answer = call(base, "GET", f"/{page_id}", user_token, fields="access_token")
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def newest_post(sandbox: InstagramSandbox, account_id: str = ALICE_SHOP) -> str:
    """The id of an account's newest graph post."""
    return sandbox.graph_world.media_of(account_id)[0].id


def wire_webhook(
    base: str, sandbox: InstagramSandbox, callback: CallbackServer, page_id: str = ALICE_SHOP_PAGE
) -> str:
    """Configure the callback and subscribe alice.shop's Page (or ``page_id``); returns the user token."""
    token = moderator(sandbox)
    answer = call(
        base,
        "POST",
        f"/{page_id}/subscribed_apps",
        page_token(base, token, page_id),
        subscribed_fields="feed",
    )
    assert answer.json() == {"success": True}, answer.text
    sandbox.set_webhook(callback.url(), "vt-123")
    return token
