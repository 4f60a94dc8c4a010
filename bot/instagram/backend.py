"""The interface every Instagram API generation implements for the Slack side."""

from __future__ import annotations

from typing import Protocol

from bot.instagram.models import Account, Capability, FollowResult, LinkedAccount, Media


class InstagramBackend(Protocol):
    """One Instagram API generation. Methods raise the exceptions in `bot.instagram.errors`."""

    capabilities: frozenset[Capability]

    def authorization_url(self, state: str) -> str:
        """The URL of Instagram's approval page for a new link carrying ``state``."""
        ...

    def exchange_code(self, code: str) -> LinkedAccount:
        """Trade an authorization code for a token and the account it belongs to."""
        ...

    def find_account(self, token: str, username: str) -> Account:
        """The account named exactly ``username`` (case-insensitive), with counts where available."""
        ...

    def set_following(self, token: str, username: str, *, follow: bool) -> FollowResult:
        """Follow or unfollow ``username`` as the token's owner."""
        ...

    def popular(self, count: int, token: str | None = None) -> list[Media]:
        """Up to ``count`` popular posts."""
        ...
