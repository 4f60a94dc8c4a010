"""Graph API routes under ``/graph/<version>/``: ``me``, ``me/accounts``, IG users (with Business
Discovery and mentions lookups, and ``POST /{ig-user-id}/mentions`` answering a mention), their media,
Pages (``fields=access_token`` gives a Page access token; ``subscribed_apps`` GET/POST/DELETE with a
Page token and ``pages_manage_metadata``), media nodes, the comment routes (`graph.comments`) and the
hashtag routes (`graph.hashtags`).  A Page token's ``me`` is its Page.

Paths are resolved like Facebook's: ``/{node}[/{edge}]`` where the node is ``me``, a Facebook user,
Page, IG user, IG media or hashtag id, or ``ig_hashtag_search``.  Unversioned paths work too.  Unknown
or foreign nodes answer 100/33 "Unsupported get request"; unknown edges 2500.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, request

from igbot_sandboxes.instagram.graph import hashtags, oauth, webhooks
from igbot_sandboxes.instagram.graph.auth import (
    GraphCaller,
    authenticate,
    managed_account,
    require_permission,
)
from igbot_sandboxes.instagram.graph.comments import CommentRoutes
from igbot_sandboxes.instagram.graph.errors import GraphError, graph_json, unsupported
from igbot_sandboxes.instagram.graph.fields import FieldSpec, FieldSyntaxError, parse_fields
from igbot_sandboxes.instagram.graph.paging import cut, paging, parse_limit, url_builder
from igbot_sandboxes.instagram.graph.render import DISCOVERY_FIELDS, Renderer
from igbot_sandboxes.instagram.graph.world import Page, ProAccount
from igbot_sandboxes.instagram.state import SandboxState

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

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.mode = state.graph_mode
        self.world = self.mode.world
        self.args = request.args
        self.method = request.method
        self.params: dict[str, str] = {**request.args.to_dict(), **request.form.to_dict()}
        self.render = Renderer(request.host_url.rstrip("/"), self.world, state.comments.count)
        self.url_for = url_builder(request.base_url, request.args)

    def only_get(self, node: str) -> None:
        """Nodes and edges that are read-only.

        Raises:
            GraphError: 100/33 "Unsupported post/delete request" for any other method.
        """
        if self.method != "GET":
            raise unsupported(node, self.method.lower())

    def comment_routes(self, caller: GraphCaller) -> CommentRoutes:
        """The comment and mention calls for this request."""
        return CommentRoutes(self.state, caller, self.render, self.params, self.url_for)

    def dispatch(self, node: str, edge: str | None) -> dict[str, Any]:
        """The answer for ``/{node}[/{edge}]``."""
        caller = authenticate(self.mode)
        if node == "me" and caller.page_id is not None:
            node = caller.page_id  # a Page token's "me" is its Page
        if node in ("me", caller.user.id):
            self.only_get(node)
            if edge is None:
                return self.render.fb_user(caller.user, fields_of(self.args))
            if edge == "accounts":
                return self.accounts(caller)
            raise unknown_edge(edge)
        if node == "ig_hashtag_search" and edge is None:
            self.only_get(node)
            return hashtags.search(self.mode, caller, self.args)
        if self.world.hashtag_by_id(node) is not None:
            self.only_get(node)
            return hashtags.hashtag_edge(self.mode, caller, self.render, node, edge, self.args, self.url_for)
        if self.world.account_by_id(node) is not None:
            if edge == "mentions":  # the only IG user edge that takes a POST: answering a mention
                account = managed_account(self.mode, caller, node)
                return self.comment_routes(caller).reply_to_mention(account, self.method)
            self.only_get(node)
            return self.ig_user(caller, managed_account(self.mode, caller, node), edge)
        page = self.world.page_by_id(node)
        if page is not None and self.world.has_role(caller.user.id, page) and caller.has("pages_show_list"):
            if edge == "subscribed_apps":
                return self.subscribed_apps(caller, page)
            if edge is not None:
                raise unknown_edge(edge)
            self.only_get(node)
            return self.render.page(page, fields_of(self.args), self.page_token_maker(caller))
        comment = self.state.comments.get(node, "graph")
        if comment is not None:
            return self.comment_routes(caller).comment_node(comment, edge, self.method, fields_of(self.args))
        item = self.world.media_by_id(node)
        if item is not None and item.professional and edge == "comments":
            return self.comment_routes(caller).media_comments(item, self.method, fields_of(self.args))
        if item is not None and item.professional and caller.manages(self.world, item.owner_id):
            require_permission(caller, "instagram_basic")
            if edge is not None:
                raise unknown_edge(edge)
            self.only_get(node)
            return self.render.media(item, fields_of(self.args))
        raise unsupported(node, self.method.lower())

    def page_token_maker(self, caller: GraphCaller) -> Callable[[Page], str]:
        """Makes Page access tokens (``fields=access_token``) from the caller's token."""
        return lambda page: self.mode.tokens.issue_page_token(caller.token, page.id)

    def subscribed_apps(self, caller: GraphCaller, page: Page) -> dict[str, Any]:
        """``/{page-id}/subscribed_apps``: GET the app's subscription, POST ``subscribed_fields``, DELETE.

        Raises:
            GraphError: 210 without this Page's access token, 200 (HTTP 403) without
            ``pages_manage_metadata``, 100 for missing or unknown fields.
        """
        if caller.page_id != page.id:
            raise GraphError(210, "(#210) A page access token is required to request this resource")
        if not caller.has("pages_manage_metadata"):
            raise GraphError(
                200, "(#200) Requires pages_manage_metadata permission to manage the object", status=403
            )
        hub = self.state.webhooks
        if self.method == "GET":
            fields = hub.page_fields(page.id)
            if fields is None:
                return {"data": []}
            app = {"name": webhooks.APP_NAME, "id": self.state.config.client_id}
            return {"data": [{**app, "subscribed_fields": list(fields)}]}
        if self.method == "DELETE":
            hub.unsubscribe_page(page.id)
            return {"success": True}
        raw = self.params.get("subscribed_fields", "")
        wanted = [f.strip() for f in raw.split(",") if f.strip()]
        if not wanted:
            raise GraphError(100, "(#100) The parameter subscribed_fields is required")
        unknown = [f for f in wanted if f not in webhooks.PAGE_FIELDS]
        if unknown:
            raise GraphError(
                100,
                f"(#100) Param subscribed_fields must be one of {{{', '.join(sorted(webhooks.PAGE_FIELDS))}}}"
                f' - got "{unknown[0]}"',
            )
        hub.subscribe_page(page.id, wanted)
        return {"success": True}

    def accounts(self, caller: GraphCaller) -> dict[str, Any]:
        """``me/accounts``: the caller's Pages (none without ``pages_show_list``)."""
        specs = fields_of(self.args)
        if not caller.has("pages_show_list"):
            return {"data": []}
        pages = self.world.pages_of(caller.user.id)
        page = cut(pages, parse_limit(self.args.get("limit"), *ACCOUNTS_LIMIT), *self._cursors())
        maker = self.page_token_maker(caller)
        out: dict[str, Any] = {"data": [self.render.page(p, specs, maker) for p in page.items]}
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
            mentions = self.comment_routes(caller)
            expand = {
                "mentioned_media": lambda spec: mentions.mentioned_media(account, spec),
                "mentioned_comment": lambda spec: mentions.mentioned_comment(account, spec),
            }
            return self.render.ig_user(
                account, specs, discover=lambda spec: self.discover(caller, spec), expand=expand
            )
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
        return graph_json(GraphRoutes(state).dispatch(node, edge))
