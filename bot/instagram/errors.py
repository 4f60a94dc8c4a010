"""The few Instagram failures the Slack side distinguishes (docs/interfaces.md, "Behaviour under failure")."""

from __future__ import annotations


class InstagramError(Exception):
    """Base class. Messages never carry tokens, codes or URLs with query strings."""


class LinkRejected(InstagramError):
    """Instagram refused the user's token itself (TokenInvalid, PermissionMissing): the link must go.

    ``token_fingerprint`` names the refused token (`Credentials.fingerprint`, not a secret) so that only
    the link still holding it is removed, never one the user made again while this call was under way;
    None when the call carried no user token.
    """

    def __init__(self, message: str, token_fingerprint: str | None = None) -> None:
        super().__init__(message)
        self.token_fingerprint = token_fingerprint


class TokenInvalid(LinkRejected):
    """The user's token was revoked or has expired: the link must be removed and made again."""


class PermissionMissing(LinkRejected):
    """The token lacks a scope this command needs: the user must link again."""


class AppFeatureMissing(InstagramError):
    """The app itself lacks a Meta feature (App Review), e.g. Instagram Public Content Access for hashtag
    search. Linking again cannot help: the link stays, and the app's owner must enable the feature."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"the app lacks the {feature} feature")
        self.feature = feature


class HashtagRefused(InstagramError):
    """Instagram would not search ``#tag``. ``missing``: Instagram said there is no such hashtag
    (nothing counts against the weekly limit). Otherwise it refused without a documented reason (its
    weekly limit, or a tag it will not search): igbot's own count of the week's hashtags tells which."""

    def __init__(self, tag: str, *, missing: bool) -> None:
        why = "no such hashtag" if missing else "refused"
        super().__init__(f"#{tag}: {why}")
        self.tag = tag
        self.missing = missing


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


class ScopeDeclined(ExchangeRejected):
    """The token was granted with fewer permissions than igbot asked for (oauthlib's "Scope has changed")."""


class ActionRefused(InstagramError):
    """Instagram refused a change to a comment for a reason the person can understand (a reply to a
    hidden comment, a comment already deleted); ``reason`` is short and safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
