"""`GET /instagram/callback`: finish a link (consume state, exchange the code, store) and say so.

The Slack side (the "Connected as" message and the command the user was trying to run) is a job for
the worker tier (`bot.features.linking.outcomes`), queued before the page is answered. Every failure gets a
page saying what to do; when it may pass (Instagram or storage unavailable), the same link stays
usable for the rest of its 10 minutes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from bot.core.services import Services
from bot.features.linking.jobs import FINISH_LINK, accounts_payload
from bot.features.linking.outcomes import Outcome
from bot.instagram.errors import ExchangeRejected, InstagramError, ScopeDeclined
from bot.instagram.models import Account, Authorization
from bot.slack.invocation import Invocation
from bot.storage import StorageUnavailable
from bot.storage.states import PendingLink
from bot.web.pages import Page, render

log = logging.getLogger(__name__)
MAX_PARAM_LENGTH = 2048
STORAGE_DOWN = "igbot can't reach its storage"
START_AGAIN = "Go back to Slack and run /ig login to get a fresh link."


def _back_url(services: Services, pending: PendingLink | None) -> str:
    if pending is None:
        return services.slack_web_url
    query = urlencode(
        {"team": pending.invocation.get("team_id", ""), "channel": pending.invocation.get("channel_id", "")}
    )
    return f"{services.slack_web_url}/app_redirect?{query}"


def handle_callback(params: Mapping[str, str], services: Services) -> Page:
    """Answer Instagram's redirect: success, Cancel, or one of the failures docs/interfaces.md lists."""
    try:
        return _handle(params, services)
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("the Instagram callback failed (ref %s)", ref)
        return render(500, "Something went wrong on igbot's side", f"Nothing was stored. Reference: {ref}.",
                      START_AGAIN, ok=False, back_url=services.slack_web_url)  # fmt: skip


def _handle(params: Mapping[str, str], services: Services) -> Page:
    if any(len(v) > MAX_PARAM_LENGTH for v in params.values()):
        return render(400, "This link is not valid", "The request was too long to be a real approval.",
                      START_AGAIN, ok=False)  # fmt: skip
    state = params.get("state", "")
    if not state:
        return render(
            400, "This link is incomplete", "Instagram's answer had no state.", START_AGAIN, ok=False
        )
    try:
        pending = services.states.consume(state)
    except StorageUnavailable:
        return render(503, STORAGE_DOWN, "Nothing was stored. Try the link again in a minute.", ok=False)
    if pending is None:
        title = "This link has expired or was already used"
        return render(
            400, title, "Links to connect Instagram work once, for 10 minutes.", START_AGAIN, ok=False
        )
    try:
        return _approved(state, params, pending, services)
    except StorageUnavailable:
        return _retry_page(STORAGE_DOWN, pending, state, services)


def _approved(state: str, params: Mapping[str, str], pending: PendingLink, services: Services) -> Page:
    back = _back_url(services, pending)
    if "error" in params:
        services.jobs.send(FINISH_LINK, pending.invocation, Outcome.CANCELLED.value, [])
        why = "You cancelled on Instagram, so nothing was stored."
        again = "Run /ig login in Slack when you want to try again."
        return render(200, "Instagram account not linked", why, again, ok=False, back_url=back)
    code = params.get("code", "")
    if not code:
        return render(
            400, "Instagram sent no code", "Nothing was stored.", START_AGAIN, ok=False, back_url=back
        )
    try:
        authorization = services.instagram.exchange_code(code)
    except ScopeDeclined:
        why = "Instagram granted igbot fewer permissions than it needs, so nothing was stored."
        again = "Go back to Slack, run /ig login and approve every permission igbot asks for."
        return render(400, "Instagram account not linked", why, again, ok=False, back_url=back)
    except ExchangeRejected as exc:
        log.info("code exchange rejected: %s", exc)
        why = "It may have been used already. Nothing was stored."
        return render(
            400, "Instagram did not accept this approval", why, START_AGAIN, ok=False, back_url=back
        )
    except InstagramError as exc:
        log.info("code exchange failed: %s", type(exc).__name__)
        return _retry_page("Instagram didn't answer", pending, state, services)
    if not authorization.accounts:
        services.jobs.send(FINISH_LINK, pending.invocation, Outcome.NO_ACCOUNT.value, [])
        why = services.instagram.account_facts.no_account  # the backend's words (Facebook Page...)
        return render(200, "No Instagram professional account found", why, "Nothing was stored.",
                      ok=False, back_url=back)  # fmt: skip
    return _linked(authorization, pending, services, back)


def _linked(authorization: Authorization, pending: PendingLink, services: Services, back: str) -> Page:
    who = Invocation.from_payload(pending.invocation)
    only: Account | None = authorization.accounts[0] if len(authorization.accounts) == 1 else None
    services.links.save(
        who.team_id,
        who.user_id,
        token=authorization.token,
        ig_user_id=only.id if only else "",
        ig_username=only.username if only else "",
        scope=authorization.scope,
        expires_at=authorization.expires_at,
    )
    if authorization.expires_at:
        services.reminders.schedule(who.team_id, who.user_id, authorization.expires_at)
    slack_user = f"@{who.user_name}" if who.user_name else who.user_id
    if only is None:
        services.jobs.send(
            FINISH_LINK,
            pending.invocation,
            Outcome.PICK.value,
            accounts_payload(list(authorization.accounts)),
        )
        return render(
            200,
            "Almost done: pick an account in Slack",
            services.instagram.account_facts.several_accounts.format(count=len(authorization.accounts)),
            f"Go back to Slack and pick the one Slack user {slack_user} should use.",
            ok=True,
            back_url=back,
        )
    services.jobs.send(FINISH_LINK, pending.invocation, Outcome.CONNECTED.value, accounts_payload([only]))
    return render(
        200,
        "Instagram connected",
        f"Slack user {slack_user} is now connected to Instagram account @{only.username}.",
        "If that's not who you expected, run /ig logout in Slack.",
        "You can close this tab and go back to Slack.",
        ok=True,
        back_url=back,
    )


def _retry_page(title: str, pending: PendingLink, state: str, services: Services) -> Page:
    try:
        restored = services.states.restore(state, pending)
    except StorageUnavailable:
        restored = False
    hint = "Nothing was stored. " + (
        "Go back to Slack and press the Connect Instagram button again." if restored else START_AGAIN
    )
    return render(400, title, hint, ok=False, back_url=_back_url(services, pending))
