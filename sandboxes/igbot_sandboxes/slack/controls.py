"""HTTP equivalents of the Python API under `/__sandbox__/`, for outside harnesses and the console.

- `POST /__sandbox__/command` JSON {text, user_id, channel_id, team_id, command} -> CommandResult
- `POST /__sandbox__/click` JSON {channel_id, ts, action_id, team_id?, user_id?} -> CommandResult
- `POST /__sandbox__/select` JSON {channel_id, ts, action_id, value, team_id?, user_id?} -> CommandResult
- `GET  /__sandbox__/messages?channel_id=&user_id=&team_id=&since=` -> messages with ``seq > since``
- `GET  /__sandbox__/commands?since=` -> what was typed through `/command` and the failures Slack showed
  (the console's half of the conversation, see console/log.py)
- `GET  /__sandbox__/api_calls?method=`, `GET /__sandbox__/failures`, `GET /__sandbox__/workspace`
- `POST /__sandbox__/faults` JSON {"webapi": "down"|"up"} -> {ok, webapi}: while down every `/api/<method>`
  answers 503 `service_unavailable` (response URLs keep working); `GET /__sandbox__/faults` -> {webapi}
- `POST /__sandbox__/latency` JSON {"response_url": seconds} -> {ok, response_url}: response URLs take
  and record each post at once and answer it after that many seconds (0: at once; undone by reset);
  `GET /__sandbox__/latency` -> {response_url}
- `POST /__sandbox__/config` JSON {bot_url?, check_images?, post_rate_per_channel?, post_burst?,
  bot_scopes?} -> {ok, bot_url, base_url, check_images, post_rate_per_channel, post_burst, bot_scopes}:
  `post_rate_per_channel` messages/second/channel for chat.postMessage (null or 0: unlimited; buckets
  refill), `bot_scopes` a list (or comma string) such as ["commands", "chat:write", "chat:write.public"]
- `POST /__sandbox__/channels` JSON {channel_id, team_id?, bot_member?: bool, archived?: bool} -> {ok,
  channel}: take the bot out of a channel or put it back, archive or unarchive it (undone by reset);
  404 for an unknown channel
- `GET  /__sandbox__/views?user_id=&team_id=&all=` -> the open modals (``all=1``: closed ones too),
  each ``{id, team_id, user_id, view, errors, open, closed_by, submissions, seq}``
- `GET  /__sandbox__/thread?channel_id=&ts=&team_id=` -> the replies in that message's thread
- `POST /__sandbox__/submit_view` JSON {view_id, values: {action_id: text}, user_id?} -> {ok, result,
  view}: the bot's ack applied (``view.open`` false once closed, ``view.errors`` from
  ``response_action: errors``); 400 {ok: false, error, errors: {block_id: text}} when Slack's client
  would refuse (a required field left empty), 404 for a view that is not open
- `POST /__sandbox__/close_view` JSON {view_id, user_id?} -> {ok, notified, result}: the user cancels
- `POST /__sandbox__/reset` (also brings the Web API back up)

Installations, events, App Home and unfurls:

- `GET  /__sandbox__/installations` -> every installation ({key, team_id, enterprise_id,
  is_enterprise_install, bot, scopes, installer_user_id, active, ...})
- `POST /__sandbox__/install` JSON {team_id, redirect_uri?, state?, scopes?, user_scopes?, user_id?}
  -> {ok, redirect}: "Allow" pressed on the authorize page; 400 for an unknown team
- `POST /__sandbox__/uninstall` JSON {team_id} -> {ok, deliveries}; 404 when not installed
- `POST /__sandbox__/tokens/expire` JSON {team_id?} -> {ok, expired}: expiring access tokens expire now
- `POST /__sandbox__/event` JSON {team_id, event, first_timed_out?} -> the EventDelivery
- `GET  /__sandbox__/events?type=` -> every EventDelivery (with its attempts)
- `POST /__sandbox__/verify_url` -> {ok, echoed}: Slack's Request URL check (url_verification)
- `POST /__sandbox__/user_message` JSON {team_id, channel_id, user_id, text, thread_ts?} -> {ok,
  message}: a person posts a message (links in unfurl domains send link_shared)
- `GET  /__sandbox__/auth_prompts?team_id=` -> the chat.unfurl user_auth prompts
- `GET  /__sandbox__/home?team_id=&user_id=` -> {view}: the published home view or null
- `POST /__sandbox__/app_home_opened` JSON {team_id, user_id} -> the EventDelivery
- `POST /__sandbox__/home_click` JSON {team_id, user_id, action_id, value?} -> CommandResult
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from igbot_sandboxes.slack.console.log import ConsoleLog, failure_text
from igbot_sandboxes.slack.views import ViewRefused
from igbot_sandboxes.slack.workspace import SANDBOX_TEAM_ID

if TYPE_CHECKING:
    from igbot_sandboxes.slack.commands import CommandResult
    from igbot_sandboxes.slack.messages import RecordedMessage
    from igbot_sandboxes.slack.sandbox import SlackStandIn


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(ok=False, error=message), status


def _scopes(raw: Any) -> tuple[str, ...]:
    """Scopes from a list of names or a comma-separated string.

    Raises:
        ValueError: anything else.
    """
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list) or not all(isinstance(s, str) and s for s in raw):
        raise ValueError("bot_scopes must be a list of scope names or a comma-separated string")
    return tuple(raw)


def controls_blueprint(sandbox: SlackStandIn, log: ConsoleLog | None = None) -> Blueprint:
    """Routes under `/__sandbox__/` driving and inspecting ``sandbox``; commands are echoed into ``log``."""
    bp = Blueprint("slack_controls", __name__, url_prefix="/__sandbox__")
    log = log or ConsoleLog(sandbox.recorder.next_ts)

    def note_failure(error: str | None, subject: str, team_id: str, channel_id: str, user_id: str) -> None:
        """Show the user what Slack would: the command or button failed, and why."""
        if error is not None:
            where = {"team_id": team_id, "channel_id": channel_id, "user_id": user_id}
            log.add("failure", **where, text=failure_text(subject, error), error=error)

    @bp.post("/command")
    def command() -> Response | tuple[Response, int]:
        body = _json_body()
        if not sandbox.bot_url:
            return _error("bot_url is not set", 409)
        text, command = str(body.get("text", "")), str(body.get("command", "/ig"))
        where = {
            "team_id": str(body.get("team_id", SANDBOX_TEAM_ID)),
            "channel_id": str(body.get("channel_id", "C0GENERAL")),
            "user_id": str(body.get("user_id", "U0ALICE")),
        }
        log.add("command", **where, text=f"{command} {text}".strip())
        result = sandbox.send_command(text=text, command=command, **where)
        note_failure(result.error, command, **where)
        return jsonify(result.to_dict())

    def interact(
        kind: str, act: Callable[[RecordedMessage, dict[str, Any]], CommandResult]
    ) -> Response | tuple[Response, int]:
        """Find the message named by the JSON body, run ``act`` on it, and note a failed delivery."""
        body = _json_body()
        team_id = str(body.get("team_id", SANDBOX_TEAM_ID))
        message = sandbox.recorder.find(team_id, str(body.get("channel_id", "")), str(body.get("ts", "")))
        if message is None:
            return _error("message_not_found", 404)
        if not sandbox.bot_url:
            return _error("bot_url is not set", 409)
        try:
            result = act(message, body)
        except ValueError as err:
            return _error(str(err), 400)
        clicker = str(body.get("user_id") or message.user_id or "U0ALICE")
        note_failure(result.error, kind, message.team_id, message.channel_id, clicker)
        return jsonify(result.to_dict())

    @bp.post("/click")
    def click() -> Response | tuple[Response, int]:
        """Click a button: JSON {channel_id, ts, action_id, team_id?, user_id?}."""
        return interact(
            "button", lambda m, b: sandbox.click_button(m, str(b.get("action_id", "")), b.get("user_id"))
        )

    @bp.post("/select")
    def select() -> Response | tuple[Response, int]:
        """Pick an option of a static_select: JSON {channel_id, ts, action_id, value, team_id?, user_id?}."""
        return interact(
            "menu",
            lambda m, b: sandbox.select_option(
                m, str(b.get("action_id", "")), str(b.get("value", "")), b.get("user_id")
            ),
        )

    @bp.get("/messages")
    def messages() -> Response | tuple[Response, int]:
        since = request.args.get("since") or None
        if since is not None and not since.isdigit():
            return _error("since must be a message seq number", 400)
        found = sandbox.recorder.messages(
            request.args.get("channel_id") or None,
            request.args.get("user_id") or None,
            team_id=request.args.get("team_id") or None,
            since=int(since) if since is not None else None,
        )
        return jsonify([m.to_dict() for m in found])

    @bp.get("/commands")
    def commands() -> Response | tuple[Response, int]:
        since = request.args.get("since") or None
        if since is not None and not since.isdigit():
            return _error("since must be an entry seq number", 400)
        return jsonify([e.to_dict() for e in log.entries(int(since) if since is not None else None)])

    @bp.get("/api_calls")
    def api_calls() -> Response:
        return jsonify([c.to_dict() for c in sandbox.api_calls(request.args.get("method") or None)])

    @bp.get("/failures")
    def failures() -> Response:
        return jsonify([f.to_dict() for f in sandbox.failures()])

    @bp.get("/workspace")
    def workspace() -> Response:
        snapshot = sandbox.workspace.snapshot()
        for team in snapshot["teams"]:
            bot = sandbox.bot_of(team["id"])
            team["installed"] = bot is not None
            team["bot_user_id"] = bot.user_id if bot else None
        snapshot["enterprises"] = [
            {
                "id": e.id,
                "name": e.name,
                "team_ids": list(e.team_ids),
                "installed": sandbox.installs.installation(e.id) is not None,
            }
            for e in sandbox.workspace.enterprises.values()
        ]
        return jsonify(snapshot)

    @bp.get("/faults")
    def faults() -> Response:
        return jsonify(webapi="down" if sandbox.webapi_down else "up")

    @bp.post("/faults")
    def set_faults() -> Response | tuple[Response, int]:
        body = _json_body()
        if "webapi" in body:
            if body["webapi"] not in ("down", "up"):
                return _error('webapi must be "down" or "up"', 400)
            sandbox.webapi_down = body["webapi"] == "down"
        return jsonify(ok=True, webapi="down" if sandbox.webapi_down else "up")

    @bp.get("/latency")
    def latency() -> Response:
        return jsonify(response_url=sandbox.response_urls.answer_delay)

    @bp.post("/latency")
    def set_latency() -> Response | tuple[Response, int]:
        body = _json_body()
        if "response_url" in body:
            delay = body["response_url"]
            if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 600:
                return _error("response_url must be a number of seconds from 0 to 600", 400)
            sandbox.response_urls.answer_delay = float(delay)
        return jsonify(ok=True, response_url=sandbox.response_urls.answer_delay)

    @bp.post("/config")
    def config() -> Response | tuple[Response, int]:
        body = _json_body()
        if "check_images" in body and not isinstance(body["check_images"], bool):
            return _error("check_images must be true or false", 400)
        try:
            scopes = _scopes(body.get("bot_scopes")) if "bot_scopes" in body else None
            if "post_rate_per_channel" in body or "post_burst" in body:
                rate = body.get("post_rate_per_channel", sandbox.post_limits.rate)
                if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
                    raise ValueError("post_rate_per_channel must be a number or null")
                sandbox.set_post_rate(rate, body.get("post_burst", sandbox.post_limits.burst))
        except ValueError as err:
            return _error(str(err), 400)
        if scopes is not None:
            sandbox.bot_scopes = scopes
        if "bot_url" in body:
            sandbox.bot_url = str(body["bot_url"]) if body["bot_url"] else None
        if "check_images" in body:
            sandbox.images.enabled = body["check_images"]
        return jsonify(
            ok=True,
            bot_url=sandbox.bot_url,
            base_url=sandbox.base_url,
            check_images=sandbox.images.enabled,
            post_rate_per_channel=sandbox.post_limits.rate,
            post_burst=sandbox.post_limits.burst,
            bot_scopes=list(sandbox.bot_scopes),
        )

    @bp.post("/channels")
    def channels() -> Response | tuple[Response, int]:
        body = _json_body()
        changes = {k: body[k] for k in ("bot_member", "archived") if k in body}
        if not changes or not all(isinstance(v, bool) for v in changes.values()):
            return _error("give bot_member and/or archived, each true or false", 400)
        team_id = str(body.get("team_id", SANDBOX_TEAM_ID))
        channel_id = str(body.get("channel_id", ""))
        try:
            if "bot_member" in changes:
                sandbox.set_bot_member(channel_id, changes["bot_member"], team_id)
            if "archived" in changes:
                sandbox.set_archived(channel_id, changes["archived"], team_id)
        except ValueError as err:
            return _error(str(err), 404)
        channel = sandbox.workspace.channel(team_id, channel_id)
        assert channel is not None
        return jsonify(ok=True, channel={**channel.to_api(""), "members": sorted(channel.members)})

    @bp.get("/views")
    def views() -> Response:
        team_id, user_id = request.args.get("team_id") or None, request.args.get("user_id") or None
        if request.args.get("all") in ("1", "true"):
            found = [
                v
                for v in sandbox.views.all()
                if (user_id is None or v.user_id == user_id) and (team_id is None or v.team_id == team_id)
            ]
        else:
            found = sandbox.open_views(user_id, team_id)
        return jsonify([v.to_dict() for v in found])

    @bp.get("/thread")
    def thread() -> Response:
        team_id = request.args.get("team_id") or SANDBOX_TEAM_ID
        replies = sandbox.thread(request.args.get("channel_id", ""), request.args.get("ts", ""), team_id)
        return jsonify([m.to_dict() for m in replies])

    def view_of(body: dict[str, Any]) -> str | tuple[Response, int]:
        view_id = str(body.get("view_id", ""))
        modal = sandbox.views.get(view_id)
        if modal is None or not modal.open:
            return _error(f"view {view_id!r} is not open", 404)
        if not sandbox.bot_url:
            return _error("bot_url is not set", 409)
        return view_id

    @bp.post("/submit_view")
    def submit_view() -> Response | tuple[Response, int]:
        body = _json_body()
        view_id = view_of(body)
        if not isinstance(view_id, str):
            return view_id
        values = body.get("values") or {}
        if not isinstance(values, dict):
            return _error("values must map action_id to text", 400)
        try:
            result = sandbox.submit_view(
                view_id, {str(k): "" if v is None else str(v) for k, v in values.items()}, body.get("user_id")
            )
        except ViewRefused as err:
            return jsonify(ok=False, error="refused_by_client", errors=err.errors), 400
        except ValueError as err:
            return _error(str(err), 400)
        modal = sandbox.views.get(view_id)
        return jsonify(ok=True, result=result.to_dict(), view=modal.to_dict() if modal else None)

    @bp.post("/close_view")
    def close_view() -> Response | tuple[Response, int]:
        body = _json_body()
        view_id = view_of(body)
        if not isinstance(view_id, str):
            return view_id
        try:
            result = sandbox.close_view(view_id, body.get("user_id"))
        except ValueError as err:
            return _error(str(err), 400)
        return jsonify(ok=True, notified=result is not None, result=result.to_dict() if result else None)

    @bp.get("/installations")
    def installations() -> Response:
        return jsonify([i.to_dict() for i in sandbox.installations()])

    @bp.post("/install")
    def install() -> Response | tuple[Response, int]:
        body = _json_body()
        try:
            url = sandbox.install(
                str(body.get("team_id", SANDBOX_TEAM_ID)),
                redirect_uri=body.get("redirect_uri") or None,
                state=str(body.get("state", "")),
                scopes=_scopes(body["scopes"]) if "scopes" in body else None,
                user_scopes=_scopes(body.get("user_scopes") or []) if body.get("user_scopes") else (),
                user_id=body.get("user_id") or None,
            )
        except ValueError as err:
            return _error(str(err), 400)
        return jsonify(ok=True, redirect=url)

    @bp.post("/uninstall")
    def uninstall() -> Response | tuple[Response, int]:
        body = _json_body()
        try:
            deliveries = sandbox.uninstall(str(body.get("team_id", SANDBOX_TEAM_ID)))
        except ValueError as err:
            return _error(str(err), 404)
        except RuntimeError as err:
            return _error(str(err), 409)
        return jsonify(ok=True, deliveries=[d.to_dict() for d in deliveries])

    @bp.post("/tokens/expire")
    def expire_tokens() -> Response:
        body = _json_body()
        return jsonify(ok=True, expired=sandbox.expire_tokens(body.get("team_id") or None))

    @bp.post("/event")
    def event() -> Response | tuple[Response, int]:
        body = _json_body()
        if not isinstance(body.get("event"), dict) or not body["event"].get("type"):
            return _error("event must be an object with a type", 400)
        if not sandbox.bot_url and sandbox.socket is None:
            return _error("bot_url is not set", 409)
        delivery = sandbox.send_event(
            str(body.get("team_id", SANDBOX_TEAM_ID)),
            body["event"],
            first_timed_out=bool(body.get("first_timed_out")),
        )
        return jsonify(delivery.to_dict())

    @bp.get("/events")
    def events() -> Response:
        return jsonify([d.to_dict() for d in sandbox.deliveries(request.args.get("type") or None)])

    @bp.post("/verify_url")
    def verify_url() -> Response | tuple[Response, int]:
        if not sandbox.bot_url:
            return _error("bot_url is not set", 409)
        return jsonify(ok=True, echoed=sandbox.verify_request_url())

    @bp.post("/user_message")
    def user_message() -> Response | tuple[Response, int]:
        body = _json_body()
        try:
            message = sandbox.post_user_message(
                str(body.get("team_id", SANDBOX_TEAM_ID)),
                str(body.get("channel_id", "C0GENERAL")),
                str(body.get("user_id", "U0ALICE")),
                str(body.get("text", "")),
                thread_ts=body.get("thread_ts") or None,
            )
        except ValueError as err:
            return _error(str(err), 400)
        except RuntimeError as err:
            return _error(str(err), 409)
        return jsonify(ok=True, message=message.to_dict())

    @bp.get("/auth_prompts")
    def auth_prompts() -> Response:
        return jsonify([p.to_dict() for p in sandbox.auth_prompts(request.args.get("team_id") or None)])

    @bp.get("/home")
    def home() -> Response:
        team_id = request.args.get("team_id") or SANDBOX_TEAM_ID
        view = sandbox.home_view(team_id, request.args.get("user_id") or "U0ALICE")
        return jsonify(view=view.to_dict() if view else None)

    @bp.post("/app_home_opened")
    def app_home_opened() -> Response | tuple[Response, int]:
        body = _json_body()
        try:
            delivery = sandbox.open_app_home(
                str(body.get("team_id", SANDBOX_TEAM_ID)), str(body.get("user_id", "U0ALICE"))
            )
        except RuntimeError as err:
            return _error(str(err), 409)
        return jsonify(delivery.to_dict())

    @bp.post("/home_click")
    def home_click() -> Response | tuple[Response, int]:
        body = _json_body()
        team_id, user_id = str(body.get("team_id", SANDBOX_TEAM_ID)), str(body.get("user_id", "U0ALICE"))
        try:
            result = sandbox.click_home_button(
                team_id, user_id, str(body.get("action_id", "")), body.get("value")
            )
        except ValueError as err:
            return _error(str(err), 400)
        except RuntimeError as err:
            return _error(str(err), 409)
        note_failure(result.error, "button", team_id, "", user_id)
        return jsonify(result.to_dict())

    @bp.post("/reset")
    def reset() -> Response:
        sandbox.reset()
        log.reset()
        return jsonify(ok=True)

    return bp
