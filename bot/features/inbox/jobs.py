"""The inbox in the worker tier: post each comment or mention once, in the right thread, and carry out
what people click (Reply, Hide, Unhide, Delete) with their own Instagram token.

Posting is idempotent: each comment (or mention) of an account is claimed in Redis before it is posted
and marked posted after (`InboxStore.claim`), so a notification Meta sends again, a comment read twice
by a poll, or a job re-run after a crash posts nothing twice; a claim left by a run that died is taken
over later. The first comment on a post opens its thread (one run at a time, under a short lock); later
ones are posted in that thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from slack_sdk.errors import SlackApiError

from bot.core import replies
from bot.core.jobs import JobContext, Later, RunLater, busy, current_job_id, final_attempt, paced, retry_later
from bot.core.queue import Job, Lane
from bot.core.services import Services
from bot.features.inbox import blocks as inbox_blocks
from bot.instagram.errors import (
    ActionRefused,
    InstagramError,
    LinkRejected,
    NotAllowed,
    PermissionMissing,
    RateLimited,
    Unavailable,
    Unconfirmed,
)
from bot.instagram.models import Capability, Comment, InboxEvent, InboxItem
from bot.slack import errors as slack_errors
from bot.slack.blocks import Message, escape
from bot.storage.inbox import Claim, Inbox, PostedComment, caption_mention_id
from bot.storage.keys import acted_key
from bot.storage.links import Link

log = logging.getLogger(__name__)

POLL_SECONDS = 60  # API v1: comments of the latest posts are read this often
POLL_POSTS = 5
PACE_MS = 1100  # a rate-limited channel gets one inbox post per this many ms (Slack: about 1 per second)
DONE_SECONDS = 3600


def event_key(event: InboxEvent) -> str:
    """What one comment or mention is called in the claims (Meta may announce it more than once)."""
    if event.kind == "comment":
        return f"c:{event.comment_id}"
    return f"m:{event.media_id}:{event.comment_id}"


def _reader(context: JobContext, inbox: Inbox) -> Link | None:
    link = context.services.links.get(inbox.team_id, inbox.owner_id)
    if (
        link is None
        or link.ig_user_id != inbox.account_id
        or (link.expires_at and link.expires_at < time.time())
    ):
        return None
    return link


def stop_and_tell(context: JobContext, inbox: Inbox, why: str) -> None:
    """Turn the inbox off and say so in its channel, once (only the run that removed it speaks)."""
    removed = context.services.inbox.remove(inbox.account_id)
    if removed is None or removed.channel_id != inbox.channel_id:
        return
    text = (
        f":pause_button: The inbox of *@{escape(inbox.username)}* stopped: {why}. "
        f"<@{inbox.owner_id}>, run `/ig login` and then `/ig inbox` here to turn it on again."
    )
    context.tell(inbox.team_id, inbox.channel_id, text, about="a channel that its inbox stopped")


def _open(context: JobContext, account_id: str) -> tuple[Inbox, Link] | None:
    """The account's inbox and the link that reads it; None when there is no inbox, or when its owner's
    link is gone (the inbox is then stopped and its channel told)."""
    inbox = context.services.inbox.get(account_id)
    if inbox is None:
        return None
    link = _reader(context, inbox)
    if link is None:
        stop_and_tell(context, inbox, f"<@{inbox.owner_id}>'s Instagram connection is gone")
        return None
    return inbox, link


def deliver(context: JobContext, account_id: str, event: InboxEvent) -> None:
    """Post the comment or mention ``event`` (from a webhook) into the account's inbox channel."""
    opened = _open(context, account_id)
    if opened is None:
        return
    inbox, link = opened
    key = event_key(event)
    if not _claim(context, inbox, key):
        return
    try:
        item = context.services.instagram.inbox_item(link.creds, event)
    except LinkRejected:
        context.services.inbox.release(account_id, key)
        stop_and_tell(context, inbox, f"Instagram refused <@{inbox.owner_id}>'s connection")
        return
    except (Unavailable, RateLimited) as exc:
        context.services.inbox.release(account_id, key)
        if final_attempt():
            log.warning(
                "an inbox notification was dropped: Instagram did not answer (%s)", type(exc).__name__
            )
            return
        raise retry_later(f"Instagram did not answer ({type(exc).__name__})") from None
    except InstagramError as exc:  # gone, or not ours to read: nothing to post
        log.info("an inbox notification could not be read back (%s)", type(exc).__name__)
        context.services.inbox.posted(account_id, key)
        return
    if item is None:
        context.services.inbox.posted(account_id, key)
        return
    _post_item(context, inbox, key, item)


def poll(context: JobContext, account_id: str) -> None:
    """Read the comments of the account's latest posts (APIs without push) and post the new ones; a post
    Instagram will not show is skipped (the backend logs it), the others are posted in the same read."""
    opened = _open(context, account_id)
    if opened is None:
        return
    inbox, link = opened
    try:
        items = context.services.instagram.new_comments(link.creds, POLL_POSTS)
    except LinkRejected:
        stop_and_tell(context, inbox, f"Instagram refused <@{inbox.owner_id}>'s connection")
        return
    except (Unavailable, RateLimited) as exc:  # the next poll reads them: nothing is lost
        log.info("inbox read skipped: Instagram did not answer (%s)", type(exc).__name__)
        return
    except InstagramError as exc:  # the listing itself refused; one post that fails is skipped inside
        log.info("inbox read skipped: Instagram refused the read (%s)", type(exc).__name__)
        return
    for item in items:
        if item.comment is None or (item.comment.posted_at and item.comment.posted_at < inbox.since):
            continue
        key = f"c:{item.comment.id}"
        if _claim(context, inbox, key, wait=False):
            try:
                _post_item(context, inbox, key, item)
            except RunLater as later:
                if later.why is not Later.PACED:
                    raise
                log.info(
                    "inbox read stopped early: Slack is rate limiting the channel"
                )  # the next read posts the rest
                return


def _claim(context: JobContext, inbox: Inbox, key: str, *, wait: bool = True) -> bool:
    claim = context.services.inbox.claim(inbox.account_id, key)
    if claim is Claim.BUSY and wait:  # retried for longer than a dead run's claim lives (60 s)
        raise busy("another run is posting this comment", delay_ms=8000)
    return claim is Claim.CLAIMED


def _post_item(context: JobContext, inbox: Inbox, key: str, item: InboxItem) -> None:
    """Post one claimed item; the claim is given back when Slack did not take it."""
    store = context.services.inbox
    try:
        posted = _post_in_thread(context, inbox, item)
    except _Dropped:  # the inbox was stopped: a later inbox may still post it
        store.release(inbox.account_id, key)
        return
    except BaseException:
        store.release(inbox.account_id, key)
        raise
    if posted is not None:
        store.save_comment(posted)
    store.posted(inbox.account_id, key)


def _render(inbox: Inbox, item: InboxItem, can_hide: bool) -> tuple[Message, PostedComment | None]:
    media, comment = item.media, item.comment
    if comment is None and not media.id:  # cannot be answered without its post's id
        message = inbox_blocks.mention_message(
            account=inbox.username,
            username=media.author,
            caption=media.caption,
            link=media.link,
            image_url=media.image_url,
        )
        return message, None
    posted = PostedComment(
        comment_id=comment.id if comment else caption_mention_id(media.id),
        account_id=inbox.account_id,
        account=inbox.username,
        media_id=media.id or (comment.media_id if comment else ""),
        team_id=inbox.team_id,
        channel_id=inbox.channel_id,
        ts="",
        thread_ts="",
        username=comment.username if comment else media.author,
        text=comment.text if comment else media.caption,
        parent_id=comment.parent_id if comment else "",
        kind=item.kind if comment else "caption",
        link=media.link,
        image_url=media.image_url,
        state="hidden" if comment and comment.hidden else "shown",
    )
    return render_posted(posted, can_hide), posted


def render_posted(posted: PostedComment, can_hide: bool) -> Message:
    """A posted comment's (or mention's) message in its current state."""
    if posted.kind == "caption":
        return inbox_blocks.mention_message(
            account=posted.account,
            username=posted.username,
            caption=posted.text,
            link=posted.link,
            image_url=posted.image_url,
            reply_id=posted.comment_id,
        )
    return inbox_blocks.comment_message(
        comment_id=posted.comment_id,
        account=posted.account,
        username=posted.username,
        text=posted.text,
        link=posted.link,
        image_url=posted.image_url,
        kind=posted.kind,
        state=posted.state,
        changed_by=posted.changed_by,
        can_hide=can_hide,
    )


def _post_in_thread(context: JobContext, inbox: Inbox, item: InboxItem) -> PostedComment | None:
    store = context.services.inbox
    can_hide = Capability.HIDE_COMMENTS in context.services.instagram.capabilities
    message, posted = _render(inbox, item, can_hide)
    media_id = item.media.id or (item.comment.media_id if item.comment else "")
    threaded = item.kind == "comment" and bool(media_id)
    thread_ts = store.thread(inbox.team_id, inbox.channel_id, media_id) if threaded else ""
    lock = None
    if threaded and not thread_ts:
        lock = store.lock_thread(inbox.team_id, inbox.channel_id, media_id)
        if lock is None:  # another comment is opening this post's thread: wait for it, not a failure
            raise paced(500)
        thread_ts = store.thread(inbox.team_id, inbox.channel_id, media_id)  # opened meanwhile?
    try:
        ts = _post(context, inbox, message, thread_ts)
        if lock is not None and not thread_ts:
            store.open_thread(inbox.team_id, inbox.channel_id, media_id, ts, lock)
            lock = None
    finally:
        if lock is not None:
            store.unlock_thread(inbox.team_id, inbox.channel_id, media_id, lock)
    if posted is None:
        return None
    return replace(posted, ts=ts, thread_ts=thread_ts)


def _post(context: JobContext, inbox: Inbox, message: Message, thread_ts: str) -> str:
    # A rate-limited post is paced (a fresh job at the channel's next slot), not waited out in a thread.
    slack = context.slack_for(inbox.team_id, paced=True)
    try:
        answer = slack.chat_postMessage(
            channel=inbox.channel_id,
            text=message["text"],
            blocks=message.get("blocks"),
            thread_ts=thread_ts or None,
            unfurl_links=False,
            unfurl_media=False,
        )
    except slack_errors.CANNOT_POST as exc:
        stop_and_tell_owner(context, inbox, archived=isinstance(exc, slack_errors.ChannelArchived))
        raise _Dropped() from None
    except slack_errors.WorkspaceGone as exc:  # nobody there can be told
        context.services.inbox.remove(inbox.account_id)
        log.info("stopped the inbox of a workspace igbot can't post in (%s)", exc.code)
        raise _Dropped() from None
    except slack_errors.RateLimited as exc:
        step = max(int(exc.retry_after * 1000), PACE_MS)
        delay = context.services.inbox.reserve_slot(inbox.team_id, inbox.channel_id, PACE_MS)
        raise paced(max(delay, step)) from None
    except SlackApiError as exc:
        raise retry_later(f"Slack refused an inbox post ({slack_errors.code_of(exc.response)})") from None
    return str(answer.get("ts") or "")


class _Dropped(Exception):
    """The channel cannot take the inbox any more (it was stopped and its owner told)."""


def stop_and_tell_owner(context: JobContext, inbox: Inbox, *, archived: bool) -> None:
    """The channel is gone for igbot (``archived``, or igbot is out of it): turn the inbox off and tell its
    owner privately."""
    if context.services.inbox.remove(inbox.account_id) is None:
        return
    why = "the channel was archived" if archived else "igbot is not in that channel any more"
    text = (
        f":pause_button: The inbox of *@{escape(inbox.username)}* in <#{inbox.channel_id}> stopped: {why}. "
        "Invite igbot there again (`/invite @igbot`) and run `/ig inbox` there to turn it on."
    )
    context.tell(inbox.team_id, inbox.owner_id, text, about="an inbox owner that it stopped")


# --- what people click ----------------------------------------------------------------------------

NO_ACCESS = (
    "Only people whose igbot connection is *@{account}* can act on its comments. "
    "Run `/ig login` and connect *@{account}*{how}, then try again."
)
EXPIRED = "Your Instagram connection has expired."
UNCONFIRMED = (
    "Instagram didn't confirm in time, so it may or may not have happened. "
    "Check the post on Instagram before trying again."
)
GONE = "igbot doesn't know that comment any more (it is older than 30 days, or its inbox was turned off)."


def _say(context: JobContext, team_id: str, channel_id: str, user_id: str, text: str) -> None:
    try:
        context.slack_for(team_id).chat_postEphemeral(channel=channel_id, user=user_id, text=text)
    except SlackApiError as exc:
        log.info("could not answer an inbox click privately (%s)", slack_errors.code_of(exc.response))


def acting_link(services: Services, team_id: str, user_id: str, posted: PostedComment) -> Link | None:
    """The clicker's link when it is to the comment's account (only they may act on it), else None."""
    link = services.links.get(team_id, user_id)
    return link if link is not None and link.ig_user_id == posted.account_id else None


def no_access(services: Services, posted: PostedComment) -> str:
    """What someone who may not act on ``posted`` is told: how to get access."""
    inbox = services.inbox.get(posted.account_id)
    account = escape(inbox.username if inbox else posted.account or "the account")
    return NO_ACCESS.format(account=account, how=services.instagram.account_facts.inbox_access_how)


def _actor_link(context: JobContext, team_id: str, user_id: str, posted: PostedComment) -> Link | None:
    """The clicker's link when it is to the inbox's account; otherwise they are told how to get access."""
    link = acting_link(context.services, team_id, user_id, posted)
    if link is None:
        _say(context, team_id, posted.channel_id, user_id, no_access(context.services, posted))
    return link


ACTION_VERBS = {"reply": "replied", "hide": "hidden", "unhide": "unhidden", "delete": "deleted"}


def act(
    context: JobContext, team_id: str, user_id: str, comment_id: str, action: str, text: str = ""
) -> None:
    """Carry out Reply (with ``text``), Hide, Unhide or Delete as ``user_id``, then record it."""
    store = context.services.inbox
    posted = store.comment(comment_id)
    if posted is None:
        _say_where(context, team_id, user_id, GONE)
        return
    link = _actor_link(context, team_id, user_id, posted)
    if link is None:
        return
    done = acted_key(current_job_id())
    if context.redis.get(done):
        return  # this job already did it (a re-run after a crash)
    comment = Comment(
        id=posted.comment_id,
        media_id=posted.media_id,
        text=posted.text,
        username=posted.username,
        parent_id=posted.parent_id,
    )
    instagram = context.services.instagram
    try:
        if action == "reply" and posted.kind in ("mention", "caption"):  # Meta's way to answer a mention
            mentioning = posted.comment_id if posted.kind == "mention" else ""
            instagram.reply_to_mention(link.creds, posted.media_id, mentioning, text)
        elif action == "reply":
            instagram.reply_to_comment(link.creds, comment, text)
        elif posted.kind != "comment":  # a mention is someone else's to moderate: it is only answered
            return
        elif action in ("hide", "unhide"):
            if Capability.HIDE_COMMENTS not in instagram.capabilities:
                _say(context, team_id, posted.channel_id, user_id, "This Instagram API can't hide comments.")
                return
            instagram.hide_comment(link.creds, comment, action == "hide")
        elif action == "delete":
            instagram.delete_comment(link.creds, comment)
        else:
            return
    except (Unavailable, RateLimited) as exc:
        if not final_attempt() and isinstance(exc, Unavailable):
            raise retry_later(f"Instagram did not answer ({type(exc).__name__})") from None
        why = "Instagram is limiting requests" if isinstance(exc, RateLimited) else "Instagram didn't answer"
        _say(
            context,
            team_id,
            posted.channel_id,
            user_id,
            f"{why}; nothing was changed. Try again in a few minutes.",
        )
        return
    except Unconfirmed:
        _say(
            context,
            team_id,
            posted.channel_id,
            user_id,
            UNCONFIRMED,
        )
        return
    except ActionRefused as refused:
        _say(
            context,
            team_id,
            posted.channel_id,
            user_id,
            f"Instagram refused that: {escape(refused.reason)}. Nothing was changed.",
        )
        return
    except NotAllowed:
        _say(
            context,
            team_id,
            posted.channel_id,
            user_id,
            context.services.instagram.account_facts.moderation_refused,
        )
        return
    except LinkRejected as rejected:
        context.services.links.delete_if_token(team_id, user_id, link.creds.fingerprint)
        why = replies.NEEDS_PERMISSION if isinstance(rejected, PermissionMissing) else EXPIRED
        _say(context, team_id, posted.channel_id, user_id, f"{why} Run `/ig login`, then try again.")
        return
    except InstagramError as exc:
        log.info("an inbox action failed (%s)", type(exc).__name__)
        _say(context, team_id, posted.channel_id, user_id, "Instagram refused that. Nothing was changed.")
        return
    context.redis.set(done, "1", ex=DONE_SECONDS)
    _record(context, posted, user_id, action, text)


def _say_where(context: JobContext, team_id: str, user_id: str, text: str) -> None:
    context.tell(team_id, user_id, text, about="the clicker of an inbox button")


def _record(context: JobContext, posted: PostedComment, user_id: str, action: str, text: str) -> None:
    """Update the comment's message and note the action in the thread."""
    store = context.services.inbox
    can_hide = Capability.HIDE_COMMENTS in context.services.instagram.capabilities
    state = {"hide": "hidden", "unhide": "shown", "delete": "deleted"}.get(action, posted.state)
    changed = replace(posted, state=state, changed_by=user_id if action in ("hide", "delete") else "")
    inbox = store.get(posted.account_id)
    if inbox is not None:
        store.save_comment(changed)
    thread = posted.thread_ts or posted.ts
    note = inbox_blocks.thread_note(user_id, ACTION_VERBS[action], text if action == "reply" else "")
    slack = context.slack_for(posted.team_id)
    try:
        if action != "reply" and posted.ts:
            message = render_posted(changed, can_hide)
            slack.chat_update(
                channel=posted.channel_id, ts=posted.ts, text=message["text"], blocks=message.get("blocks")
            )
        slack.chat_postMessage(
            channel=posted.channel_id, text=note["text"], blocks=note.get("blocks"), thread_ts=thread or None
        )
    except SlackApiError as exc:
        log.info("could not record an inbox action in Slack (%s)", slack_errors.code_of(exc.response))


def deliver_item(context: JobContext, account_id: str, kind: str, media_id: str, comment_id: str) -> None:
    """`deliver` as a job: the comment or mention a webhook announced, by its ids."""
    event = InboxEvent(kind=kind, account_id=account_id, media_id=media_id, comment_id=comment_id)
    deliver(context, account_id, event)


DELIVER_INBOX = Job("deliver_inbox", deliver_item, "inbox")
POLL_INBOX = Job("poll_inbox", poll, "inbox read")
INBOX_ACTION = Job("inbox_action", act, "inbox action", Lane.INTERACTIVE)
