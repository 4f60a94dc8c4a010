"""\"Add to Slack\": installing igbot into any workspace over OAuth v2, on Bolt's own `OAuthFlow`.

`GET /slack/install` answers igbot's install page (and sets Bolt's state cookie), `GET /slack/oauth_redirect`
finishes it: the state is checked against the cookie and the Redis state store (single use, 10 minutes),
the code is exchanged (``oauth.v2.access``), and the installation saved in the Redis installation store.
Success and every failure answer an igbot page that says what happened and what to do next.

Enterprise Grid installs (an org-wide install, or a workspace of a Grid) are refused with a page, and the
token Slack just issued is revoked: igbot keys everything by workspace and does not support Grid yet.
"""

from __future__ import annotations

import logging
from html import escape

from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.slack.errors import code_of
from bot.storage import StorageUnavailable
from bot.web import pages

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot's scopes (app_manifest.yml): the slash command, posting, and link previews.
BOT_SCOPES = ("commands", "chat:write", "links:read", "links:write")

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}

# Bolt's own logger for the flow logs the OAuth code on a failed exchange: keep it to errors.
_bolt_log = logging.getLogger("bot.web.install.bolt")
_bolt_log.setLevel(logging.ERROR)


class GridNotSupported(BoltError):
    """An Enterprise Grid install: refused."""


def _page(page: pages.Page, headers: dict[str, str | list[str]] | None = None) -> BoltResponse:
    return BoltResponse(status=page.status, body=page.html, headers={**PAGE_HEADERS, **(headers or {})})


def install_page(authorize_url: str) -> str:
    """The "Add to Slack" page: what igbot does, and the button to Slack's approval page."""
    return _INSTALL_TEMPLATE.format(url=escape(authorize_url))


_INSTALL_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>igbot: add to Slack</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}
h1{{font-size:1.4rem}} a.button{{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#4a154b;
color:#fff;border-radius:4px;text-decoration:none}}</style></head>
<body><main><h1>Add igbot to your Slack workspace</h1>
<p>igbot lets each person in your workspace connect their own Instagram account and use it from Slack
with <code>/ig</code>: follow people, share photos, channel feeds of new posts, a comment inbox, maps,
and previews of pasted Instagram links.</p>
<p>Slack asks you to approve these permissions: the <code>/ig</code> command, posting messages, and
previewing instagram.com links. Nobody's Instagram is connected until they do it themselves.</p>
<a class="button" id="add-to-slack" href="{url}">Add to Slack</a></main></body></html>
"""

_FAILURES = {
    "access_denied": (200, "igbot was not added", "You cancelled on Slack's page, so nothing changed."),
    "invalid_browser": (
        400,
        "This install link was opened in another browser",
        "Start again from the install page in the same browser.",
    ),
    "invalid_state": (
        400,
        "This install link has expired or was used already",
        "Install links last 10 minutes and work once. Start again from the install page.",
    ),
    "missing_code": (400, "Slack didn't send an approval", "Start again from the install page."),
    "invalid_code": (
        400,
        "Slack didn't accept this approval",
        "It may have been used already or expired. Start again from the install page.",
    ),
    "slack_unreachable": (
        502,
        "Slack didn't answer",
        "Nothing was installed. Start again from the install page in a minute.",
    ),
    "storage_error": (
        503,
        "igbot couldn't save the installation",
        "Nothing was installed. Try again in a minute.",
    ),
}


class IgbotOAuthFlow(OAuthFlow):
    """Bolt's flow with igbot's pages, Grid installs refused, and Redis errors as a failure page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        """igbot's install page."""
        return install_page(url)

    def handle_installation(self, request: BoltRequest) -> BoltResponse:
        """The install page (a storage failure is a page too)."""
        try:
            response = super().handle_installation(request)
        except StorageUnavailable:
            unreachable = "igbot can't reach its storage right now"
            return _page(pages.render(503, unreachable, "Try again in a minute.", ok=False))
        response.headers.update({k.lower(): [v] for k, v in PAGE_HEADERS.items() if k != "Content-Type"})
        return response

    def handle_callback(self, request: BoltRequest) -> BoltResponse:
        """Finish the install (a storage failure while checking the state is a page too)."""
        try:
            return super().handle_callback(request)
        except StorageUnavailable:
            return _failure_page("storage_error")
        except Exception as exc:  # Slack unreachable for the exchange (Bolt catches only its API errors)
            log.warning("an install could not reach Slack (%s)", type(exc).__name__)
            return _failure_page("slack_unreachable")

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        """Save ``installation``, unless it is an Enterprise Grid install (refused, its token revoked)."""
        if installation.enterprise_id or installation.is_enterprise_install:
            self._revoke(installation.bot_token)
            raise GridNotSupported("Enterprise Grid installs are not supported")
        super().store_installation(request, installation)  # a Redis failure: handle_callback's page
        log.info("igbot was installed into a workspace")

    def _revoke(self, token: str | None) -> None:
        if not token:
            return
        try:
            self.client.auth_revoke(token=token)
        except SlackApiError as exc:
            log.warning("could not revoke the token of a refused install (%s)", code_of(exc.response))
        except Exception as exc:
            log.warning("could not revoke the token of a refused install (%s)", type(exc).__name__)


def _failure_page(reason: str) -> BoltResponse:
    other = (
        400,
        "igbot was not added",
        "Something went wrong on the way. Start again from the install page.",
    )
    status, title, detail = _FAILURES.get(reason, other)
    log.info("an install did not finish: %s", reason if reason in _FAILURES else "other")
    return _page(pages.render(status, title, detail, ok=False))


def _success(args: SuccessArgs) -> BoltResponse:
    team = args.installation.team_name or "your workspace"
    return _page(
        pages.render(
            200,
            f"igbot is in {team}",
            "Everyone there can now type /ig help in any channel. Each person connects their own Instagram "
            "with /ig login; nothing is connected until they do.",
            "Open igbot's Home tab in Slack to see your connection and feeds.",
            ok=True,
        )
    )


def _failure(args: FailureArgs) -> BoltResponse:
    if isinstance(args.error, GridNotSupported):
        return _page(
            pages.render(
                400,
                "igbot can't be installed on Enterprise Grid yet",
                "igbot installs into one workspace at a time, and Slack said this install belongs to an "
                "Enterprise Grid organization. Nothing was installed.",
                "Ask your Slack admin, or install igbot in a workspace outside the Grid.",
                ok=False,
            )
        )
    return _failure_page(args.reason)


def oauth_flow(
    *,
    client_id: str,
    client_secret: str,
    public_url: str,
    slack_web_url: str,
    api_client: WebClient,
    installation_store: InstallationStore,
    state_store: OAuthStateStore,
) -> IgbotOAuthFlow:
    """Bolt's OAuth flow for igbot: its paths, scopes, stores and pages; Slack reached through
    ``api_client`` (``SLACK_API_URL``) and the approval page at ``slack_web_url``."""
    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=public_url + REDIRECT_PATH,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=_success, failure=_failure),
        authorization_url=slack_web_url.rstrip("/") + "/oauth/v2/authorize",
        installation_store=installation_store,
        state_store=state_store,
        logger=_bolt_log,
    )
    return IgbotOAuthFlow(client=api_client, logger=_bolt_log, settings=settings)
