"""One table from a failure to what the person reads (docs/interfaces.md, "Behaviour under failure").

Commands, buttons and resumed commands all answer a failure through `report_failure`; `is_transient` is
the one test for a failure worth running the job again for instead of answering it.
"""

from __future__ import annotations

import logging
import secrets

from bot.core import replies
from bot.core.links import relink_after_rejection
from bot.core.services import Services
from bot.instagram.errors import LinkRejected, NotAllowed, NotFound, RateLimited, Unavailable, Unconfirmed
from bot.slack.blocks import Message
from bot.slack.invocation import Invocation, Reply
from bot.slack.responder import SlackUnreachable
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass by itself: worth running the job again instead of answering it."""
    return isinstance(exc, (Unavailable, SlackUnreachable))


def failure_message(exc: Exception, username: str = "") -> Message:
    """What the person reads about ``exc`` (any failure but a rejected link, which `report_failure`
    answers with a new login button). An unexpected one is logged with a reference they can quote."""
    if isinstance(exc, StorageUnavailable):
        return replies.plain(replies.STORAGE_DOWN)
    if isinstance(exc, RateLimited):
        return replies.rate_limited(exc.retry_after_minutes)
    if isinstance(exc, NotFound):
        return replies.not_found(username or exc.username, exc.hint)
    if isinstance(exc, NotAllowed):
        return replies.plain(replies.NOT_ALLOWED)
    if isinstance(exc, Unconfirmed):
        return replies.plain(replies.UNCONFIRMED.format(username=username or "<username>"))
    if isinstance(exc, Unavailable):
        log.info("Instagram unavailable: %s", exc)
        return replies.plain(replies.INSTAGRAM_DOWN)
    ref = secrets.token_hex(4)
    log.error("command failed (ref %s)", ref, exc_info=exc)
    return replies.plain(replies.UNEXPECTED.format(ref=ref))


def report_failure(
    exc: Exception, invocation: Invocation, services: Services, reply: Reply, username: str = ""
) -> None:
    """Tell the user what went wrong and what to do next. A token Instagram rejected is forgotten and
    the login button offered (compare-and-delete: a link the user made again meanwhile is kept)."""
    if isinstance(exc, LinkRejected):
        try:
            relink_after_rejection(exc, invocation, services, reply)
        except StorageUnavailable:
            reply(replies.plain(replies.STORAGE_DOWN))
        return
    reply(failure_message(exc, username))
