"""The Web API methods the bot uses, each a function from a decoded request to Slack's answer.

``chat.postMessage`` answers as Slack documents it (its method reference and the errors tables copied
into slack-ruby/slack-api-ref and the Elixir slack packages): ``channel_not_found`` ("Value passed for
channel was invalid": unknown, or a private channel or DM the bot is not in), ``is_archived`` ("Channel
has been archived"), ``not_in_channel`` ("Cannot post user messages to a channel they are not in": a
public channel the bot has not joined, unless its token has ``chat:write.public``, "Send messages to
channels your Slack app isn't a member of", docs.slack.dev/reference/scopes/chat:write.public), and
HTTP 429 ``ratelimited`` with ``Retry-After`` beyond the per-channel posting rate (`ratelimit`).
``chat.postEphemeral`` also refuses an archived channel with ``is_archived``.

Threads: ``chat.postMessage`` (and ``chat.postEphemeral``) take ``thread_ts`` and ``reply_broadcast``.
A ``thread_ts`` that is not a timestamp answers ``invalid_thread_ts`` ("[ERROR] 0 is not a valid
thread_ts", seen in jenkinsci/slack-plugin#584). One shaped like a timestamp but naming no message of
that channel is accepted as Slack does (``ok: true``; python-slack-sdk#840: such replies "respond with
Ok" and are "nowhere to be seen in the channel"): the reply is recorded with that ``thread_ts`` and a
warning ``thread_not_found``, and no channel view shows it. A ``thread_ts`` naming a reply files the
new message in that reply's thread [U: Slack's docs say to use the parent's ts; we follow the parent].
``chat.update`` keeps a message's ``thread_ts`` and broadcast flag.

Views: ``views.open`` exchanges a ``trigger_id`` (views.py) and opens the view (validated by
blockkit.check_view, else ``invalid_arguments`` with ``response_metadata.messages``) for the user
who caused the trigger; ``views.update`` replaces an open view by ``view_id`` or ``external_id``
(``not_found``; ``hash_conflict`` when a given ``hash`` is not the current one).

App Home: ``views.publish`` stores the user's home view (home.py), checked like a modal but with
``type: home`` (``invalid_arguments``); a missing or unknown ``user_id`` answers ``invalid_arguments``
with ``invalid `user_id``` as in Slack's reference example; a stale ``hash`` ``hash_conflict``.

``chat.unfurl`` (unfurls.py) needs ``links:write`` (``missing_scope`` with ``needed``/``provided``,
as Slack answers), names the message by ``channel`` + ``ts`` or ``unfurl_id`` + ``source``
(``cannot_find_message`` when neither names a message whose links were shared with the app), takes
``unfurls`` as a JSON object URL -> attachment (``missing_unfurls``, ``invalid_unfurls_format``,
``cannot_parse_attachment`` for a non-object value, ``invalid_blocks`` for bad blocks in one,
``cannot_unfurl_url`` for a URL not shared with the app) and ``user_auth_required`` /
``user_auth_message`` / ``user_auth_url`` / ``user_auth_blocks`` (an ephemeral prompt for the sharer).

``auth.revoke`` revokes the calling token (``test=true``: only says it would); ``apps.connections.open``
takes the app-level token and answers the Socket Mode URL (``socket_mode_not_enabled`` [U: our own
code] when no Socket Mode hub is attached to the sandbox).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from igbot_sandboxes.slack.blockkit import Validation, check_message, check_view
from igbot_sandboxes.slack.images import ImageCheck
from igbot_sandboxes.slack.messages import RecordedMessage, Source
from igbot_sandboxes.slack.ratelimit import PostRateLimiter
from igbot_sandboxes.slack.recorder import Recorder
from igbot_sandboxes.slack.unfurls import AuthPrompt, SharedMessage
from igbot_sandboxes.slack.views import TriggerIds, Views
from igbot_sandboxes.slack.workspace import BotIdentity, Channel, Workspace

_TS = re.compile(r"^\d{9,}\.\d{1,6}$")


class ApiError(Exception):
    """A Slack error answer: ``{"ok": false, "error": error, **extra}``, HTTP ``status`` (200 but for
    rate limits and outages) with ``headers``."""

    def __init__(
        self, error: str, *, status: int = 200, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.extra = extra


@dataclass(frozen=True)
class ApiRequest:
    """One authenticated call: its arguments, the bot the token acts as, and the shared state."""

    params: dict[str, Any]
    bot: BotIdentity
    workspace: Workspace
    recorder: Recorder
    images: ImageCheck
    scopes: frozenset[str] = frozenset()
    post_limits: PostRateLimiter | None = None
    views: Views = field(default_factory=Views)
    triggers: TriggerIds | None = None
    token_kind: str = "bot"  # noqa: S105  # a kind of token, not a secret
    extras: dict[str, Any] = field(default_factory=dict)

    def arg(self, name: str, missing_error: str) -> str:
        """A required string argument, or the Slack error for its absence."""
        value = self.params.get(name)
        if value is None or value == "":
            raise ApiError(missing_error)
        return str(value)


def auth_test(req: ApiRequest) -> dict[str, Any]:
    """`auth.test`: who the token is."""
    team = req.workspace.teams[req.bot.team_id]
    user = req.workspace.user(req.bot.team_id, req.bot.user_id)
    answer: dict[str, Any] = {
        "url": f"https://{team.domain}.slack.com/",
        "team": team.name,
        "user": user.name if user else req.bot.user_id,
        "team_id": team.id,
        "user_id": req.bot.user_id,
        "is_enterprise_install": req.bot.is_enterprise_install,
    }
    if not req.bot.user_token:
        answer["bot_id"] = req.bot.bot_id  # a user token's auth.test has no bot_id
    if req.bot.enterprise_id:
        answer["enterprise_id"] = req.bot.enterprise_id
    return answer


def auth_revoke(req: ApiRequest) -> dict[str, Any]:
    """`auth.revoke`: the calling token stops working (``token_revoked``); ``test`` only pretends."""
    if _flag(req.params.get("test")):
        return {"revoked": False}
    installs = req.extras.get("installs")
    revoked = bool(installs.revoke(req.bot.token)) if installs is not None else False
    if installs is None:
        req.workspace.remove_token(req.bot.token)
        revoked = True
    return {"revoked": revoked}


def apps_connections_open(req: ApiRequest) -> dict[str, Any]:
    """`apps.connections.open` (app-level token only): a WebSocket URL for Socket Mode."""
    socket = req.extras.get("socket")
    if socket is None:
        raise ApiError("socket_mode_not_enabled")
    return {"url": str(socket.open_url())}


def views_publish(req: ApiRequest) -> dict[str, Any]:
    """`views.publish`: store the home view of ``user_id`` (validated like a modal, ``type: home``)."""
    user_id = req.params.get("user_id")
    if not user_id:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: user_id"]}
        )
    if req.workspace.user(req.bot.team_id, str(user_id)) is None:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["invalid `user_id`"]})
    view = req.params.get("view")
    if view is None or view == "":
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
        )
    problems = check_view(view, kind="home")
    if problems:
        raise ApiError("invalid_arguments", response_metadata={"messages": problems})
    assert isinstance(view, dict)
    homes = req.extras.get("home")
    if homes is None:
        raise ApiError("not_enabled")
    try:
        home = homes.publish(req.bot.team_id, str(user_id), view, req.params.get("hash") or None)
    except ValueError as err:
        raise ApiError(str(err)) from err
    return {"view": home.view}


def _unfurls_arg(req: ApiRequest, shared_urls: set[str]) -> dict[str, Any]:
    raw = req.params.get("unfurls")
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as err:
            raise ApiError("invalid_unfurls_format") from err
    if not isinstance(raw, dict):
        raise ApiError("invalid_unfurls_format")
    for url, unfurl in raw.items():
        if not isinstance(unfurl, dict):
            raise ApiError("cannot_parse_attachment")
        if url not in shared_urls:
            raise ApiError("cannot_unfurl_url")
        if "blocks" in unfurl:
            errors = check_message({"blocks": unfurl["blocks"]}).errors
            if errors:
                raise ApiError("invalid_blocks", errors=errors)
    return raw


def chat_unfurl(req: ApiRequest) -> dict[str, Any]:
    """`chat.unfurl`: attach unfurls to links a user shared (and/or ask the sharer to authenticate)."""
    if "links:write" not in req.scopes:
        raise ApiError("missing_scope", needed="links:write", provided=",".join(sorted(req.scopes)))
    unfurls_store = req.extras.get("unfurls")
    channel, ts = str(req.params.get("channel") or ""), str(req.params.get("ts") or "")
    unfurl_id, source = str(req.params.get("unfurl_id") or ""), str(req.params.get("source") or "")
    if not (channel and ts) and not (unfurl_id and source):
        raise ApiError("cannot_find_message")
    if unfurl_id and source not in ("composer", "conversations_history"):
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] invalid `source`"]})
    shared = (
        unfurls_store.find(req.bot.team_id, channel_id=channel, ts=ts, unfurl_id=unfurl_id)
        if unfurls_store is not None
        else None
    )
    if shared is None:
        raise ApiError("cannot_find_message")
    unfurls = _unfurls_arg(req, shared.urls())
    auth_required = _flag(req.params.get("user_auth_required"))
    auth_blocks = req.params.get("user_auth_blocks")
    if isinstance(auth_blocks, str):
        try:
            auth_blocks = json.loads(auth_blocks)
        except ValueError as err:
            raise ApiError("invalid_arguments") from err
    wants_prompt = auth_required or any(
        req.params.get(k) for k in ("user_auth_message", "user_auth_url", "user_auth_blocks")
    )
    if not unfurls and not wants_prompt:
        raise ApiError("missing_unfurls")
    if unfurls:
        assert unfurls_store is not None
        everything = unfurls_store.attach(shared, unfurls)
        message = req.recorder.find(shared.team_id, shared.channel_id, shared.ts)
        if message is not None:
            req.recorder.add_message(dataclasses.replace(message, unfurls=everything, seq=0))
    if wants_prompt:
        _auth_prompt(req, shared, auth_blocks if isinstance(auth_blocks, list) else None)
    return {}


def _auth_prompt(req: ApiRequest, shared: SharedMessage, blocks: list[Any] | None) -> None:
    """Record the sharer's ephemeral invitation to connect (Slack adds "Not now"/"Never ask me again")."""
    message = req.params.get("user_auth_message")
    url = req.params.get("user_auth_url")
    req.extras["unfurls"].add_prompt(
        AuthPrompt(
            team_id=shared.team_id,
            channel_id=shared.channel_id,
            message_ts=shared.ts,
            user_id=shared.user_id,
            message=str(message) if message else None,
            url=str(url) if url else None,
            blocks=blocks,
        )
    )
    text = str(message) if message else "Connect your account to see a preview of this link."
    if url:
        text = f"{text} <{url}|Connect>"
    req.recorder.add_message(
        RecordedMessage(
            source="chat.unfurl",
            team_id=shared.team_id,
            channel_id=shared.channel_id,
            user_id=shared.user_id,
            response_type="ephemeral",
            text=text,
            blocks=blocks or [],
            ts=req.recorder.next_ts(),
            payload=dict(req.params),
            thread_ts=shared.thread_ts,
        )
    )


def _visible_channel(req: ApiRequest, ref: str, *, user_means_dm: bool = True) -> Channel:
    """The channel (or a user's DM) the bot can see; private ones need the bot as a member."""
    team_id = req.bot.team_id
    if user_means_dm and ref[:1] in ("U", "W") and req.workspace.user(team_id, ref) is not None:
        return req.workspace.dm_with(team_id, ref, req.bot.user_id)
    channel = req.workspace.channel(team_id, ref)
    if channel is None or ((channel.is_private or channel.is_im) and req.bot.user_id not in channel.members):
        raise ApiError("channel_not_found")
    return channel


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _thread(req: ApiRequest, channel: Channel) -> tuple[str | None, list[str]]:
    """The ``thread_ts`` a new message goes under (None: top level) and warnings about it."""
    raw = req.params.get("thread_ts")
    if raw is None or raw == "":
        return None, []
    thread_ts = str(raw)
    if not _TS.match(thread_ts):
        raise ApiError(
            "invalid_thread_ts",
            response_metadata={"messages": [f"[ERROR] {thread_ts} is not a valid thread_ts"]},
        )
    parent = req.recorder.find(channel.team_id, channel.id, thread_ts)
    if parent is None or parent.ephemeral:
        return thread_ts, [f"thread_not_found: thread_ts {thread_ts} names no message in {channel.id}; Slack "
                           "answers ok but nobody sees the reply"]  # fmt: skip
    return parent.thread_ts or parent.ts, []


def _record(
    req: ApiRequest,
    source: Source,
    channel: Channel,
    user_id: str | None,
    ts: str | None = None,
    *,
    thread_ts: str | None = None,
    reply_broadcast: bool = False,
    warnings: list[str] | None = None,
) -> RecordedMessage:
    """Validate the message in ``req`` (blocks, then image downloads) and record it.

    A refused message is recorded too (``valid=False``), then Slack's error is raised.
    """
    verdict = req.images.judge(req.params)
    validation = Validation(verdict.validation.errors, [*verdict.validation.warnings, *(warnings or [])])
    blocks = req.params.get("blocks")
    text = req.params.get("text")
    message = req.recorder.add_message(
        RecordedMessage(
            source=source,
            team_id=channel.team_id,
            channel_id=channel.id,
            user_id=user_id,
            response_type="ephemeral" if source == "chat.postEphemeral" else "in_channel",
            text=text if isinstance(text, str) else "",
            blocks=blocks if isinstance(blocks, list) else [],
            valid=validation.valid,
            errors=validation.errors,
            warnings=validation.warnings,
            ts=ts or req.recorder.next_ts(),
            payload=dict(req.params),
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast and thread_ts is not None,
        )
    )
    if not verdict.valid:
        refusal = verdict.refusal()
        raise ApiError(
            refusal["error"], errors=refusal["errors"], response_metadata=refusal["response_metadata"]
        )
    return message


def _postable(req: ApiRequest, channel: Channel) -> None:
    """Refuse a post to an archived channel, or to a public one the bot is not in (without
    ``chat:write.public``), then spend one message of the channel's posting rate."""
    if channel.is_archived:
        raise ApiError("is_archived")
    if req.bot.user_id not in channel.members and "chat:write.public" not in req.scopes:
        raise ApiError("not_in_channel")
    retry_after = req.post_limits.take(channel.team_id, channel.id) if req.post_limits else None
    if retry_after is not None:
        raise ApiError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})


def chat_post_message(req: ApiRequest) -> dict[str, Any]:
    """`chat.postMessage`: a message everyone in the channel sees."""
    channel = _visible_channel(req, req.arg("channel", "channel_not_found"))
    _postable(req, channel)
    thread_ts, warnings = _thread(req, channel)
    broadcast = _flag(req.params.get("reply_broadcast"))
    message = _record(
        req,
        "chat.postMessage",
        channel,
        None,
        thread_ts=thread_ts,
        reply_broadcast=broadcast,
        warnings=warnings,
    )
    return {
        "channel": channel.id,
        "ts": message.ts,
        "message": message.to_slack(req.bot.user_id, req.bot.bot_id),
    }


def chat_post_ephemeral(req: ApiRequest) -> dict[str, Any]:
    """`chat.postEphemeral`: a message only ``user`` sees; they must be in the channel."""
    channel = _visible_channel(req, req.arg("channel", "channel_not_found"))
    if channel.is_archived:
        raise ApiError("is_archived")
    user_id = req.arg("user", "user_not_found")
    if req.workspace.user(req.bot.team_id, user_id) is None:
        raise ApiError("user_not_found")
    if user_id not in channel.members:
        raise ApiError("user_not_in_channel")
    thread_ts, warnings = _thread(req, channel)
    message = _record(req, "chat.postEphemeral", channel, user_id, thread_ts=thread_ts, warnings=warnings)
    return {"message_ts": message.ts}


def chat_update(req: ApiRequest) -> dict[str, Any]:
    """`chat.update`: replace a message the bot posted in the channel (not an ephemeral one)."""
    channel = _visible_channel(req, req.arg("channel", "channel_not_found"))
    ts = req.arg("ts", "message_not_found")
    original = req.recorder.find(channel.team_id, channel.id, ts)
    if original is None or original.ephemeral:
        raise ApiError("message_not_found")
    if original.sender is not None:
        raise ApiError("cant_update_message")
    message = _record(
        req,
        "chat.update",
        channel,
        None,
        ts=ts,
        thread_ts=original.thread_ts,
        reply_broadcast=original.reply_broadcast,
    )
    replies = req.recorder.thread(channel.team_id, channel.id, ts)
    return {
        "channel": channel.id,
        "ts": ts,
        "text": message.text,
        "message": message.to_slack(req.bot.user_id, req.bot.bot_id, replies),
    }


def _view_arg(req: ApiRequest) -> dict[str, Any]:
    """The ``view`` argument, checked like Slack; ``invalid_arguments`` with its messages otherwise."""
    view = req.params.get("view")
    if view is None or view == "":
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
        )
    problems = check_view(view)
    if problems:
        raise ApiError("invalid_arguments", response_metadata={"messages": problems})
    assert isinstance(view, dict)
    return view


def views_open(req: ApiRequest) -> dict[str, Any]:
    """`views.open`: exchange a trigger id for a modal shown to the user who caused it."""
    trigger_id = req.params.get("trigger_id") or req.params.get("interactivity_pointer")
    if not trigger_id:
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
        )
    view = _view_arg(req)
    if req.triggers is None:
        raise ApiError("invalid_trigger_id")
    trigger, error = req.triggers.exchange(str(trigger_id), req.bot.team_id)
    if trigger is None:
        raise ApiError(error or "invalid_trigger_id")
    modal = req.views.open(trigger.team_id, trigger.user_id, view)
    return {"view": modal.view}


def views_update(req: ApiRequest) -> dict[str, Any]:
    """`views.update`: replace an open view, named by ``view_id`` or ``external_id``."""
    view_id, external_id = req.params.get("view_id"), req.params.get("external_id")
    if not view_id and not external_id:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view_id"]}
        )
    view = _view_arg(req)
    modal = (
        req.views.get(str(view_id))
        if view_id
        else req.views.by_external_id(req.bot.team_id, str(external_id))
    )
    if modal is None or not modal.open or modal.team_id != req.bot.team_id:
        raise ApiError("not_found")
    wanted_hash = req.params.get("hash")
    if wanted_hash and wanted_hash != modal.hash:
        raise ApiError("hash_conflict")
    return {"view": req.views.update(modal.id, view).view}


def users_info(req: ApiRequest) -> dict[str, Any]:
    """`users.info`: a member of the bot's team."""
    user = req.workspace.user(req.bot.team_id, req.arg("user", "user_not_found"))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": user.to_api()}


def conversations_info(req: ApiRequest) -> dict[str, Any]:
    """`conversations.info`: a channel the bot can see."""
    channel = _visible_channel(req, req.arg("channel", "channel_not_found"), user_means_dm=False)
    return {"channel": channel.to_api(req.bot.user_id)}


METHODS: dict[str, Callable[[ApiRequest], dict[str, Any]]] = {
    "auth.test": auth_test,
    "auth.revoke": auth_revoke,
    "apps.connections.open": apps_connections_open,
    "views.publish": views_publish,
    "chat.unfurl": chat_unfurl,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "views.open": views_open,
    "views.update": views_update,
    "users.info": users_info,
    "conversations.info": conversations_info,
}
