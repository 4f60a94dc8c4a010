"""`InstagramSandbox`: the Python face of the sandbox (tests, `igbot dev`, `igbot sandbox instagram`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from bot.threaded_server import RunningServer, start_server
from igbot_sandboxes.instagram.app import create_app
from igbot_sandboxes.instagram.faults import UNSET, Fault, fault_headers
from igbot_sandboxes.instagram.graph.limits import WEEK
from igbot_sandboxes.instagram.graph.tokens import DEFAULT_GRAPH_SCOPE
from igbot_sandboxes.instagram.graph.webhooks import (
    DEFAULT_WEBHOOK_RETRY_DELAYS,
    DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
)
from igbot_sandboxes.instagram.graph.world import GraphWorld, Page, ProAccount
from igbot_sandboxes.instagram.legacy.pushes import DEFAULT_RETRY_DELAYS, DEFAULT_TIMEOUT_SECONDS
from igbot_sandboxes.instagram.legacy.world import World
from igbot_sandboxes.instagram.sandbox_inbox import InboxControls
from igbot_sandboxes.instagram.sandbox_posts import PostsAndPushes
from igbot_sandboxes.instagram.sandbox_tiles import TileControls
from igbot_sandboxes.instagram.state import APIS, DEFAULT_TOKEN_SCOPE, SandboxConfig, SandboxState


class InstagramSandbox(PostsAndPushes, InboxControls, TileControls):
    """A stand-in for the legacy Instagram API v1 (OAuth, /v1 endpoints, pictures) and for today's Graph
    API with Facebook Login (``/facebook/v25.0/dialog/oauth``, ``/graph/v25.0/...``), over one seeded world.

    Args:
        client_id: the one registered app's client id (the Meta app id in graph mode).
        client_secret: its secret.
        rate_limit_per_hour: v1 requests allowed per token (or client id) in a sliding hour.
        code_ttl_seconds: lifetime of authorization codes (both APIs).
        seed: world seed; the same seed always gives the same users and media.
        clock: time source in seconds (inject a fake one to test expiry, rate windows, hashtag weeks).
        graph_rate_limit_per_hour: graph calls allowed per Instagram account in a sliding hour.
        api: ``"both"`` (default), ``"v1"`` or ``"graph"``: which API's routes to serve.
        push_timeout_seconds: a real-time push not answered within this is a failed attempt.
        push_retry_delays: seconds to wait before each retry of a failed push (default 0.5, 1, 2:
            four attempts in all); ``()`` never retries.
        webhook_timeout_seconds: a graph webhook delivery without a 2xx within this is a failed attempt
            (Meta: 5 s).
        webhook_retry_delays: seconds before each retry of a failed webhook delivery (default 0, 0.2,
            0.5, 1, 2, 4: Meta's 36 hours scaled down); ``()`` never retries.
        write_rate_limit_per_hour: v1 comment POST/DELETE calls allowed per token in a sliding hour.
        instagram_app_id: the Instagram app id Instagram Login's authorize page and exchanges accept.
        instagram_app_secret: its secret.
        instagram_login_exchange_shape: how Instagram Login's code exchange answers: ``"flat"``
            (default) or ``"wrapped"`` (``POST /__sandbox__/instagram-login/exchange_shape`` changes it).
        instagram_login_calls_per_hour: ``/instagram-graph/v25.0`` calls allowed per Instagram account
            in a sliding hour (``POST /__sandbox__/instagram-login/budget`` changes one account's).

    New and deleted posts, subscriptions and pushes: `add_media`, `add_graph_media`, `delete_media`,
    `subscriptions`, `pushes`, `wait_pushes_idle` (from `sandbox_posts.PostsAndPushes`).  The comment
    inbox: `add_comment`, `add_mention`, `comments_of`, `set_webhook`, `set_app`, `add_page_role`,
    `webhook_deliveries`, `wait_webhooks_idle` (from `sandbox_inbox.InboxControls`).  Offline map tiles
    (``/tiles/{z}/{x}/{y}.png``): `tile_url_template`, `tile_requests` (from `sandbox_tiles.TileControls`).
    """

    def __init__(
        self,
        client_id: str = "sandbox-client-id",
        client_secret: str = "sandbox-client-secret",  # noqa: S107 - the documented sandbox credential
        rate_limit_per_hour: int = 5000,
        code_ttl_seconds: float = 600,
        seed: int = 1,
        clock: Callable[[], float] | None = None,
        graph_rate_limit_per_hour: int = 4800,
        api: str = "both",
        push_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        push_retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        webhook_timeout_seconds: float = DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
        webhook_retry_delays: tuple[float, ...] = DEFAULT_WEBHOOK_RETRY_DELAYS,
        write_rate_limit_per_hour: int = 60,
        instagram_app_id: str = "sandbox-instagram-app-id",
        instagram_app_secret: str = "sandbox-instagram-app-secret",  # noqa: S107 - the sandbox credential
        instagram_login_exchange_shape: str = "flat",
        instagram_login_calls_per_hour: int = 4800,
    ) -> None:
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}")
        if graph_rate_limit_per_hour <= 0:
            raise ValueError("graph_rate_limit_per_hour must be positive")
        config = SandboxConfig(
            client_id,
            client_secret,
            rate_limit_per_hour,
            code_ttl_seconds,
            seed,
            graph_rate_limit_per_hour=graph_rate_limit_per_hour,
            api=api,
            push_timeout_seconds=push_timeout_seconds,
            push_retry_delays=tuple(push_retry_delays),
            webhook_timeout_seconds=webhook_timeout_seconds,
            webhook_retry_delays=tuple(webhook_retry_delays),
            write_rate_limit_per_hour=write_rate_limit_per_hour,
            instagram_app_id=instagram_app_id,
            instagram_app_secret=instagram_app_secret,
            instagram_login_exchange_shape=instagram_login_exchange_shape,
            instagram_login_calls_per_hour=instagram_login_calls_per_hour,
        )
        self._state = SandboxState(config, clock or time.time)
        self._app = create_app(self._state)
        self._servers: list[RunningServer] = []

    @property
    def wsgi_app(self) -> Flask:
        """The WSGI application (a Flask app)."""
        return self._app

    @property
    def world(self) -> World:
        """The seeded world: ``users``, ``media``, ``locations``, ``user_by_username()``..."""
        return self._state.world

    @property
    def graph_world(self) -> GraphWorld:
        """Graph mode's world: ``fb_users``, ``pages``, ``accounts``, ``media``, ``hashtags()``..."""
        return self._state.graph_mode.world

    def professional_accounts(self) -> list[ProAccount]:
        """Every Instagram professional (business or creator) account Business Discovery can find."""
        return self._state.graph_mode.world.professional_accounts()

    def graph_accounts_of(self, fb_username: str) -> list[dict[str, str]]:
        """The IG professional accounts a Facebook user manages, as ``me/accounts`` reveals them:
        ``[{"page_id", "page_name", "id", "username", "account_type"}]``.

        Raises:
            ValueError: unknown Facebook user.
        """
        return self._state.graph_mode.accounts_of(fb_username)

    @property
    def client_id(self) -> str:
        """The registered client id."""
        return self._state.config.client_id

    @property
    def instagram_app_id(self) -> str:
        """Instagram Login's app id (``client_id`` on its authorize page and exchanges)."""
        return self._state.config.instagram_app_id

    @property
    def instagram_app_secret(self) -> str:
        """Instagram Login's app secret."""
        return self._state.config.instagram_app_secret

    @property
    def client_secret(self) -> str:
        """The registered client secret."""
        return self._state.config.client_secret

    def start(self, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
        """Serve on ``host:port`` (0 = any free port) from a background thread; returns once listening."""
        server = start_server(self._app, host=host, port=port, name="instagram-sandbox")
        self._servers.append(server)
        return server

    def stop(self) -> None:
        """Stop every server `start` started, and the push and webhook delivery threads (queued ones are
        dropped)."""
        self._state.pushes.stop()
        self._state.webhooks.stop()
        while self._servers:
            self._servers.pop().stop()

    def __enter__(self) -> InstagramSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def follows_of(self, username: str) -> dict[str, list[str]]:
        """``{"follows": [usernames], "requested": [usernames]}`` for the user's outgoing edges.

        Raises:
            ValueError: unknown username.
        """
        return self._state.follows_of(username)

    def revoke(self, username: str | None = None, access_token: str | None = None) -> int:
        """Revoke one token, every token of a user, or (no argument) every token; returns how many.

        Covers v1 tokens (of the Instagram user ``username``) and graph tokens (of the Facebook user
        ``username``, which then answer 190 with subcode 460).
        """
        return self._state.revoke(username, access_token)

    def revoke_graph_tokens(
        self, username: str | None = None, access_token: str | None = None, subcode: int = 460
    ) -> int:
        """Invalidate graph tokens only (one, a Facebook user's, or all); they answer 190/``subcode``."""
        return self._state.graph_mode.revoke(username, access_token, subcode)

    def expire_graph_tokens(self, username: str | None = None, access_token: str | None = None) -> int:
        """Make graph tokens expire now (one, a Facebook user's, or all); they answer 190/463."""
        return self._state.graph_mode.expire(username, access_token)

    def issue_graph_token(
        self, fb_username: str, scope: str = DEFAULT_GRAPH_SCOPE, long_lived: bool = True
    ) -> str:
        """A graph token for a Facebook user without the dialog (long-lived unless asked otherwise).

        Raises:
            ValueError: unknown Facebook user or invalid (comma-separated) scope.
        """
        token, _ = self._state.graph_mode.issue_token(fb_username, self.client_id, scope, long_lived)
        return token

    def hashtags_searched(self, ig_username: str) -> list[str]:
        """Hashtags counting against a professional account's 30-per-7-days quota now, newest first.

        Raises:
            ValueError: unknown professional account.
        """
        account = self._state.graph_mode.world.account_by_username(ig_username)
        if account is None:
            raise ValueError(f"no professional account named {ig_username!r}")
        return self._state.graph_mode.hashtags.recent(account.id)

    def record_hashtag_search(self, ig_username: str, *tags: str, seconds_ago: float = 0) -> list[str]:
        """Hashtag searches the professional account made outside igbot (``seconds_ago``): they count
        against its 30-per-7-days quota and show in ``recently_searched_hashtags``; returns
        `hashtags_searched` afterwards.  A tag already counted keeps its first time.

        Raises:
            ValueError: unknown account, a tag without public media, ``seconds_ago`` outside
            0..7 days, or a search the quota refuses (those before it stay recorded).
        """
        mode = self._state.graph_mode
        account = mode.world.account_by_username(ig_username)
        if account is None:
            raise ValueError(f"no professional account named {ig_username!r}")
        if not 0 <= seconds_ago < WEEK:
            raise ValueError("seconds_ago must be within the 7-day window")
        for raw in tags:
            tag = raw.strip().lstrip("#").lower()
            if mode.world.hashtag_id(tag) is None:
                raise ValueError(f"no public media for #{tag}")
            if not mode.hashtags.search(account.id, tag, seconds_ago):
                raise ValueError(
                    f"{ig_username} has already searched {mode.hashtags.limit} hashtags in 7 days"
                )
        return mode.hashtags.recent(account.id)

    def add_graph_pages(self, fb_username: str, count: int, position: str = "before") -> list[Page]:
        """Give a Facebook user ``count`` more Pages without Instagram, listed ``"before"`` (default) or
        ``"after"`` their existing ones in ``me/accounts``, until `reset`; returns the new Pages.
        ``add_graph_pages("bob", 29)`` puts ``bobs_bakery`` on Bob's 30th Page, on the second answer page.

        Raises:
            ValueError: unknown Facebook user, count outside 1..1000, or a bad position.
        """
        return self._state.graph_mode.add_pages(fb_username, count, position)

    def inject_faults(
        self,
        count: int,
        status: int | None = 500,
        error_type: str | None = None,
        error_message: str | None = None,
        latency_ms: int = 0,
        malformed: bool = False,
        path_prefix: str = "/v1",
        error_code: int | None = None,
        error_subcode: int | None = None,
        headers: Mapping[str, Any] | None = None,
        meta_code: Any = UNSET,
    ) -> None:
        """Make the next ``count`` requests under ``path_prefix`` fail.

        Latency comes first (a client with a shorter read timeout sees a timeout); then ``malformed``
        answers 200 with a body that is not JSON, or ``status`` answers with a v1 error envelope
        (flat for ``/oauth``; a 5xx without ``error_type`` answers nginx's HTML page).  ``status=None``
        with a latency only delays the request.  Faults queue in order.

        Under ``/graph`` the answer is a graph error object: with ``error_code`` (and optional
        ``error_subcode``) that code, with HTTP 500 for codes 1 and 2 and 400 otherwise unless
        ``status`` is set to something other than the default 500; without it a code fitting
        ``status`` (5xx -> 2, 400 -> 100, 401 -> 190, 403 -> 200, 429 -> 4).

        ``headers`` go out on the faulted answers as given, over the sandbox's own (``Retry-After``
        ``"²"``, ``X-Business-Use-Case-Usage`` / ``X-App-Usage`` with any JSON text; non-string values
        are serialised with ``json.dumps``, so ``float("inf")`` is ``Infinity``); with ``status=None``
        the answer is the normal one plus these headers.  ``meta_code`` (any JSON value, e.g. ``"abc"``)
        is sent as ``meta.code`` of the v1 error envelope (``code`` of a flat ``/oauth`` error) instead
        of the HTTP status.

        Under ``/tiles/`` (map tiles) ``status`` answers a plain HTML error page (``error_message``:
        that text as text/plain instead), ``malformed`` a truncated PNG with 200, and a long
        ``latency_ms`` (e.g. 30000) is a hang past any client timeout; `reset` ends it early.

        Raises:
            ValueError: a bad status, count, prefix, code or header (see `faults.fault_headers`).
        """
        self._state.inject_faults(
            Fault(
                count,
                status,
                error_type,
                error_message,
                latency_ms,
                malformed,
                path_prefix,
                error_code,
                error_subcode,
                fault_headers(headers),
                meta_code,
            )
        )

    def reset(self) -> None:
        """Back to the seeded world: tokens, codes, follow graph, faults, rate counters, request log,
        graph tokens, hashtag searches, added Pages, added posts (both APIs), subscriptions and pushes,
        comments, Page roles, the webhook callback, the app's switches, Pages' subscribed apps,
        webhook deliveries and the tile request log."""
        self._state.reset()

    def requests_log(self) -> list[dict[str, Any]]:
        """Recent requests (oldest first): method, path, query, form, authorization, status, time.

        Values of ``client_secret``, ``code``, ``access_token`` and ``fb_exchange_token`` are
        ``"[redacted]"``;
        ``redirect_uri`` is kept verbatim.
        Requests to ``/__sandbox__/`` are not logged.
        """
        return self._state.log.entries()

    def issue_token(self, username: str, scope: str = DEFAULT_TOKEN_SCOPE) -> str:
        """An access token for ``username`` without the browser flow.

        Raises:
            ValueError: unknown username or invalid scope.
        """
        token, _ = self._state.issue_token(username, scope)
        return token
