"""Graph API routes under ``/graph/<version>/``: ``me``, ``me/accounts``, IG users (with Business
Discovery), their media, Pages, media nodes and the hashtag routes (`graph.hashtags`).

Paths are resolved like Facebook's: ``/{node}[/{edge}]`` where the node is ``me``, a Facebook user,
Page, IG user, IG media or hashtag id, or ``ig_hashtag_search``.  Unversioned paths work too.  Unknown
or foreign nodes answer 100/33 "Unsupported get request"; unknown edges 2500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from bot.sandboxes.instagram.graph import hashtags, oauth
from bot.sandboxes.instagram.graph.auth import (
    GraphCaller,
    authenticate,
    managed_account,
    require_permission,
)
from bot.sandboxes.instagram.graph.errors import GraphError, graph_json, unsupported
from bot.sandboxes.instagram.graph.fields import FieldSpec, FieldSyntaxError, parse_fields
from bot.sandboxes.instagram.graph.paging import cut, paging, parse_limit, url_builder
from bot.sandboxes.instagram.graph.render import DISCOVERY_FIELDS, Renderer
from bot.sandboxes.instagram.graph.state import GraphMode
from bot.sandboxes.instagram.graph.world import ProAccount
from bot.sandboxes.instagram.state import SandboxState

VERSION = re.compile(r"v\d+\.\d+")
MEDIA_LIMIT = (25, 100)
ACCOUNTS_LIMIT = (25, 100)
PREFIX = "/graph"


def split_path(rest: str) -> tuple[str, str | None]:
    """``(node, edge)`` of a graph path (after ``/graph/``), with or without the version segment.

    Raises:
        GraphError: 2500 for a path that has no node or too many parts.
    """
    parts = rest.split("/")
    if parts and VERSION.fullmatch(parts[0]):
        parts = parts[1:]
    if not parts or len(parts) > 2 or "" in parts:
        raise GraphError(2500, "Unknown path components: " + request.path)
    return parts[0], (parts[1] if len(parts) == 2 else None)


def fields_of(args: Mapping[str, str]) -> tuple[FieldSpec, ...]:
    """The parsed ``fields`` parameter.

    Raises:
        GraphError: code 2500 for a syntax error, with Facebook's wording.
    """
    try:
        return parse_fields(args.get("fields"))
    except FieldSyntaxError as exc:
        raise GraphError(2500, str(exc)) from None


def unknown_edge(edge: str) -> GraphError:
    """Code 2500 for an edge the node does not have."""
    return GraphError(2500, f"Unknown path components: /{edge}")


class GraphRoutes:
    """Answers one graph request (a fresh instance per request)."""

    def __init__(self, mode: GraphMode) -> None:
        self.mode = mode
        self.world = mode.world
        self.args = request.args
        self.render = Renderer(request.host_url.rstrip("/"), mode.world)
        self.url_for = url_builder(request.base_url, request.args)

    def dispatch(self, node: str, edge: str | None) -> dict[str, Any]:
        """The answer for ``/{node}[/{edge}]``."""
        caller = authenticate(self.mode)
        if node in ("me", caller.user.id):
            if edge is None:
                return self.render.fb_user(caller.user, fields_of(self.args))
            if edge == "accounts":
                return self.accounts(caller)
            raise unknown_edge(edge)
        if node == "ig_hashtag_search" and edge is None:
            return hashtags.search(self.mode, caller, self.args)
        if self.world.hashtag_by_id(node) is not None:
            return hashtags.hashtag_edge(self.mode, caller, self.render, node, edge, self.args, self.url_for)
        if self.world.account_by_id(node) is not None:
            return self.ig_user(caller, managed_account(self.mode, caller, node), edge)
        page = self.world.page_by_id(node)
        if page is not None and page.owner_id == caller.user.id and caller.has("pages_show_list"):
            if edge is not None:
                raise unknown_edge(edge)
            return self.render.page(page, fields_of(self.args))
        item = self.world.media_by_id(node)
        if item is not None and item.professional and self.world.manages(caller.user.id, item.owner_id):
            require_permission(caller, "instagram_basic")
            if edge is not None:
                raise unknown_edge(edge)
            return self.render.media(item, fields_of(self.args))
        raise unsupported(node)

    def accounts(self, caller: GraphCaller) -> dict[str, Any]:
        """``me/accounts``: the caller's Pages (none without ``pages_show_list``)."""
        specs = fields_of(self.args)
        if not caller.has("pages_show_list"):
            return {"data": []}
        pages = self.world.pages_of(caller.user.id)
        page = cut(pages, parse_limit(self.args.get("limit"), *ACCOUNTS_LIMIT), *self._cursors())
        out: dict[str, Any] = {"data": [self.render.page(p, specs) for p in page.items]}
        links = paging(page, self.url_for)
        if links is not None:
            out["paging"] = links
        return out

    def _cursors(self) -> tuple[str | None, str | None]:
        return self.args.get("after"), self.args.get("before")

    def ig_user(self, caller: GraphCaller, account: ProAccount, edge: str | None) -> dict[str, Any]:
        """An IG user node the caller manages, or its ``media`` / ``recently_searched_hashtags`` edge."""
        require_permission(caller, "instagram_basic")
        specs = fields_of(self.args)
        if edge is None:
            return self.render.ig_user(account, specs, discover=lambda spec: self.discover(caller, spec))
        if edge == "media":
            items = self.world.media_of(account.id)
            page = cut(items, parse_limit(self.args.get("limit"), *MEDIA_LIMIT), *self._cursors())
            out: dict[str, Any] = {"data": [self.render.media(m, specs) for m in page.items]}
            links = paging(page, self.url_for)
            if links is not None:
                out["paging"] = links
            return out
        if edge == "recently_searched_hashtags":
            return hashtags.recently_searched(self.mode, account, self.render, self.args, self.url_for)
        raise unknown_edge(edge)

    def discover(self, caller: GraphCaller, spec: FieldSpec) -> dict[str, Any]:
        """Business Discovery: ``business_discovery.username(NAME){fields}``.

        Raises:
            GraphError: 10 without the permissions, 100 without a username, 110 for a personal or
            unknown account.
        """
        require_permission(
            caller,
            "instagram_basic",
            "instagram_manage_insights",
            any_of=("pages_read_engagement", "pages_show_list"),
        )
        username = spec.arg("username")
        if not username:
            raise GraphError(100, "(#100) business_discovery needs .username(NAME)")
        target = self.world.account_by_username(username)
        if target is None:  # personal (v1) accounts and unknown names alike
            raise GraphError(
                110,
                "(#110) Cannot find User",
                subcode=2207013,
                user_title="Cannot find User",
                user_msg=f"The user with username: {username} cannot be found.",
            )
        return self.render.ig_user(target, spec.children or (), DISCOVERY_FIELDS)


def register(app: Flask, state: SandboxState) -> None:
    """Add the one generic graph route (``/graph/<path>``; the token endpoint included)."""

    @app.route(f"{PREFIX}/<path:rest>", methods=["GET", "POST", "DELETE"])
    def graph_node(rest: str) -> Response:
        node, edge = split_path(rest.strip("/"))
        if (node, edge) == ("oauth", "access_token") and request.method in ("GET", "POST"):
            return oauth.token_response(state)
        if request.method != "GET":
            raise unsupported(node, request.method.lower())
        return graph_json(GraphRoutes(state.graph_mode).dispatch(node, edge))
