"""graph.instagram.com for Instagram Login tokens: ``/instagram-graph/v25.0/...``.

- ``GET /me`` (or ``/{ig-user-id}``): the logged-in professional account; fields ``id``, ``user_id``,
  ``username``, ``account_type``, ``name``, ``profile_picture_url``, ``followers_count``,
  ``follows_count``, ``media_count``, ``biography``, ``website`` and a nested ``media`` edge.  Without
  ``fields``: ``id`` only.
- ``GET /me/media`` (or ``/{ig-user-id}/media``): its posts, newest first, cursor-paged like
  graph.facebook.com (``limit`` default 25, at most 100; ``paging.cursors`` and ``paging.next``).
- ``GET /{media-id}``: one of its own posts.  Another account's post, or an unknown id, is 100/33.

Auth is the ``access_token`` query parameter, a short- or long-lived Instagram Login token (unknown:
190; expired: 190/463; missing: 104).  ``me``, its media and media nodes need
``instagram_business_basic`` among the token's granted scopes (else code 10).  In the sandbox ``id``
and ``user_id`` are both the professional account's id (Meta's ``id`` is app-scoped).

Every answer about an account carries ``X-Business-Use-Case-Usage`` (type ``instagram``) for it;
each authenticated call counts on the account's hourly budget (`state.LoginMode.hit`), and one over it
answers 80002.  The unversioned ``/instagram-graph/access_token`` and ``refresh_access_token`` (also
accepted after a version) are `oauth`'s.  Errors are graph error objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram.graph.api import VERSION, fields_of, unknown_edge
from igbot_sandboxes.instagram.graph.errors import (
    GraphError,
    error_response,
    fbtrace_id,
    graph_json,
    unsupported,
)
from igbot_sandboxes.instagram.graph.fields import FieldSpec
from igbot_sandboxes.instagram.graph.limits import AccountUsage
from igbot_sandboxes.instagram.graph.paging import cut, paging, parse_limit, url_builder
from igbot_sandboxes.instagram.graph.render import MEDIA_FIELDS, Renderer, strict
from igbot_sandboxes.instagram.graph.world import ProAccount
from igbot_sandboxes.instagram.instagram_login import oauth
from igbot_sandboxes.instagram.instagram_login.tokens import BASIC_SCOPE, LoginToken
from igbot_sandboxes.instagram.state import SandboxState

DEFAULT_VERSION = "v25.0"
MEDIA_LIMIT = (25, 100)
USER_TYPE = "IGUser"  # [U] the node type name graph.instagram.com reports
ME_FIELDS = frozenset(
    {
        "id",
        "user_id",
        "username",
        "account_type",
        "name",
        "profile_picture_url",
        "followers_count",
        "follows_count",
        "media_count",
        "biography",
        "website",
        "media",
    }
)
NO_PERMISSION = "(#10) Application does not have permission for this action"
NO_AUTH = "An active access token must be used to query information about the current user."


def split(rest: str) -> tuple[str | None, list[str]]:
    """``(version, path parts)`` of a path under ``/instagram-graph/`` (the version is optional)."""
    parts = [p for p in rest.split("/") if p]
    if parts and VERSION.fullmatch(parts[0]):
        return parts[0], parts[1:]
    return None, parts


def buc_header(account_id: str, usage: AccountUsage) -> str:
    """``X-Business-Use-Case-Usage`` for one counted call on ``account_id``."""
    percent = usage.call_count
    entry = {
        "type": "instagram",
        "call_count": percent,
        "total_cputime": percent // 3,
        "total_time": percent // 2,
        "estimated_time_to_regain_access": usage.regain_minutes,
    }
    return json.dumps({account_id: [entry]})


def render_account(render: Renderer, account: ProAccount, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """The professional account as ``/me`` answers it (requested fields in order, ``id`` always).

    Raises:
        GraphError: a field ``/me`` does not have (code 100).
    """
    media = render.world.media_of(account.id)
    scalars: dict[str, Any] = {
        "id": account.id,
        "user_id": account.id,
        "username": account.username,
        "account_type": account.account_type,
        "name": account.name,
        "profile_picture_url": render.avatar_url(account),
        "followers_count": account.followers_count,
        "follows_count": account.follows_count,
        "media_count": len(media),
        "biography": account.biography,
        "website": account.website,
    }
    out: dict[str, Any] = {}
    for spec in strict(specs or (FieldSpec("id"),), ME_FIELDS, USER_TYPE):
        if spec.name == "media":
            out["media"] = render.media_edge(media, spec)
        elif spec.name != "website" or account.website:
            out[spec.name] = scalars[spec.name]
    out.setdefault("id", account.id)
    return out


class LoginApi:
    """Answers one ``/instagram-graph/{version}/...`` API request for the token's account."""

    def __init__(self, state: SandboxState, record: LoginToken, account: ProAccount) -> None:
        self.state = state
        self.record = record
        self.account = account
        self.args: Mapping[str, str] = request.args
        self.render = Renderer(request.host_url.rstrip("/"), state.graph_mode.world, state.comments.count)

    def require_basic(self) -> None:
        """Raises GraphError 10 unless the token was granted ``instagram_business_basic``."""
        if BASIC_SCOPE not in self.record.grant.scopes:
            raise GraphError(10, NO_PERMISSION)

    def dispatch(self, node: str, edge: str | None) -> dict[str, Any]:
        """The answer for ``/{node}[/{edge}]``."""
        if request.method != "GET":
            raise unsupported(node, request.method.lower())
        if node in ("me", self.account.id):
            self.require_basic()
            if edge is None:
                return render_account(self.render, self.account, fields_of(self.args))
            if edge == "media":
                return self.media_edge()
            raise unknown_edge(edge)
        item = self.state.graph_mode.world.media_by_id(node)
        if item is None or not item.professional or item.owner_id != self.account.id:
            raise unsupported(node)
        self.require_basic()
        if edge is not None:
            raise unknown_edge(edge)
        return self.render.media(item, fields_of(self.args))

    def media_edge(self) -> dict[str, Any]:
        """The account's media, newest first, one page."""
        specs = fields_of(self.args)
        items = self.state.graph_mode.world.media_of(self.account.id)
        limit = parse_limit(self.args.get("limit"), *MEDIA_LIMIT)
        page = cut(items, limit, self.args.get("after"), self.args.get("before"))
        out: dict[str, Any] = {"data": [self.render.media(m, specs, MEDIA_FIELDS) for m in page.items]}
        links = paging(page, url_builder(request.base_url, self.args))
        if links is not None:
            out["paging"] = links
        return out


def authenticate(state: SandboxState) -> tuple[LoginToken, ProAccount]:
    """The token's record and its professional account.

    Raises:
        GraphError: 104 without a token, 190 for an unknown or expired one (or one whose account is gone).
    """
    token = request.args.get("access_token", "")
    if not token:
        raise GraphError(104, NO_AUTH)
    record = state.instagram_login.tokens.lookup(token)
    account = state.graph_mode.world.account_by_id(record.grant.ig_user_id)
    if account is None:
        raise GraphError(190, "Error validating access token: the account is no longer available.")
    return record, account


def api_response(state: SandboxState, node: str, edge: str | None) -> Response:
    """Authenticate, count the call on the account's budget, answer (errors included) with its headers."""
    usage: tuple[str, AccountUsage] | None = None
    try:
        record, account = authenticate(state)
        usage = (account.id, state.instagram_login.hit(account.id))
        if not usage[1].allowed:
            raise GraphError(80002)
        response = graph_json(LoginApi(state, record, account).dispatch(node, edge))
    except GraphError as exc:
        response = error_response(exc)
    if usage is not None:
        response.headers["X-Business-Use-Case-Usage"] = buc_header(*usage)
    return response


def register(app: Flask, state: SandboxState) -> None:
    """Add the one ``/instagram-graph/<path>`` rule: the token endpoints and the API."""

    @app.route(oauth.GRAPH_PREFIX + "/<path:rest>", methods=["GET", "POST", "DELETE"])
    def instagram_graph(rest: str) -> Response:
        version, parts = split(rest)
        if len(parts) == 1 and parts[0] in (oauth.LONG_LIVED_ENDPOINT, oauth.REFRESH_ENDPOINT):
            if request.method != "GET":
                raise unsupported(parts[0], request.method.lower())
            return oauth.long_lived(state) if parts[0] == oauth.LONG_LIVED_ENDPOINT else oauth.refresh(state)
        if not parts or len(parts) > 2:
            raise GraphError(2500, "Unknown path components: " + request.path)
        response = api_response(state, parts[0], parts[1] if len(parts) == 2 else None)
        response.headers["facebook-api-version"] = version or DEFAULT_VERSION
        response.headers["x-fb-trace-id"] = fbtrace_id()
        return response
