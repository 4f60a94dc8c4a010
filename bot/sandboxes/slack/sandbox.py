"""`SlackSandbox`: the Slack stand-in as one object for tests, `igbot dev` and the CLI."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from bot.sandboxes.slack.app import create_app
from bot.sandboxes.slack.blockkit import check_view
from bot.sandboxes.slack.channel_changes import ChannelChanges
from bot.sandboxes.slack.commands import (
    ACK_DEADLINE_SECONDS,
    CommandResult,
    block_actions_body,
    button_action,
    command_body,
    deliver,
    names_for,
    post_signed,
    select_action,
    view_closed_body,
    view_submission_body,
)
from bot.sandboxes.slack.images import ImageCheck
from bot.sandboxes.slack.messages import ApiCall, FailedDelivery, RecordedMessage
from bot.sandboxes.slack.ratelimit import DEFAULT_POST_BURST, DEFAULT_POST_RATE, PostRateLimiter
from bot.sandboxes.slack.recorder import Recorder
from bot.sandboxes.slack.responses import ReplyContext, ResponseUrls, record_reply
from bot.sandboxes.slack.views import ModalView, TriggerIds, ViewRefused, Views
from bot.sandboxes.slack.webapi import DEFAULT_BOT_SCOPES
from bot.sandboxes.slack.workspace import SANDBOX_TEAM_ID, Channel, seeded_workspace
from bot.threaded_server import RunningServer, start_server

DEFAULT_SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105  # a public, sandbox-only value
DEFAULT_BOT_TOKEN = "xoxb-sandbox-bot-token"  # noqa: S105  # a public, sandbox-only value
TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
REQUIRED_FIELD = "Please complete this required field."  # [U] the Slack client's own check, not sent


class SlackSandbox:
    """A local Slack: calls the bot like Slack does and answers the bot's calls like Slack does.

    Args:
        signing_secret: secret the bot verifies requests with.
        bot_token: the `xoxb-` token the bot presents to the Web API.
        bot_url: the bot's Request URL (`.../slack/events`); may be set later via ``sb.bot_url``.
        clock: seconds since the epoch for response URL and trigger id expiry; inject one to age them
            without sleeping.
        ack_deadline: seconds the bot has to acknowledge (Slack: 3).
        check_images: download every image block of a message before accepting it, as Slack does,
            and refuse the message with `invalid_blocks` when one fails (images.py). Only loopback
            URLs are fetched (the machine is offline); other hosts are accepted unchecked.
        bot_scopes: the bot token's scopes (``X-OAuth-Scopes``); by default igbot's manifest's
            ``commands,chat:write``.  With ``chat:write.public`` the bot may post to public channels
            it is not in; without it those answer ``not_in_channel``.
        post_rate_per_channel: ``chat.postMessage`` messages per second per channel (Slack: 1);
            None or 0 turns the limit off.  Beyond it: HTTP 429 ``ratelimited`` with ``Retry-After``.
        post_burst: messages a channel may take at once before the rate applies (ratelimit.py).

    Attributes:
        webapi_down: while True, every `/api/<method>` answers HTTP 503 `service_unavailable` and
            nothing is posted; response URLs keep working (also `POST /__sandbox__/faults`).
        post_limits: the per-channel posting rate (`set_post_rate` changes it).
        bot_scopes: the bot token's scopes, a tuple (may be replaced at run time).
        images: the image check (``images.enabled`` switches it at run time).
        triggers: the trigger ids issued with every command and interaction (single use, 3 s).
        views: the modals opened through ``views.open`` (views.py).
    """

    def __init__(
        self,
        *,
        signing_secret: str = DEFAULT_SIGNING_SECRET,
        bot_token: str = DEFAULT_BOT_TOKEN,
        bot_url: str | None = None,
        clock: Callable[[], float] = time.time,
        ack_deadline: float = ACK_DEADLINE_SECONDS,
        check_images: bool = True,
        bot_scopes: tuple[str, ...] = DEFAULT_BOT_SCOPES,
        post_rate_per_channel: float | None = DEFAULT_POST_RATE,
        post_burst: int = DEFAULT_POST_BURST,
    ) -> None:
        self.signing_secret = signing_secret
        self._bot_token = bot_token
        self.bot_url = bot_url
        self.ack_deadline = ack_deadline
        self.base_url: str | None = None
        self.workspace = seeded_workspace(bot_token)
        self.recorder = Recorder()
        self.response_urls = ResponseUrls(clock)
        self.images = ImageCheck(enabled=check_images)
        self.webapi_down = False
        self.bot_scopes = tuple(bot_scopes)
        self.post_limits = PostRateLimiter(clock, post_rate_per_channel, post_burst)
        self.channel_changes = ChannelChanges(self.workspace)
        self.triggers = TriggerIds(clock)
        self.views = Views()
        self.app = create_app(self)
        self._server: RunningServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
        """Serve on ``host:port`` (0 = any free port) from a thread; sets ``base_url``."""
        self._server = start_server(self.app, host=host, port=port, name="slack-sandbox")
        self.base_url = self._server.url
        return self._server

    def stop(self) -> None:
        """Stop the server started by ``start`` (if any)."""
        if self._server is not None:
            self._server.stop()

    @property
    def bot_token(self) -> str:
        """The token the Web API accepts as the bot of `T0SANDBOX` (fixed at construction)."""
        return self._bot_token

    @property
    def api_url(self) -> str:
        """The Web API base URL for the bot (`SLACK_API_URL`), with its trailing slash."""
        return f"{self._base()}/api/"

    def send_command(
        self,
        text: str = "",
        user_id: str = "U0ALICE",
        channel_id: str = "C0GENERAL",
        team_id: str = SANDBOX_TEAM_ID,
        command: str = "/ig",
    ) -> CommandResult:
        """Invoke a slash command as ``user_id`` typed it; records the ack reply as a message.

        Any ids are accepted, also ones the workspace does not know.
        """
        context = ReplyContext(team_id=team_id, channel_id=channel_id, user_id=user_id)
        response_url = self.response_urls.issue(self._base(), context)
        body = command_body(
            command=command,
            text=text,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            names=names_for(self.workspace, team_id, user_id, channel_id),
            response_url=response_url,
            trigger_id=self.triggers.issue(team_id, user_id),
        )
        return self._call_bot(body, response_url, context, kind=f"command {command}", show_reply=True)

    def click_button(
        self, message: RecordedMessage, action_id: str, user_id: str | None = None
    ) -> CommandResult:
        """Click the button ``action_id`` of a recorded message, sending a signed `block_actions` payload.

        ``user_id`` defaults to the user the message was for (or alice). Raises ValueError when
        there is no such button, the message was never shown (invalid) or the user cannot see it.
        """
        button = next((b for b in message.buttons() if b.action_id == action_id), None)
        if button is None:
            present = [b.action_id for b in message.buttons()]
            raise ValueError(f"no button {action_id!r} in message #{message.seq}; buttons: {present}")
        return self._interact(message, button_action(button), user_id)

    def select_option(
        self, message: RecordedMessage, action_id: str, value: str, user_id: str | None = None
    ) -> CommandResult:
        """Pick the option ``value`` of the static_select ``action_id`` in a recorded message."""
        for block in message.blocks:
            for element in block.get("elements") or [] if block.get("type") == "actions" else []:
                if element.get("type") == "static_select" and element.get("action_id") == action_id:
                    option = next((o for o in element.get("options") or [] if o.get("value") == value), None)
                    if option is None:
                        raise ValueError(f"no option {value!r} in {action_id!r}")
                    return self._interact(
                        message, select_action(element, block.get("block_id", ""), option), user_id
                    )
        raise ValueError(f"no static_select {action_id!r} in message #{message.seq}")

    def _interact(
        self, message: RecordedMessage, action: dict[str, Any], user_id: str | None
    ) -> CommandResult:
        action_id = str(action.get("action_id", ""))
        if not message.valid:
            raise ValueError(f"message #{message.seq} was rejected by Slack, nobody saw it: {message.errors}")
        clicker = user_id or message.user_id or "U0ALICE"
        if message.ephemeral and message.user_id not in (None, clicker):
            raise ValueError(
                f"message #{message.seq} is ephemeral to {message.user_id}; {clicker} cannot see it"
            )
        context = ReplyContext(
            message.team_id,
            message.channel_id,
            clicker,
            origin_ts=message.ts,
            thread_ts=message.thread_ts if message.is_reply else None,
        )
        response_url = self.response_urls.issue(self._base(), context)
        names = names_for(self.workspace, message.team_id, clicker, message.channel_id)
        replies = None if message.is_reply else self.thread(message.channel_id, message.ts, message.team_id)
        body = block_actions_body(
            message=message,
            action=action,
            user_id=clicker,
            names=names,
            response_url=response_url,
            trigger_id=self.triggers.issue(message.team_id, clicker),
            replies=replies,
        )
        return self._call_bot(
            body, response_url, context, kind=f"block_actions {action_id}", show_reply=False
        )

    def send_signed(
        self, body: bytes, content_type: str, timestamp: int | None = None, signature: str | None = None
    ) -> requests.Response:
        """POST raw bytes to the bot, signed or with the given timestamp/signature (hostile-input tests)."""
        return post_signed(
            self._bot(), self.signing_secret, body, content_type, timestamp=timestamp, signature=signature
        )

    def messages(
        self,
        channel_id: str | None = None,
        user_id: str | None = None,
        *,
        team_id: str | None = None,
        since: int | None = None,
    ) -> list[RecordedMessage]:
        """Recorded messages, oldest first, filtered by channel, user, team and ``seq > since``."""
        return self.recorder.messages(channel_id, user_id, team_id=team_id, since=since)

    def wait_for(self, predicate: Callable[[RecordedMessage], bool], timeout: float = 5.0) -> RecordedMessage:
        """The first message, recorded or still to come, matching ``predicate``; TimeoutError lists all."""
        return self.recorder.wait_for(predicate, timeout)

    def thread(self, channel_id: str, ts: str, team_id: str = SANDBOX_TEAM_ID) -> list[RecordedMessage]:
        """The replies in the thread of the message ``ts`` (latest version of each, oldest first)."""
        return self.recorder.thread(team_id, channel_id, ts)

    def latest(self, channel_id: str, ts: str, team_id: str = SANDBOX_TEAM_ID) -> RecordedMessage | None:
        """The newest valid version of the message ``ts`` (after any ``chat.update``), None if none."""
        return self.recorder.find(team_id, channel_id, ts)

    def open_views(self, user_id: str | None = None, team_id: str | None = None) -> list[ModalView]:
        """The modals open now, oldest first, optionally only ``user_id``'s (in ``team_id``)."""
        return self.views.open_views(user_id, team_id)

    def wait_view(self, predicate: Callable[[ModalView], bool], timeout: float = 5.0) -> ModalView:
        """The first open modal (open now or later) matching ``predicate``; TimeoutError lists all views."""
        return self.views.wait(predicate, timeout)

    def submit_view(
        self, view: ModalView | str, values: Mapping[str, str] | None = None, user_id: str | None = None
    ) -> CommandResult:
        """Type ``values`` (action_id -> text) into an open modal and press its submit button.

        Inputs not in ``values`` keep their ``initial_value``. Sends a signed ``view_submission`` and
        applies the ack as Slack does: an empty body (or ``{"response_action": "clear"}``, which closes
        the user's whole stack) closes the view; ``errors`` keeps it open with ``view.errors`` set;
        ``update`` replaces it; ``push`` opens another on top. A late, failing or malformed ack is
        recorded as a failure and the view stays open.

        Raises:
            ViewRefused: Slack's client would not send it (required field empty, text too short/long).
            ValueError: no such open view, an unknown action_id, or a user who does not see the view.
        """
        modal = self._open_view(view, user_id)
        given = dict(values or {})
        known = {str(element.get("action_id")) for _, _, element in modal.inputs()}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"no input {unknown} in view {modal.id}; inputs: {sorted(known)}")
        state, refused = self._state_values(modal, given)
        if refused:
            raise ViewRefused(refused)
        self.views.submitted(modal.id, state)
        submitted = copy.deepcopy(modal.view)
        names = names_for(self.workspace, modal.team_id, modal.user_id, "")
        body = view_submission_body(
            view=submitted,
            team_id=modal.team_id,
            user_id=modal.user_id,
            names=names,
            trigger_id=self.triggers.issue(modal.team_id, modal.user_id),
        )
        result = deliver(self._bot(), self.signing_secret, body, response_url="", deadline=self.ack_deadline)
        self._judge_submission(modal, result)
        return result

    def close_view(self, view: ModalView | str, user_id: str | None = None) -> CommandResult | None:
        """The user cancels (closes) an open modal; with ``notify_on_close`` the bot gets a signed
        ``view_closed`` (its ack body is ignored) and the result is returned, else None and nothing is
        sent. A pushed view closes back to the one below it, or the whole stack with ``clear_on_close``.

        Raises:
            ValueError: no such open view, or a user who does not see it.
        """
        modal = self._open_view(view, user_id)
        self.views.close(modal.id, "closed", whole_stack=bool(modal.view.get("clear_on_close")))
        if not modal.view.get("notify_on_close"):
            return None
        names = names_for(self.workspace, modal.team_id, modal.user_id, "")
        body = view_closed_body(view=modal.view, team_id=modal.team_id, user_id=modal.user_id, names=names)
        result = deliver(self._bot(), self.signing_secret, body, response_url="", deadline=self.ack_deadline)
        if result.error is not None:
            self._view_failure(modal, result, result.error, "view_closed")
        return result

    def _open_view(self, view: ModalView | str, user_id: str | None) -> ModalView:
        view_id = view if isinstance(view, str) else view.id
        modal = self.views.get(view_id)
        if modal is None or not modal.open:
            state = "unknown" if modal is None else f"closed ({modal.closed_by})"
            raise ValueError(f"view {view_id} is not open: {state}")
        if user_id is not None and user_id != modal.user_id:
            raise ValueError(f"view {view_id} is open for {modal.user_id}; {user_id} cannot see it")
        return modal

    @staticmethod
    def _state_values(modal: ModalView, given: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """``state.values`` for a submission, and the client-side refusals (block_id -> message)."""
        values: dict[str, Any] = {}
        refused: dict[str, str] = {}
        for block_id, block, element in modal.inputs():
            action_id, kind = str(element.get("action_id")), str(element.get("type"))
            if kind not in TEXT_INPUTS:
                values[block_id] = {action_id: {"type": kind}}
                continue
            text = given.get(action_id, element.get("initial_value"))
            value = str(text) if text not in (None, "") else None
            values[block_id] = {action_id: {"type": kind, "value": value}}
            low, high = element.get("min_length"), element.get("max_length")
            if value is None and not block.get("optional"):
                refused[block_id] = REQUIRED_FIELD
            elif value is not None and isinstance(high, int) and len(value) > high:
                refused[block_id] = f"Please enter no more than {high} characters."
            elif value is not None and isinstance(low, int) and len(value) < low:
                refused[block_id] = f"Please enter at least {low} characters."
        return values, refused

    def _judge_submission(self, modal: ModalView, result: CommandResult) -> None:
        """Apply a ``view_submission`` ack to the view, as Slack does."""
        if result.error is not None:
            self._view_failure(modal, result, result.error, "view_submission")
            return
        if result.body is None and result.raw_text.strip():
            self._view_failure(modal, result, "invalid_response", "view_submission")
            return
        reply = result.body or {}
        action = reply.get("response_action")
        if action is None:
            self.views.close(modal.id, "submitted")
        elif action == "clear":
            self.views.close(modal.id, "cleared", whole_stack=True)
        elif action == "errors":
            errors = reply.get("errors")
            inputs = {block_id for block_id, _, _ in modal.inputs()}
            if (
                not isinstance(errors, dict)
                or not errors
                or not all(isinstance(v, str) for v in errors.values())
            ):
                self._view_failure(modal, result, "invalid_response_action", "view_submission")
                return
            unknown = sorted(set(errors) - inputs)
            if unknown:
                self._view_failure(
                    modal,
                    result,
                    "invalid_response_action",
                    "view_submission",
                    f"errors for {unknown}, not input block_ids",
                )
            self.views.set_errors(modal.id, {k: v for k, v in errors.items() if k in inputs})
        elif action in ("update", "push"):
            problems = check_view(reply.get("view"))
            if problems:
                self._view_failure(
                    modal, result, "invalid_response_action", "view_submission", "; ".join(problems)
                )
            elif action == "update":
                self.views.update(modal.id, reply["view"])
            else:
                self.views.open(modal.team_id, modal.user_id, reply["view"], push=True)
        else:
            self._view_failure(modal, result, "invalid_response_action", "view_submission")

    def _view_failure(
        self, modal: ModalView, result: CommandResult, error: str, kind: str, detail: str = ""
    ) -> None:
        """Record what Slack shows in the modal ("We had some trouble connecting") when an ack fails."""
        self.recorder.add_failure(
            FailedDelivery(
                error=error,
                kind=f"{kind} {modal.callback_id}".strip(),
                team_id=modal.team_id,
                channel_id="",
                user_id=modal.user_id,
                status=result.status,
                elapsed_ms=result.elapsed_ms,
                detail=detail
                or f"status {result.status}, {result.elapsed_ms:.0f} ms: {result.raw_text[:200]}",
            )
        )

    def api_calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded Web API calls, oldest first, optionally of one method (e.g. `"auth.test"`)."""
        return self.recorder.api_calls(method)

    def failures(self) -> list[FailedDelivery]:
        """Commands and clicks Slack would have reported as failed (timeouts, errors, unreachable bot)."""
        return self.recorder.failures()

    def set_bot_member(self, channel_id: str, member: bool, team_id: str = SANDBOX_TEAM_ID) -> Channel:
        """Take the bot out of a channel (``member=False``) or put it back, until `reset`.

        Raises:
            ValueError: no such channel (by id) in the team.
        """
        return self.channel_changes.set_bot_member(team_id, channel_id, member)

    def set_archived(self, channel_id: str, archived: bool, team_id: str = SANDBOX_TEAM_ID) -> Channel:
        """Archive a channel or unarchive it, until `reset`.

        Raises:
            ValueError: no such channel (by id) in the team.
        """
        return self.channel_changes.set_archived(team_id, channel_id, archived)

    def set_post_rate(self, rate_per_channel: float | None, burst: int = DEFAULT_POST_BURST) -> None:
        """Change ``chat.postMessage``'s per-channel rate (None or 0: unlimited); buckets refill.

        Raises:
            ValueError: a negative rate or a burst below 1.
        """
        self.post_limits.configure(rate_per_channel, burst)

    def reset(self) -> None:
        """Forget recorded messages, calls, failures, views and image downloads, invalidate every
        response URL and trigger id,
        bring the Web API back up, refill the posting-rate buckets and undo `set_bot_member` /
        `set_archived` (the rate and scopes themselves stay as configured)."""
        self.channel_changes.undo()
        self.post_limits.reset()
        self.recorder.reset()
        self.response_urls.clear()
        self.triggers.clear()
        self.views.reset()
        self.images.clear()
        self.webapi_down = False

    def _call_bot(
        self, body: bytes, response_url: str, context: ReplyContext, *, kind: str, show_reply: bool
    ) -> CommandResult:
        """Deliver a signed form body and record what Slack would do with the answer."""
        result = deliver(
            self._bot(), self.signing_secret, body, response_url=response_url, deadline=self.ack_deadline
        )
        self._judge(result, context, kind=kind, show_reply=show_reply)
        return result

    def _judge(self, result: CommandResult, context: ReplyContext, *, kind: str, show_reply: bool) -> None:
        """Show the ack's reply as a message, or report the failure Slack would show the user."""
        if result.error is not None:
            detail = f"status {result.status}, {result.elapsed_ms:.0f} ms: {result.raw_text[:200]}"
            self.recorder.add_failure(
                FailedDelivery(
                    error=result.error,
                    kind=kind,
                    team_id=context.team_id,
                    channel_id=context.channel_id,
                    user_id=context.user_id,
                    status=result.status,
                    elapsed_ms=result.elapsed_ms,
                    detail=detail,
                )
            )
            return
        if not show_reply:
            return  # Slack ignores the body of an interaction's ack
        reply = result.body
        if reply is None and result.raw_text.strip():
            reply = {"text": result.raw_text}  # a plain-text ack is shown as an ephemeral message
        if reply is not None and any(key in reply for key in ("text", "blocks", "attachments")):
            verdict = self.images.judge(reply)
            result.message = record_reply(self.recorder, "ack", context, reply, verdict.validation)

    def _base(self) -> str:
        if self.base_url is None:
            raise RuntimeError("the Slack sandbox is not serving: call start() or set base_url first")
        return self.base_url

    def _bot(self) -> str:
        if not self.bot_url:
            raise RuntimeError("the Slack sandbox has no bot_url to call: set sb.bot_url first")
        return self.bot_url
