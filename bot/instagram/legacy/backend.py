"""Instagram API v1 (the "legacy" generation) on requests-oauthlib.

Quirks of this generation live here and in `parsing.py`: the token travels in the query string
(requests-oauthlib's Instagram compliance fix), the code exchange wants the client credentials in the
form body, and errors come as a ``meta`` envelope (API) or flat JSON (token endpoint).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session
from requests_oauthlib.compliance_fixes import instagram_compliance_fix

from bot.instagram.config import ClientConfig, Pool
from bot.instagram.errors import (
    ExchangeRejected,
    LinkRejected,
    NotFound,
    ScopeDeclined,
    Unavailable,
    Unconfirmed,
)
from bot.instagram.legacy import parsing as parse
from bot.instagram.legacy.feeds import LegacyFeeds
from bot.instagram.legacy.inbox import LegacyInbox
from bot.instagram.legacy.map import LegacyMap
from bot.instagram.legacy.wording import ACCOUNT_FACTS
from bot.instagram.models import (
    Account,
    Authorization,
    Capability,
    Credentials,
    FollowResult,
    HashtagLimit,
    Media,
    is_shortcode,
    token_fingerprint,
)

log = logging.getLogger(__name__)

SCOPES = ("basic", "relationships", "public_content", "comments")


class LegacyInstagram(LegacyFeeds, LegacyInbox, LegacyMap):
    """The API v1 backend.

    Args:
        config: the registered client, its URLs, timeouts and pool size.
    """

    capabilities = frozenset(
        {
            Capability.FOLLOW,
            Capability.PROFILE,
            Capability.POPULAR,
            Capability.POPULAR_WITHOUT_LINK,
            Capability.POPULAR_BY_TAG,
            Capability.RECENT,
            Capability.FEEDS,
            Capability.PLACE_FEEDS,
            Capability.INBOX,
            Capability.MAP,
            Capability.PREVIEW_ANY_POST,
        }
    )
    hashtag_limit: HashtagLimit | None = None
    account_facts = ACCOUNT_FACTS

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._pool = Pool(config.pool_size)
        self._app_session = self._pool.mount(requests.Session())

    def _oauth(self, *, token: str | None = None, state: str | None = None) -> OAuth2Session:
        session = OAuth2Session(
            self._config.client_id,
            redirect_uri=self._config.redirect_uri,
            scope=list(SCOPES),
            state=state,
            token={"access_token": token, "token_type": "Bearer"} if token else None,
        )
        instagram_compliance_fix(session)
        self._pool.mount(session)
        return session

    def authorization_url(self, state: str) -> str:
        """The approval page URL for ``state``, asking for the scopes igbot needs."""
        url, _ = self._oauth(state=state).authorization_url(self._config.authorize_url)
        return str(url)

    def exchange_code(self, code: str) -> Authorization:
        """Trade ``code`` for a token (form-body credentials, flat JSON answer)."""
        session = self._oauth()
        session.register_compliance_hook("access_token_response", parse.raise_for_token_error)
        try:
            token = session.fetch_token(
                self._config.token_url,
                code=code,
                client_secret=self._config.client_secret,
                include_client_id=True,
                timeout=self._config.timeout,
            )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None
        except Warning:  # oauthlib: the granted scope differs from the one asked for
            raise ScopeDeclined("fewer permissions granted than asked for") from None
        except (OAuth2Error, ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise ExchangeRejected(f"token answer not understood ({type(exc).__name__})") from None
        user = token.get("user") or {}
        if not token.get("access_token") or not isinstance(user, dict) or not user.get("id"):
            raise ExchangeRejected("token answer had no access token or user")
        return Authorization(
            token=str(token["access_token"]), scope=" ".join(SCOPES), accounts=(parse.account(user),)
        )

    def _call(self, method: str, path: str, *, token: str | None, data: dict[str, str] | None = None,
              params: dict[str, str | int] | None = None) -> Any:  # fmt: skip
        url = f"{self._config.api_url}{path}"
        try:
            if token is None:
                response = self._app_session.request(
                    method,
                    url,
                    params={**(params or {}), "client_id": self._config.client_id},
                    timeout=self._config.timeout,
                )
            else:
                response = self._oauth(token=token).request(
                    method, url, params=params, data=data, timeout=self._config.timeout
                )
        except requests.ReadTimeout:
            if method != "GET":  # the change was delivered; only the answer is missing
                raise Unconfirmed("no answer to a change in time") from None
            raise Unavailable("ReadTimeout") from None
        except (requests.RequestException, OAuth2Error) as exc:
            # The exception text can contain the URL, and the URL the token: keep only the type.
            raise Unavailable(type(exc).__name__) from None
        try:
            return parse.envelope_data(response, sent_token=token is not None)
        except LinkRejected as rejected:
            if token is not None:  # name the refused token, so that only its own link is removed
                rejected.token_fingerprint = token_fingerprint(token)
            raise

    def _media(self, path: str, creds: Credentials | None, count: int) -> list[Media]:
        token = creds.token if creds is not None else None
        items = self._call("GET", path, token=token, params={"count": count})
        media = (
            [parse.media(item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        )
        return [m for m in media if m is not None][:count]

    def accounts(self, creds: Credentials) -> list[Account]:
        """The one account an API v1 token belongs to."""
        return [self.own_account(creds)]

    def own_account(self, creds: Credentials) -> Account:
        """``users/self``."""
        data = self._call("GET", "/users/self", token=creds.token)
        return parse.account(data if isinstance(data, dict) else {})

    def find_account(self, creds: Credentials, username: str) -> Account:
        """Search for ``username`` and return the exact match with its counts."""
        found = self._search(creds.token, username)
        details = self._call("GET", f"/users/{found.id}", token=creds.token)
        return parse.account(details if isinstance(details, dict) else {}, fallback=found)

    def _search(self, token: str, username: str) -> Account:
        results = self._call("GET", "/users/search", token=token, params={"q": username, "count": 20})
        for item in results if isinstance(results, list) else []:
            if isinstance(item, dict) and str(item.get("username", "")).lower() == username.lower():
                return parse.account(item)
        raise NotFound(username)

    def set_following(self, creds: Credentials, username: str, *, follow: bool) -> FollowResult:
        """Follow or unfollow ``username``; private accounts answer ``requested``."""
        target = self._search(creds.token, username)
        data = self._call(
            "POST",
            f"/users/{target.id}/relationship",
            token=creds.token,
            data={"action": "follow" if follow else "unfollow"},
        )
        return parse.follow_result(target, data if isinstance(data, dict) else {})

    def popular(self, count: int, creds: Credentials | None = None) -> list[Media]:
        """``media/popular`` with the app's client id: no user token needed."""
        return self._media("/media/popular", None, count)

    def tagged(
        self, creds: Credentials, tag: str, count: int, *, counted: Callable[[str], None] | None = None
    ) -> list[Media]:
        """``tags/{tag}/media/recent``. API v1 has no hashtag limit, so ``counted`` is never called."""
        return self._media(f"/tags/{quote(tag, safe='')}/media/recent", creds, count)

    def searched_hashtags(self, creds: Credentials) -> list[str]:
        """API v1 keeps no list of searched hashtags (it has no hashtag limit)."""
        return []

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        """``users/self/media/recent``."""
        return self._media("/users/self/media/recent", creds, count)

    def post_by_shortcode(self, creds: Credentials | None, shortcode: str) -> Media | None:
        """``media/shortcode/{shortcode}``, with the user's token when there is one (a private account's
        post needs a token that follows it), else the app's client id; None for an unknown post
        (``APINotFoundError``). Raises NotAllowed for a post Instagram won't show (``APINotAllowedError``)."""
        if not is_shortcode(shortcode):
            return None
        token = creds.token if creds is not None else None
        try:
            data = self._call("GET", f"/media/shortcode/{shortcode}", token=token)
        except NotFound:
            return None
        return parse.media(data) if isinstance(data, dict) else None
