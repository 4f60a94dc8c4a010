"""Today's Instagram: the Graph API through Facebook Login for Business (docs/instagram-graph.md).

Quirks of this generation live here and in `parsing.py`: a Facebook login dialog with
comma-separated scopes, a short-lived code exchange followed by a long-lived token exchange, Instagram
professional accounts found through the user's Pages, and errors decided on the graph ``code``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from bot.instagram import numbers
from bot.instagram.config import ClientConfig, Pool
from bot.instagram.errors import (
    ExchangeRejected,
    HashtagRefused,
    InstagramError,
    LinkRejected,
    NotFound,
    ScopeDeclined,
    Unavailable,
    Unconfirmed,
)
from bot.instagram.graph import parsing as parse
from bot.instagram.graph.feeds import GraphFeeds
from bot.instagram.graph.inbox import GraphInbox
from bot.instagram.graph.wording import ACCOUNT_FACTS
from bot.instagram.models import (
    Account,
    Authorization,
    Capability,
    Credentials,
    FollowResult,
    HashtagLimit,
    MapArea,
    Media,
    is_shortcode,
    token_fingerprint,
)

log = logging.getLogger(__name__)

SCOPES = (
    "instagram_basic",
    "pages_show_list",
    "pages_read_engagement",
    "instagram_manage_insights",
    "instagram_manage_comments",  # the inbox: read, reply, hide, delete
    "pages_manage_metadata",  # the inbox: subscribe the Page to the app's webhooks
)
ACCOUNT_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url"
MEDIA_FIELDS = (
    "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,like_count,comments_count,username"
)
HASHTAG_MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,like_count,comments_count"
POST_FIELDS = MEDIA_FIELDS + ",shortcode"
OWN_POST_PAGES = 2  # post_by_shortcode reads at most this many pages of the account's media ...
OWN_POST_PAGE_SIZE = 25  # ... of this many posts: its 50 latest
ACCOUNT_PAGES = 10  # me/accounts: at most this many pages ...
MAX_ACCOUNTS = 500  # ... and this many Instagram accounts, whatever paging.next says
SEARCHED_PAGES = 3  # recently_searched_hashtags: 30 per page, and at most 30 count at once
LONGEST_TOKEN_LIFE = 10 * 365 * 86400  # an expires_in beyond this (or <= 0) is nonsense: unknown


class GraphInstagram(GraphFeeds, GraphInbox):
    """The Graph API backend (Facebook Login variant).

    Args:
        config: the Meta app, its URLs, timeouts and pool size.
        clock: seconds since the epoch (token expiry), injectable for tests.
    """

    capabilities = frozenset(
        {
            Capability.PROFILE,
            Capability.POPULAR_BY_TAG,
            Capability.RECENT,
            Capability.ACCOUNT_DETAILS,
            Capability.FEEDS,
            Capability.INBOX,
            Capability.INBOX_PUSH,
            Capability.HIDE_COMMENTS,
            Capability.MENTIONS,
        }
    )
    hashtag_limit: HashtagLimit | None = HashtagLimit(tags=30, days=7)
    account_facts = ACCOUNT_FACTS

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
        except Warning:  # oauthlib: the granted scope differs from the one asked for
            raise ScopeDeclined("fewer permissions granted than asked for") from None
        except (OAuth2Error, ValueError, TypeError, OverflowError, RecursionError) as exc:
            # oauthlib computes int(expires_in) itself: "²", Infinity or a list end up here
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
        expires_in = numbers.integer(long.get("expires_in"))
        sensible = expires_in is not None and 0 < expires_in <= LONGEST_TOKEN_LIFE
        expires_at = int(self._clock()) + expires_in if sensible and expires_in is not None else None
        accounts = self.accounts(Credentials(token=token))
        return Authorization(
            token=token, scope=",".join(SCOPES), accounts=tuple(accounts), expires_at=expires_at
        )

    def _get(
        self,
        path: str,
        token: str | None,
        *,
        lookup: str = "",
        hashtag: str = "",
        item: bool = False,
        **params: str | int,
    ) -> dict[str, Any]:
        """GET ``path``; ``lookup``, ``hashtag`` and ``item`` say how its errors read (`parse.error_for`)."""
        url = f"{self._config.api_url}{path}"
        return self._fetch(url, token, params, lookup=lookup, hashtag=hashtag, item=item)

    def _send(
        self, method: str, path: str, token: str, *, action: str, **params: str | int
    ) -> dict[str, Any]:
        """A change (POST, DELETE) to ``path``; ``action`` names it for errors (see `parse.error_for`)."""
        return self._fetch(f"{self._config.api_url}{path}", token, params, method=method, action=action)

    def _fetch(
        self,
        url: str,
        token: str | None,
        params: dict[str, str | int],
        *,
        lookup: str = "",
        hashtag: str = "",
        method: str = "GET",
        action: str = "",
        item: bool = False,
    ) -> dict[str, Any]:
        if token is not None:
            params = {**params, "access_token": token}
        try:
            response = self._session.request(method, url, params=params, timeout=self._config.timeout)
        except requests.ReadTimeout:
            if method != "GET":  # the change was delivered; only the answer is missing
                raise Unconfirmed("no answer to a change in time") from None
            raise Unavailable("ReadTimeout") from None
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None  # the text may hold the URL, and the URL a token
        try:
            return parse.body_or_error(response, lookup=lookup, hashtag=hashtag, action=action, item=item)
        except LinkRejected as rejected:
            if token is not None:  # name the refused token, so that only its own link is removed
                rejected.token_fingerprint = token_fingerprint(token)
            raise

    def _next_page(self, body: dict[str, Any]) -> tuple[str, dict[str, str | int]] | None:
        """Where ``paging.next`` points, without its ``access_token``; None at the end, or when it points
        anywhere but the configured API host (the token is never sent elsewhere)."""
        paging = body.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(following, str) or not following:
            return None
        try:
            there, here = urlsplit(following), urlsplit(self._config.api_url)
            same_host = (there.scheme, there.netloc) == (here.scheme, here.netloc)
            query = parse_qsl(there.query, keep_blank_values=True)
        except ValueError:
            return None
        if not same_host or not there.path:
            log.info("paging.next leaves the API host; not followed")
            return None
        params: dict[str, str | int] = {k: v for k, v in query if k != "access_token"}
        return urlunsplit((there.scheme, there.netloc, there.path, "", "")), params

    def _pages(self, path: str, token: str, *, pages: int, **params: str | int) -> Iterator[dict[str, Any]]:
        """The first page of ``path`` and the pages its ``paging.next`` leads to, at most ``pages``,
        each fetched only when the caller asks for it."""
        body = self._fetch(f"{self._config.api_url}{path}", token, dict(params))
        yield body
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        for _ in range(pages - 1):
            following = self._next_page(body)
            if following is None:
                return
            key = (following[0], tuple(sorted((k, str(v)) for k, v in following[1].items())))
            if key in seen:  # a cursor that does not move would loop for ever
                return
            seen.add(key)
            body = self._fetch(following[0], token, following[1])
            yield body

    def accounts(self, creds: Credentials) -> list[Account]:
        """Instagram professional accounts connected to the user's Facebook Pages, every page of them
        (at most ``ACCOUNT_PAGES`` pages and ``MAX_ACCOUNTS`` accounts), each account once."""
        fields = "name,instagram_business_account{id,username,name,profile_picture_url}"
        found: dict[str, Account] = {}
        for body in self._pages("/me/accounts", creds.token, pages=ACCOUNT_PAGES, fields=fields):
            for account in parse.page_accounts(body):
                found.setdefault(account.id, account)
            if len(found) >= MAX_ACCOUNTS:
                break
        return list(found.values())[:MAX_ACCOUNTS]

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

    def tagged(
        self, creds: Credentials, tag: str, count: int, *, counted: Callable[[str], None] | None = None
    ) -> list[Media]:
        """Top media for ``#tag``: hashtag search, then top_media.

        ``counted`` is called with the hashtag's id as soon as Instagram accepted the search: from then
        on the tag counts against the account's weekly hashtag limit, even if fetching media fails.

        Raises:
            HashtagRefused: Instagram would not search the tag (no such hashtag, or its limit reached).
            AppFeatureMissing: the app lacks the Instagram Public Content Access feature.
        """
        found = self._get("/ig_hashtag_search", creds.token, hashtag=tag, user_id=creds.ig_user_id, q=tag)
        data = found.get("data")
        ids = [
            parse.node_id(item) for item in (data if isinstance(data, list) else []) if parse.node_id(item)
        ]
        if not ids:
            raise HashtagRefused(tag, missing=True)
        if counted is not None:
            counted(ids[0])
        # Hashtag media cannot carry a video's thumbnail, so videos have no picture: ask for spares.
        top = self._get(
            f"/{ids[0]}/top_media",
            creds.token,
            hashtag=tag,
            user_id=creds.ig_user_id,
            fields=HASHTAG_MEDIA_FIELDS,
            limit=min(50, count * 3),
        )
        return parse.media_list(top, count)

    def searched_hashtags(self, creds: Credentials) -> list[str]:
        """Ids of the hashtags counting against the account's weekly limit now, as Instagram lists them
        (``recently_searched_hashtags``: searches made outside igbot included)."""
        ids: list[str] = []
        path = f"/{creds.ig_user_id}/recently_searched_hashtags"
        for body in self._pages(path, creds.token, pages=SEARCHED_PAGES, limit=30):
            data = body.get("data")
            for item in data if isinstance(data, list) else []:
                hashtag_id = parse.node_id(item)
                if hashtag_id and hashtag_id not in ids:
                    ids.append(hashtag_id)
        return ids

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        """The linked account's latest posts."""
        body = self._get(f"/{creds.ig_user_id}/media", creds.token, fields=MEDIA_FIELDS, limit=count)
        return parse.media_list(body, count)

    def post_by_shortcode(self, creds: Credentials | None, shortcode: str) -> Media | None:
        """Today's API cannot look a post up by shortcode (no Capability.PREVIEW_ANY_POST), and oEmbed no
        longer gives a picture or author: the linked account's own latest posts are read instead (at most
        ``OWN_POST_PAGES`` pages of ``OWN_POST_PAGE_SIZE``, the next only when needed) and matched by
        shortcode. None for anyone else's post, an older one, or without ``creds``."""
        if creds is None or not creds.ig_user_id or not is_shortcode(shortcode):
            return None
        path = f"/{creds.ig_user_id}/media"
        pages = self._pages(
            path, creds.token, pages=OWN_POST_PAGES, fields=POST_FIELDS, limit=OWN_POST_PAGE_SIZE
        )
        for body in pages:
            found = parse.post_with_shortcode(body, shortcode)
            if found is not None:
                return found
        return None

    def map_area(self, creds: Credentials | None, kind: str, value: str, count: int) -> MapArea:
        """Not possible: the Graph API has no location search and its media carry no location (no
        Capability.MAP; docs/instagram-graph.md)."""
        raise InstagramError("the Graph API has no locations")
