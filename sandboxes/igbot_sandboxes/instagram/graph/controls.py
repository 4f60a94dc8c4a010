"""Graph-mode test controls under ``/__sandbox__/graph/`` (JSON in, JSON out; never logged or faulted).

- ``POST graph/tokens`` ``{"username", "scope"?, "long_lived"?}`` -> ``{"access_token", "token_type",
  "expires_in", "user": {"id", "name", "username"}}`` (a Facebook user's token, no dialog)
- ``POST graph/expire`` ``{"username"?, "access_token"?}`` -> ``{"expired": n}`` (then 190/463)
- ``POST graph/revoke`` ``{"username"?, "access_token"?, "subcode"?}`` -> ``{"revoked": n}`` (then 190/460,
  or the subcode given: 458, 467...)
- ``GET graph/accounts[?username=]`` -> Facebook users with their Pages and IG accounts, and every
  professional account
- ``GET graph/hashtags`` -> ``{"hashtags": [{"name", "id", "media_count"}]}``
- ``POST graph/pages`` ``{"username", "count", "position"?}`` -> ``{"added": [{"id", "name",
  "category"}], "facebook_user": {"id", "username", "name", "pages": [...]}}``: ``count`` (1..1000) more
  Pages without Instagram for the Facebook user, listed ``"before"`` (default) or ``"after"`` their
  existing ones in ``me/accounts`` (``{"username": "bob", "count": 29}`` puts ``bobs_bakery`` on the
  30th Page, on the second answer page).  Until ``POST /__sandbox__/reset``.
- ``POST graph/hashtag_searches`` ``{"account", "hashtag"? | "hashtags"?, "seconds_ago"?}`` -> the
  listing below, with ``"recorded": [tags]``: hashtag searches the IG account (username or id) made
  outside igbot (in another app), ``seconds_ago`` (0 <= s < 604800) ago.  They count against the
  account's 30-per-7-days quota and show in ``recently_searched_hashtags`` like igbot's own; a tag
  already counted keeps its first time.  404 for an unknown account or a tag without public media
  (see ``graph/hashtags``), 409 (with what was recorded before) once the quota is full.
- ``GET graph/hashtag_searches?account=`` -> ``{"account": {"id", "username"}, "hashtags": [{"name",
  "id", "searched_at"}], "count", "limit"}`` (newest first; ``searched_at`` in sandbox-clock seconds)

- ``POST graph/media`` ``{"account", "caption"?, "hashtags"?: [...], "media_type"?}`` -> the new post
  as ``/{ig-media-id}`` renders it (``id``, ``caption``, ``media_type``, ``media_url``, ``permalink``,
  ``timestamp``, ``username``, ``like_count``, ``comments_count``) plus ``"hashtags": [{"name",
  "id"}]``: a post of the professional account (username or id), newest of its ``media``, of
  Business Discovery's ``media`` and of ``recent_media`` for each hashtag (`graph.posts`).  404 for
  an unknown account, 400 for a bad field.  Until ``POST /__sandbox__/reset``.

The comment and mention inbox (docs/inbox-wire.md; comments themselves: `inbox_controls`):

- ``POST graph/webhook`` ``{"callback_url", "verify_token", "fields"?: ["comments", "mentions"]}`` ->
  ``{"callback_url", "verify_token", "fields"}``: the app's webhook callback for the ``instagram``
  object, as configured in Meta's App Dashboard.  The sandbox first does Meta's handshake (``GET
  callback_url?hub.mode=subscribe&hub.challenge=<int>&hub.verify_token=<token>``, which must answer
  200 with the challenge) and answers 409 ``{"error"}`` when it fails (the old callback stays); 400
  for unknown fields.  ``{"callback_url": null}`` turns webhooks off.  ``GET graph/webhook`` shows it.
- ``POST graph/app`` ``{"live"?, "advanced_access"?}`` -> ``{"live", "advanced_access"}`` (both true
  until changed; webhooks are delivered only while both are); ``GET graph/app`` shows them.
- ``POST graph/mentions`` ``{"account", "username", "text", "media_id"?}`` -> ``{"media_id",
  "comment_id"?, "comment"? | "caption"?, "username"?}``: with ``media_id``, a comment by
  ``username`` on that graph post mentioning ``@account``; without, a new post by ``username`` (a
  professional account) whose caption mentions ``@account``.  Pushes ``mentions`` (and, for a
  comment, ``comments`` to the post's owner).  404 unknown account, user or post; 400 otherwise.
- ``POST graph/page_roles`` ``{"ig_account", "username"}`` -> ``{"page": {"id", "name"},
  "facebook_user": {...}}``: the Facebook user ``username`` gets a role on the Page connected to the
  professional account ``ig_account`` (username or id): it shows in their ``me/accounts`` and they
  may moderate and link it.  404 unknown account or user.
- ``GET graph/webhooks[?wait=seconds]`` -> ``{"deliveries": [{"id", "attempt", "status", "body",
  "ok", "payload", "error", "outcome", "url", "signature", "time", "elapsed_ms"}], "pending", "idle"}``:
  every delivery attempt, oldest first (``id`` names the delivery its retries share; ``body`` the raw
  JSON text exactly as signed, ``payload`` the same parsed); with ``wait`` the
  answer first waits up to that many seconds (at most 30) for deliveries to finish or give up.

``POST /__sandbox__/revoke`` (see `controls`) revokes graph tokens too (Page tokens included).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram import inbox
from igbot_sandboxes.instagram.controls import PREFIX
from igbot_sandboxes.instagram.graph.fields import parse_fields
from igbot_sandboxes.instagram.graph.limits import WEEK
from igbot_sandboxes.instagram.graph.posts import build_graph_media, graph_post_from_json
from igbot_sandboxes.instagram.graph.render import Renderer
from igbot_sandboxes.instagram.graph.tokens import DEFAULT_GRAPH_SCOPE
from igbot_sandboxes.instagram.graph.webhooks import DEFAULT_FIELDS, WebhookRefused
from igbot_sandboxes.instagram.graph.world import GraphMedia, ProAccount
from igbot_sandboxes.instagram.legacy.envelope import json_response
from igbot_sandboxes.instagram.post_controls import waited
from igbot_sandboxes.instagram.state import SandboxState


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else dict(request.form.items())


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None or value == "" else str(value)


def world_listing(state: SandboxState, username: str | None = None) -> dict[str, Any]:
    """Facebook users (all, or the one named) with their Pages, plus every professional account.

    Raises:
        ValueError: unknown Facebook user.
    """
    world = state.graph_mode.world
    users = [state.graph_mode.fb_user_named(username)] if username else world.fb_users
    listing = []
    for user in users:
        pages = [
            {
                "id": p.id,
                "name": p.name,
                "instagram_business_account": (
                    {"id": p.ig_account_id, "username": account.username}
                    if (account := world.account_by_id(p.ig_account_id or ""))
                    else None
                ),
            }
            for p in world.pages_of(user.id)
        ]
        listing.append({"id": user.id, "username": user.username, "name": user.name, "pages": pages})
    accounts = [
        {"id": a.id, "username": a.username, "name": a.name, "account_type": a.account_type}
        for a in world.professional_accounts()
    ]
    return {"facebook_users": listing, "professional_accounts": accounts}


def _tokens(state: SandboxState, body: dict[str, Any]) -> Response:
    mode = state.graph_mode
    username = str(body.get("username", ""))
    try:
        token, record = mode.issue_token(
            username,
            state.config.client_id,
            str(body.get("scope") or DEFAULT_GRAPH_SCOPE),
            long_lived=bool(body.get("long_lived", True)),
        )
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    user = mode.fb_user_named(username)
    return json_response(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": record.expires_in,
            "user": {"id": user.id, "name": user.name, "username": user.username},
        }
    )


def _revoke(state: SandboxState, body: dict[str, Any]) -> Response:
    try:
        subcode = int(body.get("subcode", 460))
    except (TypeError, ValueError):
        return json_response({"error": "subcode must be an integer"}, 400)
    count = state.graph_mode.revoke(_text(body, "username"), _text(body, "access_token"), subcode)
    return json_response({"revoked": count})


def _accounts(state: SandboxState) -> Response:
    try:
        return json_response(world_listing(state, request.args.get("username") or None))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)


def _hashtags(state: SandboxState) -> Response:
    world = state.graph_mode.world
    listing = [
        {"name": t, "id": world.hashtag_ids[t], "media_count": len(world.top_media(t))}
        for t in world.hashtags()
    ]
    return json_response({"hashtags": listing})


def _add_pages(state: SandboxState, body: dict[str, Any]) -> Response:
    username = str(body.get("username", ""))
    try:
        count = int(body.get("count", 0))
        added = state.graph_mode.add_pages(username, count, str(body.get("position") or "before"))
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    (listing,) = world_listing(state, username)["facebook_users"]
    return json_response(
        {
            "added": [{"id": p.id, "name": p.name, "category": p.category} for p in added],
            "facebook_user": listing,
        }
    )


def professional_account(state: SandboxState, name_or_id: str) -> ProAccount:
    """A professional account by username (``@`` and case ignored) or id.

    Raises:
        ValueError: no such account.
    """
    world = state.graph_mode.world
    account = world.account_by_username(name_or_id) or world.account_by_id(name_or_id)
    if account is None:
        raise ValueError(f"no professional account {name_or_id!r}")
    return account


def searches_listing(state: SandboxState, account: ProAccount) -> dict[str, Any]:
    """The hashtags counting against an account's quota now, newest first."""
    mode = state.graph_mode
    searches = mode.hashtags.searches(account.id)
    return {
        "account": {"id": account.id, "username": account.username},
        "hashtags": [{"name": t, "id": mode.world.hashtag_id(t), "searched_at": at} for t, at in searches],
        "count": len(searches),
        "limit": mode.hashtags.limit,
    }


def _record_searches(state: SandboxState, body: dict[str, Any]) -> Response:
    mode = state.graph_mode
    raw = body.get("hashtags", [body["hashtag"]] if "hashtag" in body else [])
    try:
        account = professional_account(state, str(body.get("account", "")))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)
    try:
        seconds_ago = float(body.get("seconds_ago", 0))
    except (TypeError, ValueError):
        return json_response({"error": "seconds_ago must be a number"}, 400)
    if not 0 <= seconds_ago < WEEK:
        return json_response({"error": f"seconds_ago must be 0 <= s < {int(WEEK)}"}, 400)
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) for t in raw):
        return json_response({"error": "give hashtag (a string) or hashtags (a list of strings)"}, 400)
    tags = [t.strip().lstrip("#").lower() for t in raw]
    unknown = [t for t in tags if mode.world.hashtag_id(t) is None]
    if unknown:
        return json_response({"error": f"no public media for {unknown} (see GET graph/hashtags)"}, 404)
    recorded: list[str] = []
    for tag in tags:
        if not mode.hashtags.search(account.id, tag, seconds_ago):
            listing = searches_listing(state, account)
            error = f"{account.username} has searched {mode.hashtags.limit} hashtags in 7 days"
            return json_response({"error": error, "recorded": recorded, **listing}, 409)
        recorded.append(tag)
    return json_response({"recorded": recorded, **searches_listing(state, account)})


def _searches(state: SandboxState) -> Response:
    try:
        account = professional_account(state, request.args.get("account", ""))
    except ValueError as exc:
        return json_response({"error": str(exc)}, 404)
    return json_response(searches_listing(state, account))


POST_FIELDS = "id,caption,media_type,media_url,permalink,timestamp,username,like_count,comments_count"


def add_post(state: SandboxState, body: dict[str, Any]) -> GraphMedia:
    """Add a post to a professional account from the control's body.

    Raises:
        LookupError: unknown account.
        ValueError: a bad field.
    """
    mode = state.graph_mode
    post = graph_post_from_json(body)
    account = mode.professional_account(post.account)
    return mode.add_media(lambda world: build_graph_media(world, account, post, mode.clock()))


def _add_media(state: SandboxState, body: dict[str, Any]) -> Response:
    try:
        item = add_post(state, body)
    except LookupError as exc:
        return json_response({"error": str(exc.args[0])}, 404)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    world = state.graph_mode.world
    out = Renderer(request.host_url.rstrip("/"), world).media(item, parse_fields(POST_FIELDS))
    out["hashtags"] = [{"name": t, "id": world.hashtag_id(t)} for t in item.tags]
    return json_response(out)


def webhook_listing(state: SandboxState) -> dict[str, Any]:
    """The webhook callback as the control shows it."""
    settings = state.webhooks.settings()
    if settings is None:
        return {"callback_url": None, "verify_token": None, "fields": []}
    return {
        "callback_url": settings.callback_url,
        "verify_token": settings.verify_token,
        "fields": list(settings.fields),
    }


def _set_webhook(state: SandboxState, body: dict[str, Any]) -> Response:
    url = body.get("callback_url")
    fields = body.get("fields", list(DEFAULT_FIELDS))
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        return json_response({"error": "fields must be a list of strings"}, 400)
    try:
        state.webhooks.configure(
            None if url in (None, "") else str(url), str(body.get("verify_token") or ""), fields
        )
    except WebhookRefused as exc:
        return json_response({"error": str(exc)}, 409)
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(webhook_listing(state))


def _flag(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _set_app(state: SandboxState, body: dict[str, Any]) -> Response:
    try:
        live, advanced = _flag(body, "live"), _flag(body, "advanced_access")
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(state.webhooks.set_app(live, advanced))


def _add_mention(state: SandboxState, body: dict[str, Any]) -> Response:
    media_id = body.get("media_id")
    try:
        out = inbox.add_mention(
            state,
            str(body.get("account", "")),
            str(body.get("username", "")),
            body.get("text"),
            None if media_id in (None, "") else str(media_id),
        )
    except LookupError as exc:
        return json_response({"error": str(exc.args[0])}, 404)
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(out)


def _add_page_role(state: SandboxState, body: dict[str, Any]) -> Response:
    username = str(body.get("username") or body.get("fb_username") or "")
    try:
        page = state.graph_mode.add_page_role(
            str(body.get("ig_account") or body.get("account") or ""), username
        )
    except (LookupError, ValueError) as exc:
        return json_response({"error": str(exc.args[0])}, 404)
    (listing,) = world_listing(state, username)["facebook_users"]
    return json_response({"page": {"id": page.id, "name": page.name}, "facebook_user": listing})


def _deliveries(state: SandboxState) -> Response:
    found = waited(state.webhooks.deliveries)
    if isinstance(found, Response):
        return found
    idle, pending = found
    return json_response({"deliveries": state.webhooks.records(), "pending": pending, "idle": idle})


def _inbox_control(state: SandboxState, action: str) -> Response | None:
    get = request.method == "GET"
    if action == "webhook":
        return json_response(webhook_listing(state)) if get else _set_webhook(state, _body())
    if action == "app":
        return json_response(state.webhooks.app()) if get else _set_app(state, _body())
    if action == "webhooks" and get:
        return _deliveries(state)
    if action == "mentions" and not get:
        return _add_mention(state, _body())
    if action == "page_roles" and not get:
        return _add_page_role(state, _body())
    return None


def register(app: Flask, state: SandboxState) -> None:
    """Add the graph control routes to ``app`` (one rule: rules cost start-up time)."""

    @app.route(f"{PREFIX}/graph/<action>", methods=["GET", "POST"])
    def graph_control(action: str) -> Response:
        answered = _inbox_control(state, action)
        if answered is not None:
            return answered
        if request.method == "GET" and action == "accounts":
            return _accounts(state)
        if request.method == "GET" and action == "hashtags":
            return _hashtags(state)
        if action == "hashtag_searches":
            return _searches(state) if request.method == "GET" else _record_searches(state, _body())
        if request.method == "POST" and action == "media":
            return _add_media(state, _body())
        if request.method == "POST" and action == "pages":
            return _add_pages(state, _body())
        if request.method == "POST" and action == "tokens":
            return _tokens(state, _body())
        if request.method == "POST" and action == "expire":
            body = _body()
            count = state.graph_mode.expire(_text(body, "username"), _text(body, "access_token"))
            return json_response({"expired": count})
        if request.method == "POST" and action == "revoke":
            return _revoke(state, _body())
        return json_response({"error": f"no control {request.method} graph/{action}"}, 404)
