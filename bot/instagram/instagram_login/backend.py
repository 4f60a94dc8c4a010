"""Meta's Instagram API with Instagram Login (docs/instagram-login.md): a professional account logs in
with Instagram itself, no Facebook Page, and the API is ``graph.instagram.com``.

Quirks of this backend live here and in `parsing.py`: Instagram's own authorize page (``enable_fb_login=0``),
a form POST code exchange answering in two shapes, a 60-day token from the unversioned
``/access_token``, and one account per login (the one that logged in). This API has no call for other
accounts, hashtags, follows, places or a popular feed: those methods raise `InstagramError`, and
``capabilities`` never offers them, so commands answer honestly before any call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from requests_oauthlib import OAuth2Session

from bot.instagram.config import ClientConfig, Pool
from bot.instagram.errors import InstagramError, LinkRejected, ScopeDeclined, Unavailable
from bot.instagram.graph import parsing as graph_parse
from bot.instagram.instagram_login import parsing as parse
from bot.instagram.instagram_login.wording import ACCOUNT_FACTS
from bot.instagram.models import (
    Account,
    Authorization,
    Capability,
    Comment,
    Credentials,
    FeedSource,
    FollowResult,
    HashtagLimit,
    InboxEvent,
    InboxItem,
    MapArea,
    Media,
    token_fingerprint,
)

SCOPES = ("instagram_business_basic", "instagram_business_manage_comments")
BASIC_SCOPE = SCOPES[0]  # without it not even /me answers: a login without it links nothing
ME_FIELDS = "user_id,username,account_type,profile_picture_url,name,followers_count,media_count"
MEDIA_FIELDS = (
    "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,username,like_count,comments_count"
)
NOT_HERE = "Instagram Login has no call for this"


class InstagramLogin:
    """The Instagram Login backend.

    Args:
        config: the Instagram app (its id and secret), its URLs, timeouts and pool size.
        clock: seconds since the epoch (token expiry), injectable for tests.
    """

    capabilities = frozenset({Capability.RECENT, Capability.ACCOUNT_DETAILS})
    hashtag_limit: HashtagLimit | None = None
    account_facts = ACCOUNT_FACTS
    feed_kinds: frozenset[str] = frozenset()

    def __init__(self, config: ClientConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._pool = Pool(config.pool_size)
        self._session = self._pool.mount(requests.Session())

    def authorization_url(self, state: str) -> str:
        """Instagram's own login page asking for the permissions igbot uses (no Facebook login offered)."""
        session = OAuth2Session(
            self._config.client_id,
            redirect_uri=self._config.redirect_uri,
            scope=",".join(SCOPES),
            state=state,
        )
        url, _ = session.authorization_url(self._config.authorize_url, enable_fb_login="0")
        return str(url)

    def exchange_code(self, code: str) -> Authorization:
        """Code -> short-lived token (either answer shape) -> 60-day token -> the account that logged in.

        A partial grant links with what was granted; one without ``instagram_business_basic`` links
        nothing (ScopeDeclined). A personal account has no account igbot can use (no accounts).
        """
        form = {
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
            "grant_type": "authorization_code",
            "redirect_uri": self._config.redirect_uri,
            "code": code,
        }
        short = parse.exchange(self._token_call("POST", self._config.token_url, data=form))
        if BASIC_SCOPE not in short.permissions:
            raise ScopeDeclined(f"{BASIC_SCOPE} not granted")
        params = {
            "grant_type": "ig_exchange_token",
            "client_secret": self._config.client_secret,
            "access_token": short.token,
        }
        root = parse.graph_root(self._config.api_url)
        token, expires_at = parse.long_lived(
            self._token_call("GET", f"{root}/access_token", params=params), int(self._clock())
        )
        me = self._get("/me", token, fields=ME_FIELDS)
        accounts = (parse.account(me, short.user_id),) if parse.is_professional(me) else ()
        return Authorization(
            token=token, scope=",".join(short.permissions), accounts=accounts, expires_at=expires_at
        )

    def _token_call(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """A token endpoint's JSON answer; its errors as ExchangeRejected or Unavailable."""
        try:
            response = self._session.request(
                method, url, data=data, params=params, timeout=self._config.timeout
            )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None  # the text may hold the URL, and the URL a token
        parse.raise_for_exchange_error(response)
        return response.json()

    def _get(self, path: str, token: str, **params: str | int) -> dict[str, Any]:
        """GET ``path`` of the API with ``token``; Graph error objects as typed errors."""
        try:
            response = self._session.get(
                f"{self._config.api_url}{path}",
                params={**params, "access_token": token},
                timeout=self._config.timeout,
            )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None
        try:
            return graph_parse.body_or_error(response)
        except LinkRejected as rejected:  # name the refused token, so that only its own link is removed
            rejected.token_fingerprint = token_fingerprint(token)
            raise

    def accounts(self, creds: Credentials) -> list[Account]:
        """The one account these credentials act as: the one that logged in."""
        return [self.own_account(creds)]

    def own_account(self, creds: Credentials) -> Account:
        """The linked account with its counts (``/me``)."""
        return parse.account(self._get("/me", creds.token, fields=ME_FIELDS), creds.ig_user_id)

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        """The linked account's latest posts (``/me/media``)."""
        body = self._get("/me/media", creds.token, fields=MEDIA_FIELDS, limit=count)
        return graph_parse.media_list(body, count)

    def post_by_shortcode(self, creds: Credentials | None, shortcode: str) -> Media | None:
        """Link previews are not offered in this mode yet: no post is one igbot may show (no call)."""
        return None

    def searched_hashtags(self, creds: Credentials) -> list[str]:
        """No hashtag search, so no limit: []."""
        return []

    def inbox_events(self, body: object) -> list[InboxEvent]:
        """No inbox in this mode yet: no webhook body announces anything."""
        return []

    # What this API cannot do (no capability offers it): the "not supported here" path.

    def find_account(self, creds: Credentials, username: str) -> Account:
        """Not possible: no Business Discovery with Instagram Login (no Capability.PROFILE)."""
        raise InstagramError(f"{NOT_HERE}: other accounts")

    def set_following(self, creds: Credentials, username: str, *, follow: bool) -> FollowResult:
        """Not possible on any current Instagram API (no Capability.FOLLOW)."""
        raise InstagramError(f"{NOT_HERE}: follow or unfollow")

    def popular(self, count: int, creds: Credentials | None = None) -> list[Media]:
        """Not possible: there is no popular feed (no Capability.POPULAR)."""
        raise InstagramError(f"{NOT_HERE}: a popular feed")

    def tagged(
        self, creds: Credentials, tag: str, count: int, *, counted: Callable[[str], None] | None = None
    ) -> list[Media]:
        """Not possible: no hashtag search with Instagram Login (no Capability.POPULAR_BY_TAG)."""
        raise InstagramError(f"{NOT_HERE}: hashtags")

    def resolve_feed(
        self, creds: Credentials, kind: str, value: str, *, counted: Callable[[str], None] | None = None
    ) -> FeedSource:
        """No channel feeds in this mode yet (no Capability.FEEDS, no ``feed_kinds``)."""
        raise InstagramError(f"{NOT_HERE}: a {kind} feed")

    def start_push(self, source: FeedSource, callback_url: str, verify_token: str) -> tuple[str, str]:
        """No push for new media."""
        raise InstagramError(f"{NOT_HERE}: push for new media")

    def stop_push(self, subscription_id: str) -> None:
        """Nothing was started, so nothing to stop."""

    def feed_media(self, creds: Credentials, source: FeedSource, count: int) -> list[Media]:
        """No channel feeds in this mode yet (no Capability.FEEDS)."""
        raise InstagramError(f"{NOT_HERE}: feeds")

    def enable_inbox(self, creds: Credentials) -> None:
        """No inbox in this mode yet (no Capability.INBOX)."""
        raise InstagramError(f"{NOT_HERE}: the inbox (not yet)")

    def inbox_item(self, creds: Credentials, event: InboxEvent) -> InboxItem | None:
        """No inbox in this mode yet (no Capability.INBOX)."""
        raise InstagramError(f"{NOT_HERE}: the inbox (not yet)")

    def new_comments(self, creds: Credentials, posts: int) -> list[InboxItem]:
        """No inbox in this mode yet (no Capability.INBOX)."""
        raise InstagramError(f"{NOT_HERE}: the inbox (not yet)")

    def reply_to_comment(self, creds: Credentials, comment: Comment, text: str) -> None:
        """No inbox in this mode yet (no Capability.INBOX)."""
        raise InstagramError(f"{NOT_HERE}: comments (not yet)")

    def reply_to_mention(self, creds: Credentials, media_id: str, comment_id: str, text: str) -> None:
        """No inbox in this mode yet (no Capability.MENTIONS)."""
        raise InstagramError(f"{NOT_HERE}: mentions (not yet)")

    def hide_comment(self, creds: Credentials, comment: Comment, hidden: bool) -> None:
        """No inbox in this mode yet (no Capability.HIDE_COMMENTS)."""
        raise InstagramError(f"{NOT_HERE}: comments (not yet)")

    def delete_comment(self, creds: Credentials, comment: Comment) -> None:
        """No inbox in this mode yet (no Capability.INBOX)."""
        raise InstagramError(f"{NOT_HERE}: comments (not yet)")

    def map_area(self, creds: Credentials | None, kind: str, value: str, count: int) -> MapArea:
        """Not possible: no locations with Instagram Login (no Capability.MAP)."""
        raise InstagramError(f"{NOT_HERE}: locations")
