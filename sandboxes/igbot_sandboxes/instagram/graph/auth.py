"""Who is calling a graph endpoint: the token (query, form or ``Authorization: Bearer``), its Facebook
user and permissions, and which Instagram accounts that user may act as."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from igbot_sandboxes.instagram.graph.errors import GraphError, unsupported
from igbot_sandboxes.instagram.graph.state import GraphMode
from igbot_sandboxes.instagram.graph.tokens import GraphToken
from igbot_sandboxes.instagram.graph.world import FacebookUser, GraphWorld, ProAccount


@dataclass(frozen=True)
class GraphCaller:
    """An authenticated graph call."""

    user: FacebookUser
    token: GraphToken

    def has(self, permission: str) -> bool:
        """True when the token was granted ``permission``."""
        return permission in self.token.grant.scopes

    @property
    def page_id(self) -> str | None:
        """The Page a Page access token acts for; None for a user token."""
        return self.token.page_id

    def manages(self, world: GraphWorld, ig_user_id: str) -> bool:
        """True when the caller may act as the professional account: its user has a role on the Page
        connected to it (and, for a Page token, that Page is the token's)."""
        if not world.manages(self.user.id, ig_user_id):
            return False
        if self.page_id is None:
            return True
        page = world.page_by_id(self.page_id)
        return page is not None and page.ig_account_id == ig_user_id


def request_token() -> str | None:
    """The access token of this request: ``access_token`` (query, then form) or a Bearer/OAuth header."""
    token = request.args.get("access_token") or request.form.get("access_token")
    if token:
        return token
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def authenticate(mode: GraphMode) -> GraphCaller:
    """The caller of this request.

    Raises:
        GraphError: 104 without a token; 190 (with subcode 460/463/467...) for a bad one.
    """
    token = request_token()
    if token is None:
        raise GraphError(104)
    record = mode.tokens.lookup(token)
    user = mode.world.fb_user_by_id(record.grant.fb_user_id)
    if user is None:  # cannot happen: tokens are only issued to world users
        raise GraphError(190)
    return GraphCaller(user, record)


def require_permission(caller: GraphCaller, *needed: str, any_of: tuple[str, ...] = ()) -> None:
    """Every permission in ``needed`` and, when given, one of ``any_of``.

    Raises:
        GraphError: code 10 when one is missing.
    """
    missing = [p for p in needed if not caller.has(p)]
    if any_of and not any(caller.has(p) for p in any_of):
        missing.append(" or ".join(any_of))
    if missing:
        raise GraphError(
            10,
            f"(#10) Application does not have permission for this action: requires {', '.join(missing)}",
        )


def managed_account(mode: GraphMode, caller: GraphCaller, ig_user_id: str) -> ProAccount:
    """The professional account ``ig_user_id`` if the caller manages it (through one of their Pages).

    Raises:
        GraphError: 100/33 "Unsupported get request" otherwise (unknown, or someone else's).
    """
    account = mode.world.account_by_id(ig_user_id)
    if account is None or not caller.manages(mode.world, account.id):
        raise unsupported(ig_user_id)
    return account


def account_param(mode: GraphMode, caller: GraphCaller, user_id: str | None) -> ProAccount:
    """The ``user_id`` parameter of hashtag calls: required, and an account the caller manages.

    Raises:
        GraphError: 100 when missing, 10 when not the caller's professional account.
    """
    if not user_id:
        raise GraphError(100, "(#100) The parameter user_id is required")
    account = mode.world.account_by_id(user_id)
    if account is None or not caller.manages(mode.world, account.id):
        raise GraphError(10, "(#10) Application does not have permission for this action")
    return account
