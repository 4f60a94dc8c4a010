"""`SlackStandIn`: the Slack stand-in as one object, what its routes (app.py) act on.

`server.SlackSandbox` (the class tests, `igbot dev` and the CLI use) adds the Flask app and its server;
this module imports neither, so the routes can take a `SlackStandIn` without an import cycle.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests

from igbot_sandboxes.slack.api_methods import ApiError
from igbot_sandboxes.slack.blockkit import check_view
from igbot_sandboxes.slack.channel_changes import ChannelChanges
from igbot_sandboxes.slack.commands import (
    ACK_DEADLINE_SECONDS,
    VERIFICATION_TOKEN,
    CommandResult,
    Names,
    block_actions_body,
    button_action,
    command_body,
    deliver,
    names_for,
    new_trigger_id,
    post_signed,
    select_action,
    view_closed_body,
    view_submission_body,
)
from igbot_sandboxes.slack.events import (
    DEFAULT_EVENT_RETRY_DELAYS,
    DEFAULT_EVENT_SUBSCRIPTIONS,
    EventDelivery,
    deliver_event,
    event_ts,
    new_event_id,
    verify_url,
)
from igbot_sandboxes.slack.home import HomeView, HomeViews
from igbot_sandboxes.slack.images import ImageCheck
from igbot_sandboxes.slack.messages import ApiCall, Button, FailedDelivery, RecordedMessage
from igbot_sandboxes.slack.oauth import (
    DEFAULT_APP_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME,
    Installation,
    Installs,
    OAuthCode,
    OAuthError,
)
from igbot_sandboxes.slack.ratelimit import DEFAULT_POST_BURST, DEFAULT_POST_RATE, PostRateLimiter
from igbot_sandboxes.slack.recorder import Recorder
from igbot_sandboxes.slack.responses import ReplyContext, ResponseUrls, record_reply
from igbot_sandboxes.slack.unfurls import (
    DEFAULT_UNFURL_DOMAINS,
    AuthPrompt,
    SharedMessage,
    Unfurls,
    shared_links,
    unfurl_id_for,
)
from igbot_sandboxes.slack.views import ModalView, TriggerIds, ViewRefused, Views
from igbot_sandboxes.slack.webapi import DEFAULT_BOT_SCOPES, Auth
from igbot_sandboxes.slack.workspace import (
    APP_ID,
    SANDBOX_TEAM_ID,
    BotIdentity,
    Channel,
    Workspace,
    bot_user_of,
    seeded_workspace,
)

DEFAULT_SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105  # a public, sandbox-only value
DEFAULT_BOT_TOKEN = "xoxb-sandbox-bot-token"  # noqa: S105  # a public, sandbox-only value
TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
REQUIRED_FIELD = "Please complete this required field."  # [U] the Slack client's own check, not sent


class SlackStandIn:
    """A local Slack: calls the bot like Slack does and answers the bot's calls like Slack does.

    `server.SlackSandbox` serves it over HTTP (``start``, ``stop``, ``app``).

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
        client_id, client_secret: the app's OAuth credentials (``/oauth/v2/authorize``,
            ``oauth.v2.access``).
        token_rotation: issue expiring ``xoxe.`` access tokens with refresh tokens (oauth.py).
        token_lifetime: seconds an access token lives with token rotation (Slack: 43200).
        preinstalled: ``bot_token`` is installed in `T0SANDBOX` from the start; False: no team has
            the bot until it is installed through OAuth (`install` or the authorize page).
        new_token_on_reinstall: reinstalling over a live install issues a new bot token and kills
            the old one (``invalid_auth``); by default the token stays, as Slack mostly does.
        app_token: the app-level ``xapp-`` token ``apps.connections.open`` accepts.
        event_subscriptions: the event types the app subscribes to; others are not sent.
        event_retry_delays: seconds before retry 1, 2, 3 of a failed event (Slack: about 0, 60,
            300); its length is the number of retries.
        unfurl_domains: the app's unfurl domains (subdomains count), for ``link_shared``.

    Attributes:
        webapi_down: while True, every `/api/<method>` answers HTTP 503 `service_unavailable` and
            nothing is posted; response URLs keep working (also `POST /__sandbox__/faults`).
        post_limits: the per-channel posting rate (`set_post_rate` changes it).
        bot_scopes: the bot token's scopes, a tuple (may be replaced at run time).
        images: the image check (``images.enabled`` switches it at run time).
        triggers: the trigger ids issued with every command and interaction (single use, 3 s).
        views: the modals opened through ``views.open`` (views.py).
        installs: installations, OAuth codes and tokens (oauth.py).
        home_views: the App Home views published with ``views.publish`` (home.py).
        unfurls: messages whose links were shared with the app, their unfurls and auth prompts.
        event_deliveries: every event sent (or skipped), oldest first, with each attempt.
        socket: a Socket Mode hub (socket.py's ``SocketHub``); while it is connected, commands,
            interactions and events go through it instead of HTTP POSTs to ``bot_url``.
        oauth_redirect_url: the app's configured redirect URL (used when the authorize request
            names none); by default the bot's ``/slack/oauth_redirect`` next to ``bot_url``.
        install_url: the bot's "Add to Slack" page the console links to; by default the bot's
            ``/slack/install`` next to ``bot_url``.
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
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_rotation: bool = False,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        preinstalled: bool = True,
        new_token_on_reinstall: bool = False,
        app_token: str = DEFAULT_APP_TOKEN,
        event_subscriptions: Iterable[str] = DEFAULT_EVENT_SUBSCRIPTIONS,
        event_retry_delays: tuple[float, ...] = DEFAULT_EVENT_RETRY_DELAYS,
        unfurl_domains: tuple[str, ...] = DEFAULT_UNFURL_DOMAINS,
    ) -> None:
        self.signing_secret = signing_secret
        self._bot_token = bot_token
        self.bot_url = bot_url
        self.ack_deadline = ack_deadline
        self.base_url: str | None = None
        self.clock = clock
        self.workspace = seeded_workspace(bot_token if preinstalled else "")
        self.client_id = client_id
        self.client_secret = client_secret
        self.app_token = app_token
        self.event_subscriptions = set(event_subscriptions)
        self.event_retry_delays = tuple(event_retry_delays)
        self.unfurl_domains = tuple(unfurl_domains)
        self.installs = Installs(
            self.workspace,
            clock,
            lambda: self.bot_scopes,
            token_rotation=token_rotation,
            token_lifetime=token_lifetime,
            new_token_on_reinstall=new_token_on_reinstall,
            app_token=app_token,
        )
        preinstalled_bot = self.workspace.bot_in(SANDBOX_TEAM_ID)
        if preinstalled_bot is not None:
            self.installs.preinstall(preinstalled_bot)
        self.home_views = HomeViews()
        self.unfurls = Unfurls()
        self.event_deliveries: list[EventDelivery] = []
        self.socket: Any | None = None
        self.oauth_redirect_url: str | None = None
        self.install_url: str | None = None
        self.recorder = Recorder()
        self.response_urls = ResponseUrls(clock)
        self.images = ImageCheck(enabled=check_images)
        self.webapi_down = False
        self.bot_scopes = tuple(bot_scopes)
        self.post_limits = PostRateLimiter(clock, post_rate_per_channel, post_burst)
        self.channel_changes = ChannelChanges(self.workspace)
        self.triggers = TriggerIds(clock)
        self.views = Views()

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
            trigger_id=(trigger_id := self.triggers.issue(team_id, user_id)),
        )
        result = self._call_bot(body, response_url, context, kind=f"command {command}", show_reply=True)
        result.trigger_id = trigger_id
        return result

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
            trigger_id=(trigger_id := self.triggers.issue(message.team_id, clicker)),
            replies=replies,
        )
        result = self._call_bot(
            body, response_url, context, kind=f"block_actions {action_id}", show_reply=False
        )
        result.trigger_id = trigger_id
        return result

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
        result = self._deliver_form(body, "")
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
        result = self._deliver_form(body, "")
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

    # ---------- installations (OAuth v2) ----------

    def install(
        self,
        team_id: str,
        *,
        redirect_uri: str | None = None,
        state: str = "",
        scopes: Iterable[str] | None = None,
        user_scopes: Iterable[str] = (),
        user_id: str | None = None,
    ) -> str:
        """Press "Allow" on the authorize page for ``team_id`` (an enterprise id such as ``E0GRID``
        installs org-wide): the URL Slack sends the browser to, ``redirect_uri?code=...&state=...``.

        ``scopes`` default to ``bot_scopes``; ``user_scopes`` also issue a user token for ``user_id``
        (default: the team's first person). Exchange the code with ``oauth.v2.access``.

        Raises:
            ValueError: an unknown team or enterprise, a user not in it, or no redirect URI known.
        """
        target = redirect_uri or self.default_redirect_uri()
        if not target:
            raise ValueError("no redirect_uri: pass one, or set bot_url / oauth_redirect_url")
        code = self.issue_install_code(
            team_id,
            scopes=tuple(scopes) if scopes is not None else self.bot_scopes,
            user_scopes=tuple(user_scopes),
            user_id=user_id,
            redirect_uri=redirect_uri,
        )
        return _with_query(target, {"code": code, "state": state})

    def issue_install_code(
        self,
        team_id: str,
        *,
        scopes: tuple[str, ...],
        user_scopes: tuple[str, ...] = (),
        user_id: str | None = None,
        redirect_uri: str | None = None,
    ) -> str:
        """The one-time code of an approved install into ``team_id`` (or org-wide into an enterprise).

        Raises:
            ValueError: an unknown team or enterprise, or a user who is not in it.
        """
        enterprise = self.workspace.enterprises.get(team_id)
        target_team: str | None
        enterprise_id: str | None
        if enterprise is not None:
            home_team, target_team, enterprise_id = enterprise.team_ids[0], None, enterprise.id
        elif team_id in self.workspace.teams:
            home_team, target_team = team_id, team_id
            enterprise_id = self.workspace.teams[team_id].enterprise_id
        else:
            raise ValueError(f"no team or enterprise {team_id!r}")
        people = [u.id for u in self.workspace.users(home_team) if not u.is_bot]
        installer = user_id or (people[0] if people else "")
        if installer not in people:
            raise ValueError(f"{installer!r} is not a person in {home_team}")
        return self.installs.issue_code(
            team_id=target_team,
            enterprise_id=enterprise_id,
            user_id=installer,
            scopes=scopes,
            user_scopes=user_scopes,
            redirect_uri=redirect_uri,
        )

    def default_redirect_uri(self) -> str | None:
        """Where the authorize page sends the browser when the request names no ``redirect_uri``."""
        return self.oauth_redirect_url or _next_to(self.bot_url, "/slack/oauth_redirect")

    def bot_install_url(self) -> str | None:
        """The bot's own "Add to Slack" page (``install_url``, else ``/slack/install`` by ``bot_url``)."""
        return self.install_url or _next_to(self.bot_url, "/slack/install")

    def installed_teams(self) -> list[str]:
        """The keys of the live installations: team ids, and enterprise ids for org-wide installs."""
        return [i.key for i in self.installs.all() if i.active]

    def installations(self) -> list[Installation]:
        """Every installation made (live or uninstalled), oldest first."""
        return self.installs.all()

    def bot_of(self, team_id: str) -> BotIdentity | None:
        """The bot (with its current token) the app has in ``team_id``, via its own or its org's
        install; None when the app is not installed there."""
        install = self.installs.for_team(team_id) or self.installs.installation(team_id)
        return install.bot if install else None

    def oauth_codes(self) -> list[OAuthCode]:
        """Every OAuth code issued, oldest first."""
        return self.installs.codes()

    def expire_tokens(self, team_id: str | None = None) -> int:
        """Expire now every expiring (token rotation) access token, of one install or all; how many.

        The same happens by moving the injected ``clock`` past ``token_lifetime``.
        """
        return self.installs.expire_tokens(team_id)

    def oauth_access(self, params: dict[str, Any], credentials: tuple[str, str] | None) -> dict[str, Any]:
        """``oauth.v2.access``: exchange a code (or a refresh token) for tokens, as Slack answers.

        Raises:
            ApiError: ``invalid_client_id``, ``bad_client_secret``, ``invalid_code``,
                ``bad_redirect_uri``, ``invalid_refresh_token``, ``invalid_grant_type``.
        """
        client_id, client_secret = credentials or (
            str(params.get("client_id") or ""),
            str(params.get("client_secret") or ""),
        )
        if client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.client_secret:
            raise ApiError("bad_client_secret")
        grant_type = str(params.get("grant_type") or "authorization_code")
        try:
            if grant_type == "refresh_token":
                return self.installs.refresh(str(params.get("refresh_token") or ""))
            if grant_type != "authorization_code":
                raise ApiError("invalid_grant_type")
            redirect = params.get("redirect_uri")
            return self.installs.exchange(str(params.get("code") or ""), str(redirect) if redirect else None)
        except OAuthError as err:
            raise ApiError(err.error) from err

    def authenticate(self, token: str) -> Auth:
        """What a Web API token is (the Web API's ``authenticate``)."""
        record, error = self.installs.authenticate(token)
        if record is None:
            return Auth(None, error)
        identity = record.identity or BotIdentity(team_id="", user_id="", bot_id="", token=token)
        return Auth(identity, None, self.installs.scopes_of(record), record.kind)

    def uninstall(
        self, team_id: str, *, order: tuple[str, ...] = ("tokens_revoked", "app_uninstalled")
    ) -> list[EventDelivery]:
        """Remove the app from ``team_id`` (an enterprise id for an org-wide install): its tokens die
        (bot: ``account_inactive``, users: ``token_revoked``) and the bot gets ``tokens_revoked``
        (``tokens: {oauth: [users with user tokens], bot: [bot user]}``) and ``app_uninstalled``, in
        ``order``, as subscribed.

        Raises:
            ValueError: the app is not installed under that key.
        """
        try:
            install = self.installs.uninstall(team_id)
        except KeyError:
            raise ValueError(f"igbot is not installed in {team_id!r}") from None
        users = [install.installer_user_id] if install.user_token else []
        events: dict[str, dict[str, Any]] = {
            "tokens_revoked": {
                "type": "tokens_revoked",
                "tokens": {"oauth": users, "bot": [install.bot.user_id]},
            },
            "app_uninstalled": {"type": "app_uninstalled"},
        }
        return [
            self._send(install.bot.team_id, dict(events[name]), install=install)
            for name in order
            if name in events
        ]

    # ---------- Events API ----------

    def send_event(
        self, team_id: str, event: dict[str, Any], *, first_timed_out: bool = False
    ) -> EventDelivery:
        """Send ``event`` (its ``event_ts`` filled in) to the bot in Slack's ``event_callback`` envelope,
        retrying like Slack (events.py). Nothing is sent (``skipped``) when the app is not installed
        in ``team_id`` or does not subscribe to the event type. ``first_timed_out``: the first attempt
        counts as timed out whatever the bot answered, so Slack retries with ``http_timeout``.
        Without a ``bot_url`` (and no connected Socket Mode hub) nothing is sent either
        (``skipped="no_request_url"``)."""
        install = self.installs.for_team(team_id)
        return self._send(team_id, dict(event), install=install, first_timed_out=first_timed_out)

    def redeliver(self, delivery: EventDelivery) -> EventDelivery:
        """Send a delivered event again as retry 1 (``http_timeout``): Slack did not see the first
        answer in time. Same body and ``event_id``; further retries follow if this one fails."""
        again = EventDelivery(team_id=delivery.team_id, envelope=delivery.envelope)
        self.event_deliveries.append(again)
        return deliver_event(
            again,
            self.bot_url,
            self.signing_secret,
            deadline=self.ack_deadline,
            retry_delays=self.event_retry_delays,
            socket=self._socket_deliver(),
            first_retry=1,
            first_reason="http_timeout",
        )

    def verify_request_url(self) -> bool:
        """What Slack's app settings do with a new Request URL: a signed ``url_verification``; True
        when the bot echoed the challenge."""
        echoed, _ = verify_url(
            self._bot(), self.signing_secret, VERIFICATION_TOKEN, deadline=self.ack_deadline
        )
        return echoed

    def deliveries(self, event_type: str | None = None) -> list[EventDelivery]:
        """Events sent (or skipped), oldest first, optionally of one type."""
        return [d for d in self.event_deliveries if event_type is None or d.event.get("type") == event_type]

    def _send(
        self,
        team_id: str,
        event: dict[str, Any],
        *,
        install: Installation | None,
        first_timed_out: bool = False,
    ) -> EventDelivery:
        event.setdefault("event_ts", event_ts(self.clock))
        team = self.workspace.teams.get(team_id)
        enterprise_id = team.enterprise_id if team else None
        bot_user = install.bot.user_id if install else bot_user_of(team_id)[0]
        is_org = bool(install and install.is_enterprise_install)
        envelope: dict[str, Any] = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": new_event_id(),
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": None if is_org else team_id,
                    "user_id": bot_user,
                    "is_bot": True,
                    "is_enterprise_install": is_org,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{new_trigger_id().split('.')[-1]}",
        }
        if enterprise_id:
            envelope["enterprise_id"] = enterprise_id
        delivery = EventDelivery(team_id=team_id, envelope=envelope)
        self.event_deliveries.append(delivery)
        if install is None:
            delivery.skipped = "app_not_installed"
            return delivery
        if event.get("type") not in self.event_subscriptions:
            delivery.skipped = "not_subscribed"
            return delivery
        if not self.bot_url and self._socket_deliver() is None:
            delivery.skipped = "no_request_url"
            return delivery
        return deliver_event(
            delivery,
            self.bot_url,
            self.signing_secret,
            deadline=self.ack_deadline,
            retry_delays=self.event_retry_delays,
            socket=self._socket_deliver(),
            first_timed_out=first_timed_out,
        )

    # ---------- App Home ----------

    def home_view(self, team_id: str, user_id: str) -> HomeView | None:
        """The home view published for the user (``views.publish``), or None."""
        return self.home_views.get(team_id, user_id)

    def open_app_home(self, team_id: str, user_id: str) -> EventDelivery:
        """The user opens the app's Home tab: ``app_home_opened`` (``tab: home``, the user's DM with
        the bot as ``channel``, and ``view`` when one was published)."""
        bot_user = self._bot_user(team_id)
        channel = self.workspace.dm_with(team_id, user_id, bot_user)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": channel.id,
            "tab": "home",
        }
        home = self.home_views.get(team_id, user_id)
        if home is not None:
            event["view"] = home.view
        return self.send_event(team_id, event)

    def click_home_button(
        self, team_id: str, user_id: str, action_id: str, value: str | None = None
    ) -> CommandResult:
        """Click a button of the user's home view: a signed ``block_actions`` with
        ``container: {type: view, view_id}``, the ``view`` and a ``trigger_id``, and no
        ``response_url`` (Slack gives none for views). ``value`` overrides the button's value.

        Raises:
            ValueError: no home view published for the user, or no such button in it.
        """
        home = self.home_views.get(team_id, user_id)
        if home is None:
            raise ValueError(f"no home view published for {team_id}/{user_id}")
        button = next((b for b in home.buttons() if b.action_id == action_id), None)
        if button is None:
            raise ValueError(
                f"no button {action_id!r} in the home view; buttons: {[b.action_id for b in home.buttons()]}"
            )
        action = button_action(button if value is None else _with_value(button, value))
        names = names_for(self.workspace, team_id, user_id, "")
        body = home_actions_body(
            home, action, user_id, names, self.triggers.issue(team_id, user_id), self.workspace
        )
        result = self._deliver_form(body, "")
        if result.error is not None:
            self.recorder.add_failure(
                FailedDelivery(
                    error=result.error,
                    kind=f"block_actions {action_id} (home)",
                    team_id=team_id,
                    channel_id="",
                    user_id=user_id,
                    status=result.status,
                    elapsed_ms=result.elapsed_ms,
                    detail=f"status {result.status}, {result.elapsed_ms:.0f} ms: {result.raw_text[:200]}",
                )
            )
        return result

    def _bot_user(self, team_id: str) -> str:
        bot = self.bot_of(team_id)
        return bot.user_id if bot else bot_user_of(team_id)[0]

    # ---------- people's messages and link unfurls ----------

    def post_user_message(
        self, team_id: str, channel_id: str, user_id: str, text: str, thread_ts: str | None = None
    ) -> RecordedMessage:
        """A person posts ``text`` in a channel. When it has links in ``unfurl_domains`` the bot gets
        ``link_shared`` (``source: conversations_history``, an ``unfurl_id``); see ``deliveries``.

        Raises:
            ValueError: no such channel in the team, or no such user.
        """
        channel = self.workspace.channel(team_id, channel_id)
        if channel is None:
            raise ValueError(f"no channel {channel_id!r} in {team_id}")
        if self.workspace.user(team_id, user_id) is None:
            raise ValueError(f"no user {user_id!r} in {team_id}")
        message = self.recorder.add_message(
            RecordedMessage(
                source="user",
                team_id=team_id,
                channel_id=channel.id,
                user_id=None,
                response_type="in_channel",
                text=text,
                ts=self.recorder.next_ts(),
                payload={"text": text, "user": user_id},
                thread_ts=thread_ts,
                sender=user_id,
            )
        )
        links = shared_links(text, self.unfurl_domains)
        if links:
            shared = self.unfurls.add(
                SharedMessage(
                    team_id=team_id,
                    channel_id=channel.id,
                    ts=message.ts,
                    user_id=user_id,
                    thread_ts=thread_ts,
                    links=links,
                    unfurl_id=unfurl_id_for(channel.id, message.ts),
                )
            )
            event: dict[str, Any] = {
                "type": "link_shared",
                "channel": channel.id,
                "is_bot_user_member": self._bot_user(team_id) in channel.members,
                "user": user_id,
                "message_ts": message.ts,
                "unfurl_id": shared.unfurl_id,
                "source": "conversations_history",
                "links": links,
            }
            if thread_ts:
                event["thread_ts"] = thread_ts
            self.send_event(team_id, event)
        return message

    def unfurls_of(self, team_id: str, channel_id: str, ts: str) -> dict[str, Any]:
        """The unfurls ``chat.unfurl`` attached to a person's message (URL -> unfurl)."""
        return self.unfurls.of(team_id, channel_id, ts)

    def auth_prompts(self, team_id: str | None = None) -> list[AuthPrompt]:
        """The ``user_auth_*`` prompts ``chat.unfurl`` showed (each only to the link's sharer)."""
        return [p for p in self.unfurls.prompts() if team_id is None or p.team_id == team_id]

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
        """Forget recorded messages, calls, failures, views, home views, unfurls, events sent and image
        downloads (installations and tokens stay), invalidate every
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
        self.home_views.reset()
        self.unfurls.reset()
        self.event_deliveries.clear()
        self.webapi_down = False

    def _call_bot(
        self, body: bytes, response_url: str, context: ReplyContext, *, kind: str, show_reply: bool
    ) -> CommandResult:
        """Deliver a signed form body and record what Slack would do with the answer."""
        result = self._deliver_form(body, response_url)
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

    def _deliver_form(self, body: bytes, response_url: str) -> CommandResult:
        """Send a command or interaction: over Socket Mode while a hub is connected, else a signed POST.

        Over Socket Mode the payload is what Slack puts in the envelope: a command's form fields as
        a flat dict of strings (``slash_commands``), an interaction's parsed ``payload`` JSON
        (``interactive``); the hub's CommandResult is judged like an HTTP answer.
        """
        if self.socket is not None and self.socket.connected():
            fields = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
            if "payload" in fields:
                kind, payload = "interactive", json.loads(fields["payload"])
            else:
                kind, payload = "slash_commands", fields
            result: CommandResult = self.socket.deliver(kind, payload, timeout=self.ack_deadline)
            if not result.response_url:
                result.response_url = response_url
            return result
        return deliver(
            self._bot(), self.signing_secret, body, response_url=response_url, deadline=self.ack_deadline
        )

    def _socket_deliver(self) -> Callable[..., Any] | None:
        """The Socket Mode hub's ``deliver`` while it is connected, else None."""
        if self.socket is not None and self.socket.connected():
            deliver_: Callable[..., Any] = self.socket.deliver
            return deliver_
        return None

    def _base(self) -> str:
        if self.base_url is None:
            raise RuntimeError("the Slack sandbox is not serving: call start() or set base_url first")
        return self.base_url

    def _bot(self) -> str:
        if not self.bot_url:
            raise RuntimeError("the Slack sandbox has no bot_url to call: set sb.bot_url first")
        return self.bot_url


def _with_query(url: str, query: dict[str, str]) -> str:
    """``url`` with ``query`` added to its query string."""
    parts = urllib.parse.urlsplit(url)
    merged = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(query.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(merged)))


def _next_to(bot_url: str | None, path: str) -> str | None:
    """``path`` on the bot's host when its Request URL ends in ``/slack/events``, else None."""
    if not bot_url or not bot_url.rstrip("/").endswith("/slack/events"):
        return None
    return bot_url.rstrip("/")[: -len("/slack/events")] + path


def _with_value(button: Button, value: str) -> Button:
    return Button(button.action_id, button.text, button.url, value, button.block_id, button.style)


def home_actions_body(
    home: HomeView,
    action: dict[str, Any],
    user_id: str,
    names: Names,
    trigger_id: str,
    workspace: Workspace,
) -> bytes:
    """The form body (``payload=<json>``) of a click in a home view, shaped like Slack's."""
    team = workspace.teams.get(home.team_id)
    enterprise_id = team.enterprise_id if team else None
    enterprise = workspace.enterprises.get(enterprise_id or "")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": names.user_name,
            "name": names.user_name,
            "team_id": home.team_id,
        },
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": home.id},
        "trigger_id": trigger_id,
        "team": {"id": home.team_id, "domain": names.team_domain},
        "enterprise": {"id": enterprise.id, "name": enterprise.name} if enterprise else None,
        "is_enterprise_install": False,
        "view": home.view,
        "state": {"values": {}},
        "actions": [action],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
