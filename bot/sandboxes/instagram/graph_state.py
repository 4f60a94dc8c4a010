"""Graph mode's part of one sandbox instance: its world, tokens, limits and hashtag quota."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandboxes.instagram.graph_limits import AccountLimiter, AppUsage, HashtagQuota
from bot.sandboxes.instagram.graph_tokens import GraphGrant, GraphToken, GraphTokenStore, parse_permissions
from bot.sandboxes.instagram.graph_world import FacebookUser, GraphWorld


class GraphMode:
    """Everything the ``/graph`` and ``/facebook`` routes share."""

    def __init__(
        self, world: GraphWorld, clock: Callable[[], float], code_ttl: float, rate_limit_per_hour: int
    ) -> None:
        self.world = world
        self.clock = clock
        self.tokens = GraphTokenStore(clock, code_ttl)
        self.limiter = AccountLimiter(rate_limit_per_hour, clock)
        self.app_usage = AppUsage(clock)
        self.hashtags = HashtagQuota(clock)

    def reset(self) -> None:
        """Forget codes, tokens, counters and hashtag searches."""
        self.tokens.reset()
        self.limiter.reset()
        self.app_usage.reset()
        self.hashtags.reset()

    def fb_user_named(self, username: str) -> FacebookUser:
        """The Facebook user called ``username``.

        Raises:
            ValueError: no such Facebook user.
        """
        user = self.world.fb_user_by_username(username)
        if user is None:
            raise ValueError(f"no sandbox Facebook user named {username!r}")
        return user

    def issue_token(
        self, fb_username: str, client_id: str, scope: str, long_lived: bool = True
    ) -> tuple[str, GraphToken]:
        """A live token for the Facebook user, skipping the dialog.

        Raises:
            ValueError: unknown user or invalid scope.
        """
        user = self.fb_user_named(fb_username)
        scopes = parse_permissions(scope)
        if scopes is None:
            raise ValueError(f"invalid scope {scope!r}")
        return self.tokens.issue(GraphGrant(user.id, client_id, scopes), long_lived)

    def _user_id(self, username: str | None) -> str | None:
        if username is None:
            return None
        user = self.world.fb_user_by_username(username)
        return user.id if user else ""

    def revoke(self, username: str | None = None, access_token: str | None = None, subcode: int = 460) -> int:
        """Invalidate graph tokens (one, a Facebook user's, or all); returns how many."""
        user_id = self._user_id(username)
        return 0 if user_id == "" else self.tokens.revoke(user_id, access_token, subcode)

    def expire(self, username: str | None = None, access_token: str | None = None) -> int:
        """Expire graph tokens now (one, a Facebook user's, or all); returns how many."""
        user_id = self._user_id(username)
        return 0 if user_id == "" else self.tokens.expire(user_id, access_token)

    def accounts_of(self, fb_username: str) -> list[dict[str, str]]:
        """``[{"page_id", "page_name", "id", "username", "account_type"}]`` of the user's connected accounts.

        Raises:
            ValueError: unknown Facebook user.
        """
        user = self.fb_user_named(fb_username)
        out = []
        for page in self.world.pages_of(user.id):
            account = self.world.account_by_id(page.ig_account_id or "")
            if account is not None:
                out.append(
                    {
                        "page_id": page.id,
                        "page_name": page.name,
                        "id": account.id,
                        "username": account.username,
                        "account_type": account.account_type,
                    }
                )
        return out
