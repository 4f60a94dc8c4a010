"""The few Instagram failures the Slack side distinguishes (DESIGN.md, "Behaviour under failure")."""

from __future__ import annotations


class InstagramError(Exception):
    """Base class. Messages never carry tokens, codes or URLs with query strings."""


class TokenInvalid(InstagramError):
    """The user's token was revoked or has expired: the link must be removed and made again."""


class PermissionMissing(InstagramError):
    """The token lacks a scope this command needs: the user must link again."""


class RateLimited(InstagramError):
    """Instagram is limiting requests."""

    def __init__(self, retry_after_minutes: int) -> None:
        super().__init__(f"rate limited for about {retry_after_minutes} minutes")
        self.retry_after_minutes = retry_after_minutes


class Unavailable(InstagramError):
    """Instagram timed out, refused the connection, failed (5xx) or answered nonsense."""


class Unconfirmed(InstagramError):
    """A change was sent but Instagram did not answer in time: it may or may not have happened."""


class NotFound(InstagramError):
    """No Instagram account with that username."""

    def __init__(self, username: str, hint: str = "") -> None:
        super().__init__(f"no account named @{username}")
        self.username = username
        self.hint = hint


class NotAllowed(InstagramError):
    """Instagram refuses to show this resource to this user (a private account, for example)."""


class ExchangeRejected(InstagramError):
    """The authorization code was refused (used, expired, or a redirect URI mismatch)."""
