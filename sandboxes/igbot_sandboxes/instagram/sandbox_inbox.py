"""The Python face of the comment and mention inbox (docs/inbox-wire.md), mixed into `InstagramSandbox`.

HTTP equivalents are in `inbox_controls` (``POST/GET /__sandbox__/comments``) and `graph.controls`
(``graph/webhook``, ``graph/app``, ``graph/mentions``, ``graph/page_roles``, ``graph/webhooks``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from igbot_sandboxes.instagram import inbox
from igbot_sandboxes.instagram.graph.webhooks import DEFAULT_FIELDS
from igbot_sandboxes.instagram.graph.world import Page
from igbot_sandboxes.instagram.state import SandboxState


class InboxControls:
    """Comments, mentions, Page roles, the webhook callback, the app's switches and deliveries."""

    _state: SandboxState

    def add_comment(
        self, media_id: str, username: str, text: str, parent_id: str | None = None
    ) -> dict[str, Any]:
        """A comment by any Instagram username (a professional account or a v1 user) on a post of the
        current mode (a professional account's graph post, or a v1 post), or a reply with
        ``parent_id``; graph mode pushes the webhook.  Returns the comment as `comments_of` shows it.

        Raises:
            LookupError: unknown post, user or parent comment.
            ValueError: a blank text or one over 2200 characters.
        """
        item = inbox.add_comment(self._state, media_id, username, text, parent_id)
        return inbox.comment_dict(self._state, item)

    def add_mention(
        self, account: str, username: str, text: str, media_id: str | None = None
    ) -> dict[str, Any]:
        """Graph only: ``username`` mentions the professional account ``account``, in a comment on
        ``media_id`` or (without it) in the caption of a new post by ``username`` (a professional
        account); pushes ``mentions``.  Returns ``{"media_id", "comment_id"?, ...}``.

        Raises:
            LookupError: unknown account, user or post.
            ValueError: a bad text, a v1 post, or a caption by someone without a professional account.
        """
        return inbox.add_mention(self._state, account, username, text, media_id)

    def comments_of(self, media_id: str) -> list[dict[str, Any]]:
        """Every top-level comment of a post, oldest first, with ``hidden``, ``deleted`` and
        ``replies`` (deleted ones included).

        Raises:
            LookupError: unknown post.
        """
        return inbox.comments_of(self._state, media_id)

    def set_webhook(
        self, callback_url: str | None, verify_token: str = "", fields: Iterable[str] = DEFAULT_FIELDS
    ) -> None:
        """Configure the app's webhook callback after Meta's handshake; ``None`` turns webhooks off.

        Raises:
            ValueError: unknown fields.
            graph.webhooks.WebhookRefused: the callback failed the handshake.
        """
        self._state.webhooks.configure(callback_url, verify_token, tuple(fields))

    def set_app(self, live: bool | None = None, advanced_access: bool | None = None) -> dict[str, bool]:
        """Switch the app's Live mode and Advanced Access (None keeps one as it is); returns both."""
        return self._state.webhooks.set_app(live, advanced_access)

    def add_page_role(self, ig_account: str, fb_username: str) -> Page:
        """Give a Facebook user a role on the Page connected to a professional account (username or
        id): they see it in ``me/accounts`` and may moderate and link it.  Returns the Page.

        Raises:
            LookupError: unknown account, or one without a Page.
            ValueError: unknown Facebook user.
        """
        return self._state.graph_mode.add_page_role(ig_account, fb_username)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook delivery attempt, oldest first: ``{"id", "attempt", "status", "body", "ok",
        "payload", "error", "outcome", "url", "signature", "time", "elapsed_ms"}``: ``body`` is the raw
        JSON text exactly as signed, ``payload`` the same parsed."""
        return self._state.webhooks.records()

    def wait_webhooks_idle(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until every webhook delivery succeeded or was given up; returns `webhook_deliveries`.

        Raises:
            TimeoutError: still busy after ``timeout`` seconds.
        """
        deliveries = self._state.webhooks.deliveries
        if not deliveries.wait_idle(timeout):
            raise TimeoutError(
                f"{deliveries.pending()} webhook delivery(ies) still pending after {timeout:g} s; attempts: "
                f"{[(d['id'], d['attempt'], d['status'], d['error']) for d in self.webhook_deliveries()]}"
            )
        return self.webhook_deliveries()
