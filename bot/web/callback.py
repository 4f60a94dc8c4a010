"""`GET /instagram/callback`: finish a link (consume state, exchange the code, store) and say so.

The Slack side (the "Connected as" message and the command the user was trying to run) happens
after the page is answered, on the background executor.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

from bot.instagram.errors import ExchangeRejected, InstagramError
from bot.instagram.models import Account, Authorization
from bot.services import Services
from bot.slack import blocks, replies
from bot.slack.commands import dispatch
from bot.slack.intents import parse
from bot.slack.invocation import Invocation
from bot.slack.responder import responder
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
    query = urlencode({"team": pending.team_id, "channel": pending.channel_id})
    return f"{services.slack_web_url}/app_redirect?{query}"


def handle_callback(params: Mapping[str, str], services: Services) -> Page:
    """Answer Instagram's redirect: success, Cancel, or one of the failures DESIGN.md lists."""
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
    if "error" in params:
        return _cancelled(pending, services)
    code = params.get("code", "")
    if not code:
        return render(400, "Instagram sent no code", "Nothing was stored.", START_AGAIN, ok=False,
                      back_url=_back_url(services, pending))  # fmt: skip
    return _exchange(state, code, pending, services)


def _exchange(state: str, code: str, pending: PendingLink, services: Services) -> Page:
    back = _back_url(services, pending)
    try:
        authorization = services.instagram.exchange_code(code)
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
        return _no_account(pending, services)
    only = authorization.accounts[0] if len(authorization.accounts) == 1 else None
    try:
        services.links.save(
            pending.team_id,
            pending.user_id,
            token=authorization.token,
            ig_user_id=only.id if only else "",
            ig_username=only.username if only else "",
            scope=authorization.scope,
            expires_at=authorization.expires_at,
        )
    except StorageUnavailable:
        return _retry_page(STORAGE_DOWN, pending, state, services)
    slack_user = f"@{pending.user_name}" if pending.user_name else pending.user_id
    if only is None:
        services.background.submit(_ask_which_account, pending, authorization, services)
        return render(
            200,
            "Almost done: pick an account in Slack",
            f"Your Facebook login manages {len(authorization.accounts)} Instagram professional accounts.",
            f"Go back to Slack and pick the one Slack user {slack_user} should use.",
            ok=True,
            back_url=back,
        )
    services.background.submit(finish_link, pending, only, services)
    return render(
        200,
        "Instagram connected",
        f"Slack user {slack_user} is now connected to Instagram account @{only.username}.",
        "If that's not who you expected, run /ig logout in Slack.",
        "You can close this tab and go back to Slack.",
        ok=True,
        back_url=back,
    )


NO_ACCOUNT = (
    "igbot found no Instagram professional (business or creator) account connected to a Facebook Page "
    "you manage. Switch your Instagram account to a professional one, connect it to your Facebook Page "
    "(Instagram: Settings > Account type and tools; or Meta Business Suite), then run /ig login again."
)


def _no_account(pending: PendingLink, services: Services) -> Page:
    services.background.submit(
        _notify, pending, replies.plain(NO_ACCOUNT.replace("/ig login", "`/ig login`"))
    )
    return render(200, "No Instagram professional account found", NO_ACCOUNT, "Nothing was stored.",
                  ok=False, back_url=_back_url(services, pending))  # fmt: skip


def _ask_which_account(pending: PendingLink, authorization: Authorization, services: Services) -> None:
    reply = responder(pending.response_url)
    reply(blocks.account_picker(list(authorization.accounts), pending.resume))


def _retry_page(title: str, pending: PendingLink, state: str, services: Services) -> Page:
    try:
        restored = services.states.restore(state, pending)
    except StorageUnavailable:
        restored = False
    hint = "Nothing was stored. " + (
        "Go back to Slack and press the Connect Instagram button again." if restored else START_AGAIN
    )
    return render(400, title, hint, ok=False, back_url=_back_url(services, pending))


def _cancelled(pending: PendingLink, services: Services) -> Page:
    text = (
        "Instagram wasn't connected: the approval was cancelled. Run `/ig login` when you want to try again."
    )
    services.background.submit(_notify, pending, replies.plain(text))
    return render(200, "Instagram account not linked", "You cancelled on Instagram, so nothing was stored.",
                  "Run /ig login in Slack when you want to try again.", ok=False,
                  back_url=_back_url(services, pending))  # fmt: skip


def _notify(pending: PendingLink, message: blocks.Message) -> None:
    responder(pending.response_url)(message)


def finish_link(pending: PendingLink, account: Account, services: Services) -> None:
    """Tell the user in Slack who is now linked, then run the command they were trying to run."""
    reply = responder(pending.response_url)
    reply(blocks.connected(pending.user_id, account.username, pending.resume))
    if pending.resume:
        invocation = Invocation(
            team_id=pending.team_id,
            user_id=pending.user_id,
            user_name=pending.user_name,
            channel_id=pending.channel_id,
            response_url=pending.response_url,
            text=pending.resume,
        )
        dispatch.run(parse(pending.resume), invocation, services, reply)
