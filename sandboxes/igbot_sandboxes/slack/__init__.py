"""A local Slack stand-in: a real HTTP server on loopback speaking Slack's wire protocols to the bot.

It signs and sends slash commands and button clicks to the bot's Request URL, serves the Web API
(`/api/<method>`) and response URLs (`/respond/<id>`), validates every message against Block Kit's
limits, downloads its image blocks as Slack does (loopback URLs only: ``check_images=False`` turns
that off), can take the Web API down (``sb.webapi_down = True``: 503 ``service_unavailable``), limits
``chat.postMessage`` to Slack's per-channel rate (ratelimit.py: 429 ``ratelimited``), can take the bot
out of a channel or archive it (``sb.set_bot_member``, ``sb.set_archived``: ``not_in_channel``,
``is_archived``), keeps threads (``sb.thread``, ``sb.latest``) and modals (``views.open`` with
single-use 3-second trigger ids; ``sb.open_views``, ``sb.wait_view``, ``sb.submit_view``,
``sb.close_view``), installs the app over OAuth v2 into several workspaces and an Enterprise Grid
org (oauth.py, install_page.py: ``sb.install``, ``sb.uninstall``, token rotation), delivers Events
API events with Slack's retries (events.py: ``sb.send_event``, ``sb.redeliver``), App Home
(home.py: ``views.publish``, ``sb.open_app_home``, ``sb.click_home_button``) and link unfurls
(unfurls.py: ``sb.post_user_message``, ``chat.unfurl``) and records what the bot sent so tests can
wait for it::

    sb = SlackSandbox(signing_secret="s", bot_token="xoxb-t")
    server = sb.start()                      # sb.base_url; the bot's SLACK_API_URL is sb.api_url
    sb.bot_url = f"{bot_server.url}/slack/events"
    sb.send_command(text="help", user_id="U0ALICE")
    sb.wait_for(lambda m: "usage" in m.all_text())
"""

from igbot_sandboxes.slack.blockkit import Validation, check_message, validate_message
from igbot_sandboxes.slack.commands import CommandResult
from igbot_sandboxes.slack.events import EventAttempt, EventDelivery
from igbot_sandboxes.slack.home import HomeView
from igbot_sandboxes.slack.images import ImageCheck, Verdict
from igbot_sandboxes.slack.messages import ApiCall, Button, FailedDelivery, RecordedMessage
from igbot_sandboxes.slack.oauth import Installation
from igbot_sandboxes.slack.sandbox import DEFAULT_BOT_TOKEN, DEFAULT_SIGNING_SECRET
from igbot_sandboxes.slack.server import SlackSandbox
from igbot_sandboxes.slack.unfurls import AuthPrompt
from igbot_sandboxes.slack.views import ModalView, ViewRefused

__all__ = [
    "DEFAULT_BOT_TOKEN",
    "DEFAULT_SIGNING_SECRET",
    "ApiCall",
    "AuthPrompt",
    "Button",
    "CommandResult",
    "EventAttempt",
    "EventDelivery",
    "FailedDelivery",
    "HomeView",
    "ImageCheck",
    "Installation",
    "ModalView",
    "RecordedMessage",
    "SlackSandbox",
    "Validation",
    "Verdict",
    "ViewRefused",
    "check_message",
    "validate_message",
]
