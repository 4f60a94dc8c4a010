"""Who is calling a /v1 endpoint: access token or client id, scopes, and ``self`` resolution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from igbot_sandboxes.instagram.legacy.envelope import APIError
from igbot_sandboxes.instagram.legacy.world import User
from igbot_sandboxes.instagram.state import SandboxState

INVALID_TOKEN = "The access_token provided is invalid."  # noqa: S105 - an error message
MISSING_CREDENTIALS = "Missing client_id or access_token URL parameter."


@dataclass(frozen=True)
class Caller:
    """The authenticated caller; ``user_id`` is None for a client-id-only call."""

    user_id: str | None
    scopes: frozenset[str]
    client_id: str

    @property
    def has_token(self) -> bool:
        """True when the call carried a valid access token."""
        return self.user_id is not None


def authenticate(state: SandboxState, args: Mapping[str, str], *, allow_client_id: bool) -> Caller:
    """Check ``access_token`` (preferred) or ``client_id`` from the query string.

    Raises:
        APIError: missing credentials, invalid token, unknown client id, or client id where a token is needed.
    """
    if "access_token" in args:
        grant = state.tokens.lookup(args["access_token"])
        if grant is None:
            raise APIError("OAuthAccessTokenException", INVALID_TOKEN)
        return Caller(grant.user_id, grant.scopes, grant.client_id)
    client_id = args.get("client_id")
    if not client_id:
        raise APIError("OAuthParameterException", MISSING_CREDENTIALS)
    if client_id != state.config.client_id:
        raise APIError(
            "OAuthParameterException",
            "The client_id provided is invalid and does not match a valid application.",
        )
    if not allow_client_id:
        raise APIError("OAuthParameterException", "Missing access_token URL parameter.")
    return Caller(None, frozenset(), client_id)


def require_scope(caller: Caller, *any_of: str) -> None:
    """Token callers must hold one of ``any_of``; client-id callers are not scope-checked.

    Raises:
        APIError: OAuthPermissionsException naming the first scope.
    """
    if caller.has_token and not caller.scopes.intersection(any_of):
        raise APIError(
            "OAuthPermissionsException",
            f"This request requires scope={any_of[0]}, "
            "but this access token is not authorized with this scope.",
        )


def resolve_user(state: SandboxState, caller: Caller, raw_id: str) -> User:
    """The user named by a path id; ``self`` is the token's user.

    Raises:
        APIError: ``self`` without a token, or an unknown id (APINotFoundError).
    """
    if raw_id == "self":
        if caller.user_id is None:
            # wording and type as in python-instagram's user_no_auth_user.json fixture
            raise APIError("no authenticated user", "'self' keyword requires an authenticated user")
        raw_id = caller.user_id
    user = state.world.user_by_id(raw_id)
    if user is None:
        raise APIError("APINotFoundError", "this user does not exist")
    return user


def require_public_content_for_others(caller: Caller, user: User) -> None:
    """Reading another user's profile or media with a token needs ``public_content``."""
    if caller.user_id != user.id:
        require_scope(caller, "public_content")
