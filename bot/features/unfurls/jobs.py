"""Link previews (unfurls) for Instagram post links pasted into Slack (``link_shared`` → ``chat.unfurl``).

The sharer's own Instagram connection reads the post, so a preview shows only what Instagram lets that
person see. A sharer without a connection gets Slack's "connect your account" prompt (``user_auth_*``)
with igbot's Connect button; after approving, the next pasted link is previewed. Posts igbot may not
show (private, deleted, or on the Graph API someone else's) get a minimal card that says why.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.jobs import JobContext, retry_later
from bot.core.links import live_link
from bot.core.queue import Job, Lane
from bot.core.services import Services
from bot.features.unfurls import blocks as unfurls
from bot.features.unfurls.blocks import Unfurl
from bot.instagram.errors import InstagramError, NotAllowed
from bot.instagram.models import Capability, Credentials
from bot.slack.errors import Transient, code_of
from bot.slack.invocation import Invocation

log = logging.getLogger(__name__)

MAX_LINKS = 5  # per message, as many as Slack sends in one event


def post_links(shared: dict[str, Any]) -> dict[str, str]:
    """The event's Instagram post links: url -> shortcode (at most `MAX_LINKS`, in order)."""
    found: dict[str, str] = {}
    links = shared.get("links")
    for item in links if isinstance(links, list) else []:
        url = str(item.get("url", "")) if isinstance(item, dict) else ""
        code = unfurls.post_shortcode(url)
        if code is not None and url not in found and len(found) < MAX_LINKS:
            found[url] = code
    return found


def _card(services: Services, creds: Credentials, url: str, code: str, *, own_only: bool) -> Unfurl:
    """One link's preview. Everyone in the channel sees it, so where Instagram can show any post (API v1)
    only a public post is shown in full: it is read without the sharer's token first, and one that only
    the sharer may see (a private account they follow) gets a card that says so."""
    error: InstagramError | None = None
    media = None
    try:
        if own_only:
            media = services.instagram.post_by_shortcode(creds, code)
        else:
            try:
                media = services.instagram.post_by_shortcode(None, code)  # what anyone may see
            except NotAllowed:
                media = None
            if media is None and services.instagram.post_by_shortcode(creds, code) is not None:
                return unfurls.preview_unavailable_card(url, unfurls.PRIVATE_FOR_CHANNEL)
    except InstagramError as exc:  # LinkRejected too: their connection is gone; /ig login renews it
        error = exc
    if media is not None:
        return unfurls.post_card(media, url)
    return unfurls.preview_unavailable_card(url, unfurls.unavailable_reason(error, own_posts_only=own_only))


def unfurl(context: JobContext, team_id: str, shared: dict[str, Any]) -> None:
    """Preview the Instagram post links of one ``link_shared`` event."""
    services = context.services
    links = post_links(shared)
    if not links:
        return
    user_id, channel_id = str(shared.get("user", "")), str(shared.get("channel", ""))
    where: dict[str, Any] = {"channel": channel_id, "ts": str(shared.get("message_ts", ""))}
    if shared.get("unfurl_id") and shared.get("source"):
        where = {"unfurl_id": str(shared["unfurl_id"]), "source": str(shared["source"])}
    own_only = Capability.PREVIEW_ANY_POST not in services.instagram.capabilities
    sharer = Invocation(team_id, user_id, "", channel_id, "", "")
    link, _ = live_link(sharer, services)
    extra: dict[str, Any] = {}
    cards: dict[str, Any] = {}
    if link is None or not link.ig_user_id:
        state = services.states.issue(
            team_id=team_id,
            user_id=user_id,
            user_name="",
            channel_id=channel_id,
            response_url="",
            resume=None,
        )
        prompt = unfurls.connect_prompt(services.instagram.authorization_url(state), own_posts_only=own_only)
        extra = {
            "user_auth_required": True,
            "user_auth_message": prompt["user_auth_message"],
            "user_auth_blocks": prompt["user_auth_blocks"],
        }
    else:
        for url, code in links.items():
            cards[url] = _card(services, link.creds, url, code, own_only=own_only)
    try:
        context.slack_for(team_id).chat_unfurl(**where, unfurls=cards, **extra)
    except Transient as exc:
        raise retry_later(f"chat.unfurl refused for now ({exc.code})") from None
    except SlackApiError as exc:
        log.info("chat.unfurl refused the previews (%s)", code_of(exc.response))


def shared_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ``link_shared`` event that `unfurl` reads (the job carries only those)."""
    wanted = ("user", "channel", "message_ts", "unfurl_id", "source", "links")
    return {k: event[k] for k in wanted if k in event}


UNFURL = Job("unfurl", unfurl, "unfurl", Lane.INTERACTIVE)
