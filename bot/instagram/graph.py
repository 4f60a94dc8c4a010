"""Today's Instagram: the Graph API through Facebook Login for Business (docs/instagram-graph.md).

Quirks of this generation live here and in `graph_parsing.py`: a Facebook login dialog with
comma-separated scopes, a short-lived code exchange followed by a long-lived token exchange, Instagram
professional accounts found through the user's Pages, and errors decided on the graph ``code``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from bot.instagram import graph_parsing as parse
from bot.instagram.client import ClientConfig, Pool
from bot.instagram.errors import ExchangeRejected, InstagramError, NotFound, Unavailable
from bot.instagram.models import (
    Account,
    Authorization,
    Capability,
    Credentials,
    FollowResult,
    HashtagLimit,
    Media,
)

SCOPES = ("instagram_basic", "pages_show_list", "pages_read_engagement", "instagram_manage_insights")
ACCOUNT_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url"
MEDIA_FIELDS = (
    "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,like_count,comments_count,username"
)
HASHTAG_MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,like_count,comments_count"


class GraphInstagram:
    """The Graph API backend (Facebook Login variant).

    Args:
        config: the Meta app, its URLs, timeouts and pool size.
        clock: seconds since the epoch (token expiry), injectable for tests.
    """

    capabilities = frozenset(
        {Capability.PROFILE, Capability.POPULAR_BY_TAG, Capability.RECENT, Capability.ACCOUNT_DETAILS}
    )
    hashtag_limit: HashtagLimit | None = HashtagLimit(tags=30, days=7)

    def __init__(self, config: ClientConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._pool = Pool(config.pool_size)
        self._session = self._pool.mount(requests.Session())

    def authorization_url(self, state: str) -> str:
        """The Facebook login dialog asking for the permissions igbot uses."""
        session = OAuth2Session(
            self._config.client_id,
            redirect_uri=self._config.redirect_uri,
            scope=",".join(SCOPES),
            state=state,
        )
        url, _ = session.authorization_url(self._config.authorize_url)
        return str(url)

    def exchange_code(self, code: str) -> Authorization:
        """Code -> short-lived token -> long-lived token -> the Instagram accounts it may act as."""
        session = OAuth2Session(
            self._config.client_id, redirect_uri=self._config.redirect_uri, scope=",".join(SCOPES)
        )
        self._pool.mount(session)
        session.register_compliance_hook("access_token_response", parse.raise_for_token_error)
        try:
            short = session.fetch_token(
                self._config.token_url,
                code=code,
                client_secret=self._config.client_secret,
                include_client_id=True,
                method="GET",
                timeout=self._config.timeout,
            )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None
        except (OAuth2Error, ValueError) as exc:
            raise ExchangeRejected(f"token answer not understood ({type(exc).__name__})") from None
        long = self._get(
            "/oauth/access_token",
            None,
            grant_type="fb_exchange_token",
            client_id=self._config.client_id,
            client_secret=self._config.client_secret,
            fb_exchange_token=str(short.get("access_token", "")),
        )
        token = str(long.get("access_token") or "")
        if not token:
            raise ExchangeRejected("long-lived exchange gave no token")
        expires_in = long.get("expires_in")
        expires_at = int(self._clock()) + expires_in if isinstance(expires_in, int) else None
        accounts = self.accounts(Credentials(token=token))
        return Authorization(
            token=token, scope=",".join(SCOPES), accounts=tuple(accounts), expires_at=expires_at
        )

    def _get(self, path: str, token: str | None, *, lookup: str = "", **params: str | int) -> dict[str, Any]:
        if token is not None:
            params["access_token"] = token
        try:
            response = self._session.get(
                f"{self._config.api_url}{path}", params=params, timeout=self._config.timeout
            )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None  # the text may hold the URL, and the URL a token
        return parse.body_or_error(response, lookup=lookup)

    def accounts(self, creds: Credentials) -> list[Account]:
        """Instagram professional accounts connected to the user's Facebook Pages."""
        fields = "name,instagram_business_account{id,username,name,profile_picture_url}"
        return parse.page_accounts(self._get("/me/accounts", creds.token, fields=fields))

    def own_account(self, creds: Credentials) -> Account:
        """The linked professional account with its counts."""
        return parse.account(self._get(f"/{creds.ig_user_id}", creds.token, fields=ACCOUNT_FIELDS))

    def find_account(self, creds: Credentials, username: str) -> Account:
        """Business Discovery: only professional accounts can be found."""
        fields = f"business_discovery.username({username}){{{ACCOUNT_FIELDS}}}"
        body = self._get(f"/{creds.ig_user_id}", creds.token, lookup=username, fields=fields)
        found = body.get("business_discovery")
        if not isinstance(found, dict):
            raise NotFound(username, parse.PROFESSIONAL_ONLY)
        return parse.account(found)

    def set_following(self, creds: Credentials, username: str, *, follow: bool) -> FollowResult:
        """Not possible on any current Instagram API (no Capability.FOLLOW)."""
        raise InstagramError("the Graph API cannot follow or unfollow")

    def popular(self, count: int, creds: Credentials | None = None) -> list[Media]:
        """Not possible: there is no popular feed any more (no Capability.POPULAR)."""
        raise InstagramError("the Graph API has no popular feed")

    def tagged(self, creds: Credentials, tag: str, count: int) -> list[Media]:
        """Top media for ``#tag`` (hashtag search, then top_media)."""
        try:
            found = self._get("/ig_hashtag_search", creds.token, lookup=tag, user_id=creds.ig_user_id, q=tag)
        except NotFound:
            return []
        ids = [
            str(item.get("id"))
            for item in found.get("data") or []
            if isinstance(item, dict) and item.get("id")
        ]
        if not ids:
            return []
        # Hashtag media cannot carry a video's thumbnail, so videos have no picture: ask for spares.
        top = self._get(
            f"/{ids[0]}/top_media",
            creds.token,
            user_id=creds.ig_user_id,
            fields=HASHTAG_MEDIA_FIELDS,
            limit=min(50, count * 3),
        )
        return parse.media_list(top, count)

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        """The linked account's latest posts."""
        body = self._get(f"/{creds.ig_user_id}/media", creds.token, fields=MEDIA_FIELDS, limit=count)
        return parse.media_list(body, count)
