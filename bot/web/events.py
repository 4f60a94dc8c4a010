"""Slack's Events API on the web tier: App Home opened, links shared, igbot uninstalled or its tokens
revoked. Like commands, each is checked, queued for the worker tier and acknowledged within 3 seconds.

Slack retries an event it thinks was not received (``X-Slack-Retry-Num``); each event id is taken once
(`bot.storage.events`), so a retry is acknowledged without running anything again. When igbot cannot
queue the work (storage down), the event is released and answered 500: Slack's retry gets another
chance. Uninstall events are not de-duplicated: forgetting a team is idempotent, and the second of the
two (``tokens_revoked``, ``app_uninstalled``, in either order) must not be skipped.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.core.queue import Admission
from bot.core.services import Services
from bot.features.home.jobs import PUBLISH_HOME
from bot.features.install.jobs import FORGET_TEAM
from bot.features.unfurls.jobs import UNFURL, shared_fields
from bot.slack.workspaces import NOT_INSTALLED_CONTEXT
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)


def _retry_later(why: str) -> BoltResponse:
    """A 500: Slack sends the event again (about a minute later, then about five)."""
    log.warning("a Slack event could not be queued (%s); Slack will send it again", why)
    return BoltResponse(status=500, body="")


def _team(body: dict[str, Any], context: BoltContext) -> str:
    """The workspace of an event, as Bolt read it (``authorizations[0]``, else ``team_id``); for an
    org-wide installation Bolt has none (its authorization names no team) and the body's ``team_id``
    says where the event happened."""
    return context.team_id or str(body.get("team_id") or "")


def _once(
    services: Services, body: dict[str, Any], context: BoltContext, queue: Callable[[], Admission]
) -> BoltResponse | None:
    """Queue ``queue()`` for the first delivery of this event only; a 500 when it was not queued."""
    if context.get(NOT_INSTALLED_CONTEXT):
        return None  # igbot is not (or no longer) in that workspace: nothing to do there
    team_id, event_id = _team(body, context), str(body.get("event_id") or "")
    events = services.events
    try:
        if events is not None and not events.first(team_id, event_id):
            log.info("a retried Slack event was already taken; skipped")
            return None
    except StorageUnavailable:
        return _retry_later("storage unavailable")
    admission = queue()
    if admission is Admission.QUEUED or admission is Admission.UNCERTAIN:
        return None
    if events is not None:
        # If this fails too, the mark expires in an hour and Slack's retries are skipped meanwhile.
        with contextlib.suppress(StorageUnavailable):
            events.release(team_id, event_id)
    return _retry_later(admission.value)


def register(app: App, services: Services) -> None:
    """Attach igbot's event listeners to ``app``."""
    revocation = (
        TokenRevocationListeners(services.installations) if services.installations is not None else None
    )

    @app.event("app_home_opened")
    def home_opened(
        ack: Ack, event: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> BoltResponse | None:
        ack()
        if event.get("tab", "home") != "home":
            return None
        team_id, user_id, channel_id = _team(body, context), context.user_id or "", context.channel_id or ""
        return _once(
            services, body, context, lambda: services.jobs.offer(PUBLISH_HOME, team_id, user_id, channel_id)
        )

    @app.event("link_shared")
    def link_shared(
        ack: Ack, event: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> BoltResponse | None:
        ack()
        team_id = _team(body, context)
        return _once(
            services, body, context, lambda: services.jobs.offer(UNFURL, team_id, shared_fields(event))
        )

    def forget(
        team_id: str, body: dict[str, Any], revoke: Callable[[TokenRevocationListeners], None]
    ) -> BoltResponse | None:
        since = float(body.get("event_time") or 0) or time.time()
        try:
            store = services.installations
            if store is not None and revocation is not None:
                bot = store.find_bot(enterprise_id=None, team_id=team_id)
                if bot is None or float(bot.installed_at or 0) <= since + 1:  # not a retry after a reinstall
                    revoke(revocation)
            services.jobs.send(FORGET_TEAM, team_id, since)
        except StorageUnavailable:
            return _retry_later("storage unavailable")
        return None

    @app.event("tokens_revoked")
    def tokens_revoked(
        ack: Ack, event: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> BoltResponse | None:
        ack()
        if (event.get("tokens") or {}).get("bot"):  # igbot can't act there any more: it forgets the team
            return forget(
                _team(body, context), body, lambda r: r.handle_tokens_revoked_events(event, context)
            )
        try:  # only people's tokens (igbot asks for none): Bolt forgets any the store holds
            if revocation is not None:
                revocation.handle_tokens_revoked_events(event, context)
        except StorageUnavailable:
            return _retry_later("storage unavailable")
        return None

    @app.event("app_uninstalled")
    def app_uninstalled(ack: Ack, body: dict[str, Any], context: BoltContext) -> BoltResponse | None:
        ack()
        return forget(_team(body, context), body, lambda r: r.handle_app_uninstalled_events(context))

    @app.event(re.compile(r".*"))
    def any_other(ack: Ack) -> None:
        """An event igbot does not use (not in its subscriptions, or a new one): acknowledged, so Slack
        does not retry it for nothing."""
        ack()
