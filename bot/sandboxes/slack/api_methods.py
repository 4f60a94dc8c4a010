"""The Web API methods the bot uses, each a function from a decoded request to Slack's answer.

``chat.postMessage`` answers as Slack documents it (its method reference and the errors tables copied
into slack-ruby/slack-api-ref and the Elixir slack packages): ``channel_not_found`` ("Value passed for
channel was invalid": unknown, or a private channel or DM the bot is not in), ``is_archived`` ("Channel
has been archived"), ``not_in_channel`` ("Cannot post user messages to a channel they are not in": a
public channel the bot has not joined, unless its token has ``chat:write.public``, "Send messages to
channels your Slack app isn't a member of", docs.slack.dev/reference/scopes/chat:write.public), and
HTTP 429 ``ratelimited`` with ``Retry-After`` beyond the per-channel posting rate (`ratelimit`).
``chat.postEphemeral`` also refuses an archived channel with ``is_archived``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandboxes.slack.images import ImageCheck
from bot.sandboxes.slack.messages import RecordedMessage, Source
from bot.sandboxes.slack.ratelimit import PostRateLimiter
from bot.sandboxes.slack.recorder import Recorder
from bot.sandboxes.slack.workspace import BotIdentity, Channel, Workspace


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
    return {
        "url": f"https://{team.domain}.slack.com/",
        "team": team.name,
        "user": user.name if user else req.bot.user_id,
        "team_id": team.id,
        "user_id": req.bot.user_id,
        "bot_id": req.bot.bot_id,
        "is_enterprise_install": False,
    }


def _visible_channel(req: ApiRequest, ref: str, *, user_means_dm: bool = True) -> Channel:
    """The channel (or a user's DM) the bot can see; private ones need the bot as a member."""
    team_id = req.bot.team_id
    if user_means_dm and ref[:1] in ("U", "W") and req.workspace.user(team_id, ref) is not None:
        return req.workspace.dm_with(team_id, ref, req.bot.user_id)
    channel = req.workspace.channel(team_id, ref)
    if channel is None or ((channel.is_private or channel.is_im) and req.bot.user_id not in channel.members):
        raise ApiError("channel_not_found")
    return channel


def _record(
    req: ApiRequest, source: Source, channel: Channel, user_id: str | None, ts: str | None = None
) -> RecordedMessage:
    """Validate the message in ``req`` (blocks, then image downloads) and record it.

    A refused message is recorded too (``valid=False``), then Slack's error is raised.
    """
    verdict = req.images.judge(req.params)
    validation = verdict.validation
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
    message = _record(req, "chat.postMessage", channel, None)
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
    message = _record(req, "chat.postEphemeral", channel, user_id)
    return {"message_ts": message.ts}


def chat_update(req: ApiRequest) -> dict[str, Any]:
    """`chat.update`: replace a message the bot posted in the channel (not an ephemeral one)."""
    channel = _visible_channel(req, req.arg("channel", "channel_not_found"))
    ts = req.arg("ts", "message_not_found")
    original = req.recorder.find(channel.team_id, channel.id, ts)
    if original is None or original.ephemeral:
        raise ApiError("message_not_found")
    message = _record(req, "chat.update", channel, None, ts=ts)
    return {
        "channel": channel.id,
        "ts": ts,
        "text": message.text,
        "message": message.to_slack(req.bot.user_id, req.bot.bot_id),
    }


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
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "users.info": users_info,
    "conversations.info": conversations_info,
}
