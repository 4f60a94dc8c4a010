"""Slack's refusals as igbot's exception types: one family per thing igbot does about them.

Slack answers a refused Web API call (and a refused response-URL post) with ``{"ok": false, "error":
"<code>"}``. igbot's Web API client (`bot.slack.workspaces.SlackClient`) raises the family of the code
instead of slack_sdk's bare `SlackApiError`, so callers catch a type (``except ChannelGone:``) and never
compare Slack's strings; `FAMILIES` below is the one place that knows them. Every family subclasses
`SlackApiError` (code that catches it keeps working) and keeps slack_sdk's ``response``.

A code igbot does not tell apart is a plain `SlackError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from slack_sdk.errors import SlackApiError

# Not a Slack code: what igbot's own client for a team it is not installed in answers every call with.
NOT_INSTALLED = "not_installed"


class SlackError(SlackApiError):
    """Slack refused a call. ``code`` is Slack's error string; ``response`` is slack_sdk's, as on
    `SlackApiError`."""

    def __init__(self, message: str, response: Any) -> None:
        super().__init__(message, response)  # type: ignore[no-untyped-call]

    @property
    def code(self) -> str:
        """Slack's error string, e.g. ``channel_not_found`` ("" when the answer had none)."""
        return code_of(self.response)


class ChannelGone(SlackError):
    """igbot cannot post in the channel any more: it left or was removed, or the channel is private to
    it or deleted. Inviting igbot again fixes it."""


class ChannelArchived(ChannelGone):
    """The channel was archived."""


class MissingScope(SlackError):
    """igbot's token lacks a permission the call needs."""


# igbot cannot post in this channel (every feature stops or refuses the same way): the channel is gone or
# private to igbot, or igbot lacks the permission to post there.
CANNOT_POST: tuple[type[SlackError], ...] = (ChannelGone, MissingScope)


class TokenRefused(SlackError):
    """Slack refused the token itself (wrong, revoked, or the wrong kind of token): retrying is pointless."""


class WorkspaceGone(TokenRefused):
    """igbot can't act in the workspace at all (not installed, uninstalled, token revoked): nothing there
    can be posted until igbot is installed again."""


class Transient(SlackError):
    """Slack could not serve the call right now; the same call may succeed later."""


class RateLimited(Transient):
    """Slack is rate limiting the call (HTTP 429)."""

    @property
    def retry_after(self) -> float:
        """Seconds Slack asked to wait before calling again (its ``Retry-After``; 1 when missing or odd)."""
        headers = getattr(self.response, "headers", None) or {}
        raw = next((str(v) for k, v in dict(headers).items() if str(k).lower() == "retry-after"), "")
        try:
            seconds = float(raw)
        except ValueError:
            return 1.0
        return seconds if seconds > 0 else 1.0


class BlocksRefused(SlackError):
    """Slack refused the message's blocks (e.g. a picture it could not download); the text alone may
    go through."""


class ResponseUrlSpent(SlackError):
    """The response URL takes no more posts (used up, expired, or its app is gone)."""


# Slack's error strings igbot tells apart, and their family. The one place they are spelt out.
FAMILIES: Mapping[str, type[SlackError]] = MappingProxyType(
    {
        "channel_not_found": ChannelGone,
        "not_in_channel": ChannelGone,
        "is_archived": ChannelArchived,
        "missing_scope": MissingScope,
        "not_allowed_token_type": TokenRefused,
        NOT_INSTALLED: WorkspaceGone,
        "invalid_auth": WorkspaceGone,
        "not_authed": WorkspaceGone,
        "account_inactive": WorkspaceGone,
        "token_revoked": WorkspaceGone,
        "ratelimited": RateLimited,
        "service_unavailable": Transient,
        "fatal_error": Transient,
        "internal_error": Transient,
        "request_timeout": Transient,
        "invalid_blocks": BlocksRefused,
        "used_url": ResponseUrlSpent,
        "expired_url": ResponseUrlSpent,
        "no_service": ResponseUrlSpent,
    }
)


def family(code: str) -> type[SlackError]:
    """The exception type for Slack's error string ``code`` (`SlackError` for one igbot does not tell
    apart)."""
    return FAMILIES.get(code, SlackError)


def code_of(response: Any) -> str:
    """Slack's error string in ``response`` (a slack_sdk response, or its parsed body); "" when none."""
    try:
        code = response.get("error")
    except (AttributeError, TypeError, ValueError):
        return ""
    return str(code) if code else ""


def classify(exc: SlackApiError) -> SlackError:
    """``exc`` as its family (the same response; itself when it is typed already): for refusals from a
    client igbot did not build (Bolt's)."""
    if isinstance(exc, SlackError):
        return exc
    reason = str(exc).split("\n", 1)[0]  # slack_sdk appends the response again; SlackError does too
    return family(code_of(exc.response))(reason, exc.response)


def not_installed(team_id: str) -> WorkspaceGone:
    """The refusal of every call for a team igbot is not installed in (nothing is sent)."""
    return WorkspaceGone(
        f"igbot is not installed in workspace {team_id}", {"ok": False, "error": NOT_INSTALLED}
    )
