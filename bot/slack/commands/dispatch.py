"""Run one intent for one invocation and turn every failure into the message docs/interfaces.md promises."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from bot.instagram.errors import (
    LinkRejected,
    NotAllowed,
    NotFound,
    RateLimited,
    Unavailable,
    Unconfirmed,
)
from bot.services import Services
from bot.slack import replies
from bot.slack.commands import (
    follow,
    inbox,
    login,
    logout,
    me,
    photo_map,
    popular,
    profile,
    recent,
    subscribe,
)
from bot.slack.intents import (
    Follow,
    Inbox,
    Intent,
    Login,
    Logout,
    MapOf,
    Me,
    Popular,
    Profile,
    Recent,
    Subscribe,
    Subscriptions,
    Unfollow,
    Unsubscribe,
)
from bot.slack.invocation import Invocation, Reply
from bot.slack.responder import SlackUnreachable
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

Handler = Callable[[Intent, Invocation, Services, Reply], None]
HANDLERS: dict[type, Handler] = {
    Login: login.run_login,
    Logout: logout.run_logout,
    Me: me.run_me,
    Follow: follow.run_follow,
    Unfollow: follow.run_unfollow,
    Profile: profile.run_profile,
    Subscribe: subscribe.run_subscribe,
    Unsubscribe: subscribe.run_unsubscribe,
    Subscriptions: subscribe.run_subscriptions,
    Popular: popular.run_popular,
    Recent: recent.run_recent,
    Inbox: inbox.run_inbox,
    MapOf: photo_map.run_map,
}


def run(
    intent: Intent, invocation: Invocation, services: Services, reply: Reply, *, final_attempt: bool = True
) -> None:
    """Handle ``intent``; the user always gets an answer, even when storage or Instagram fail.

    Unless this is the ``final_attempt``, a transient failure (Instagram or Slack unreachable) is
    raised instead of answered, so that the job runs again later (`bot.jobs`).
    """
    handler = HANDLERS.get(type(intent))
    if handler is None:
        log.warning("no handler for a %s intent", type(intent).__name__)
        reply(replies.plain(replies.CANNOT_FINISH))
        return
    try:
        handler(intent, invocation, services, reply)
    except SlackUnreachable:
        if not final_attempt:
            raise
        log.warning("Slack could not be reached; the answer was not delivered")
    except Unavailable:
        if not final_attempt:
            raise
        report_failure(Unavailable("after retries"), invocation, services, reply)
    except Exception as exc:
        report_failure(exc, invocation, services, reply, getattr(intent, "username", ""))


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass by itself: worth running the job again instead of answering it."""
    return isinstance(exc, (Unavailable, SlackUnreachable))


def report_failure(
    exc: Exception, invocation: Invocation, services: Services, reply: Reply, username: str = ""
) -> None:
    """Tell the user what went wrong and what to do next (docs/interfaces.md, "Behaviour under failure")."""
    try:
        raise exc
    except StorageUnavailable:
        reply(replies.plain(replies.STORAGE_DOWN))
    except LinkRejected as failure:
        try:  # compare-and-delete: a link the user made again meanwhile is kept
            login.relink_after_rejection(failure, invocation, services, reply)
        except StorageUnavailable:
            reply(replies.plain(replies.STORAGE_DOWN))
    except RateLimited as failure:
        reply(replies.rate_limited(failure.retry_after_minutes))
    except NotFound as failure:
        reply(replies.not_found(username or failure.username, failure.hint))
    except NotAllowed:
        reply(replies.plain(replies.NOT_ALLOWED))
    except Unconfirmed:
        reply(replies.plain(replies.UNCONFIRMED.format(username=username or "<username>")))
    except Unavailable as failure:
        log.info("Instagram unavailable: %s", failure)
        reply(replies.plain(replies.INSTAGRAM_DOWN))
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("command failed (ref %s)", ref)
        reply(replies.plain(replies.UNEXPECTED.format(ref=ref)))
