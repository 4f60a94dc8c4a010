"""igbot's Dramatiq actors. Every process declares them on its broker; only workers run them.

The web tier calls ``.send`` (one Redis round trip); a worker process sets the `JobContext` the
bodies need. Bodies never raise except `dramatiq.Retry` for a transient failure: everything else is
answered to the user (or logged, for scheduled work), so Dramatiq never logs a job's arguments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from bot.instagram.models import Account, InboxEvent
from bot.jobs import feeds, home, inbox, reminders, unfurl, uninstall
from bot.jobs.broker import BACKGROUND, INTERACTIVE, RESPONSE_URL_LIFETIME_MS
from bot.jobs.context import JobContext, final_attempt, retry_later
from bot.linking.outcomes import Outcome, choose_account, deliver
from bot.slack.commands import dispatch
from bot.slack.intents import parse
from bot.slack.invocation import Invocation
from bot.storage import StorageUnavailable
from bot.storage.errors import redis_errors

log = logging.getLogger(__name__)


class ContextHolder:
    """Where a worker process puts its `JobContext`; the web tier never sets one."""

    def __init__(self) -> None:
        self.context: JobContext | None = None

    def get(self) -> JobContext:
        """The worker's context (a job cannot run outside a worker)."""
        if self.context is None:
            raise RuntimeError("igbot jobs run only in a worker process (igbot worker)")
        return self.context


@dataclass(frozen=True)
class Actors:
    """The actors of one broker."""

    run_command: dramatiq.Actor[..., None]
    finish_link: dramatiq.Actor[..., None]
    pick_account: dramatiq.Actor[..., None]
    remind: dramatiq.Actor[..., None]
    deliver_feed: dramatiq.Actor[..., None]
    deliver_inbox: dramatiq.Actor[..., None]
    poll_inbox: dramatiq.Actor[..., None]
    inbox_action: dramatiq.Actor[..., None]
    publish_home: dramatiq.Actor[..., None]
    home_action: dramatiq.Actor[..., None]
    unfurl: dramatiq.Actor[..., None]
    forget_team: dramatiq.Actor[..., None]


def _guarded(context: JobContext, what: str, work: Callable[[], None]) -> None:
    """Run a job body: transient failures become a retry, anything else is logged once, without arguments."""
    try:
        work()
    except StorageUnavailable as exc:
        _wait_for_storage(context.redis)  # a retry must be queued in Redis: give it a moment to come back
        raise retry_later(f"storage unavailable ({exc})") from None
    except dramatiq.Retry:
        raise
    except Exception as exc:
        if dispatch.is_transient(exc) and not final_attempt():
            raise retry_later(type(exc).__name__) from None
        log.exception("%s job failed", what)


STORAGE_WAIT_SECONDS = 20.0


def _wait_for_storage(client: redis.Redis) -> None:
    """Block (bounded) until Redis answers again, so that the job's retry can be queued there."""
    deadline = time.monotonic() + STORAGE_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            client.ping()
            return
        except (redis.RedisError, OSError):
            time.sleep(0.5)  # waiting for Redis to come back, bounded by the deadline


def declare_actors(broker: RedisBroker, holder: ContextHolder) -> Actors:
    """Declare igbot's actors on ``broker``; their bodies use the context ``holder`` gets in a worker."""

    def run_command(payload: dict[str, Any]) -> None:
        context = holder.get()
        invocation = Invocation.from_payload(payload)

        def work() -> None:
            reply = context.reply_once(invocation)
            intent = parse(invocation.text)
            dispatch.run(intent, invocation, context.services, reply, final_attempt=final_attempt())

        _guarded(context, "command", work)

    def finish_link(payload: dict[str, Any], outcome: str, accounts: list[dict[str, str]]) -> None:
        context = holder.get()
        invocation = Invocation.from_payload(payload)
        found = [Account(id=str(a.get("id", "")), username=str(a.get("username", ""))) for a in accounts]

        def work() -> None:
            reply = context.reply_once(invocation)
            deliver(
                Outcome(outcome), invocation, found, context.services, reply, final_attempt=final_attempt()
            )

        _guarded(context, "link", work)

    def pick_account(payload: dict[str, Any], chosen: str) -> None:
        context = holder.get()
        invocation = Invocation.from_payload(payload)

        def work() -> None:
            reply = context.reply_once(invocation)
            choose_account(invocation, chosen, context.services, reply, final_attempt=final_attempt())

        _guarded(context, "account choice", work)

    def remind(team_id: str, user_id: str, kind: str, expires_at: int) -> None:
        context = holder.get()
        _guarded(context, "reminder", lambda: reminders.remind(context, team_id, user_id, kind, expires_at))

    def deliver_feed(target: str) -> None:
        context = holder.get()
        _guarded(context, "feed", lambda: feeds.deliver(context, target))

    def deliver_inbox(account_id: str, kind: str, media_id: str, comment_id: str) -> None:
        context = holder.get()
        event = InboxEvent(kind=kind, account_id=account_id, media_id=media_id, comment_id=comment_id)

        def work() -> None:
            try:
                inbox.deliver(context, account_id, event)
            except inbox.Paced as paced:  # a fresh job at the channel's next slot: pacing is not a failure
                with redis_errors():
                    declared[0].deliver_inbox.send_with_options(
                        args=(account_id, kind, media_id, comment_id), delay=paced.delay_ms
                    )

        _guarded(context, "inbox", work)

    def poll_inbox(account_id: str) -> None:
        context = holder.get()
        _guarded(context, "inbox read", lambda: inbox.poll(context, account_id))

    def inbox_action(team_id: str, user_id: str, comment_id: str, action: str, text: str) -> None:
        context = holder.get()
        _guarded(
            context, "inbox action", lambda: inbox.act(context, team_id, user_id, comment_id, action, text)
        )

    def publish_home(team_id: str, user_id: str, channel_id: str) -> None:
        context = holder.get()
        _guarded(context, "app home", lambda: home.publish(context, team_id, user_id, channel_id))

    def home_action(team_id: str, user_id: str, action: str, value: str) -> None:
        context = holder.get()
        _guarded(context, "app home button", lambda: home.act(context, team_id, user_id, action, value))

    def unfurl_links(team_id: str, shared: dict[str, Any]) -> None:
        context = holder.get()
        _guarded(context, "unfurl", lambda: unfurl.unfurl(context, team_id, shared))

    def forget_team(team_id: str, since: float | None = None) -> None:
        context = holder.get()
        _guarded(context, "uninstall", lambda: uninstall.forget_team(context, team_id, since))

    def interactive(name: str) -> Callable[[Callable[..., None]], dramatiq.Actor[..., None]]:
        return dramatiq.actor(
            actor_name=name, queue_name=INTERACTIVE, broker=broker, max_age=RESPONSE_URL_LIFETIME_MS
        )

    declared: list[Actors] = []  # the actors' own bodies re-send a paced job
    actors = Actors(
        run_command=interactive("run_command")(run_command),
        finish_link=interactive("finish_link")(finish_link),
        pick_account=interactive("pick_account")(pick_account),
        remind=dramatiq.actor(actor_name="remind", queue_name=BACKGROUND, broker=broker)(remind),
        deliver_feed=dramatiq.actor(actor_name="deliver_feed", queue_name=BACKGROUND, broker=broker)(
            deliver_feed
        ),
        deliver_inbox=dramatiq.actor(actor_name="deliver_inbox", queue_name=BACKGROUND, broker=broker)(
            deliver_inbox
        ),
        poll_inbox=dramatiq.actor(actor_name="poll_inbox", queue_name=BACKGROUND, broker=broker)(poll_inbox),
        inbox_action=interactive("inbox_action")(inbox_action),
        publish_home=interactive("publish_home")(publish_home),
        home_action=interactive("home_action")(home_action),
        unfurl=interactive("unfurl")(unfurl_links),
        forget_team=dramatiq.actor(actor_name="forget_team", queue_name=BACKGROUND, broker=broker)(
            forget_team
        ),
    )
    declared.append(actors)
    return actors
