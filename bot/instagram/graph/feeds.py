"""Channel feeds on the Graph API: no push for new media, so igbot reads on a schedule: the account's own
``/{ig-user-id}/media``, Business Discovery's ``media`` edge for another professional account, and
``/{ig-hashtag-id}/recent_media`` (posts with the tag from the last 24 hours) for a hashtag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from bot.instagram.errors import HashtagRefused, InstagramError, NotFound
from bot.instagram.graph import parsing as parse
from bot.instagram.models import Account, Credentials, FeedSource, Media

FEED_KINDS = frozenset({"me", "user", "tag"})
FEED_MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,username"
HASHTAG_FEED_FIELDS = "id,caption,media_type,media_url,permalink,timestamp"


class _Graph(Protocol):
    def _get(self, path: str, token: str | None, *, lookup: str = "", hashtag: str = "",
             **params: str | int) -> dict[str, Any]: ...  # fmt: skip

    def own_account(self, creds: Credentials) -> Account: ...

    def find_account(self, creds: Credentials, username: str) -> Account: ...


class GraphFeeds:
    """The feed half of `bot.instagram.graph.GraphInstagram` (mixed into it)."""

    feed_kinds = FEED_KINDS

    def resolve_feed(
        self: _Graph,
        creds: Credentials,
        kind: str,
        value: str,
        *,
        counted: Callable[[str], None] | None = None,
    ) -> FeedSource:
        """The account or hashtag a feed follows. A hashtag is searched once (``counted`` is told its id:
        from then on it holds one of the account's weekly hashtag slots)."""
        if kind == "me":
            own = self.own_account(creds)
            return FeedSource(f"user:{own.id}", f"@{own.username}", own.username, push=False)
        if kind == "user":
            found = self.find_account(creds, value)
            return FeedSource(f"user:{found.id}", f"@{found.username}", found.username, push=False)
        if kind != "tag":
            raise InstagramError(f"the Graph API has no {kind} feed")
        found_tag = self._get(
            "/ig_hashtag_search", creds.token, hashtag=value, user_id=creds.ig_user_id, q=value
        )
        data = found_tag.get("data")
        ids = [parse.node_id(i) for i in (data if isinstance(data, list) else []) if parse.node_id(i)]
        if not ids:
            raise HashtagRefused(value, missing=True)
        if counted is not None:
            counted(ids[0])
        return FeedSource(f"tag:{value}", f"#{value}", value, push=False, hashtag_id=ids[0])

    def start_push(self, source: FeedSource, callback_url: str, verify_token: str) -> tuple[str, str]:
        """Not possible: the Graph API pushes no new media (feeds poll)."""
        raise InstagramError("the Graph API has no push for new media")

    def stop_push(self, subscription_id: str) -> None:
        """Nothing to cancel on the Graph API."""

    def feed_media(self: _Graph, creds: Credentials, source: FeedSource, count: int) -> list[Media]:
        """The newest posts of ``source``, read as ``creds`` (newest first)."""
        kind, _, rest = source.key.partition(":")
        if kind == "tag":
            body = self._get(
                f"/{source.hashtag_id}/recent_media",
                creds.token,
                hashtag=source.name,
                user_id=creds.ig_user_id,
                fields=HASHTAG_FEED_FIELDS,
                limit=min(50, count * 2),
            )
            return parse.media_list(body, count)
        if rest == creds.ig_user_id:
            return parse.media_list(
                self._get(f"/{rest}/media", creds.token, fields=FEED_MEDIA_FIELDS, limit=count), count
            )
        fields = f"business_discovery.username({source.name}){{media.limit({count}){{{FEED_MEDIA_FIELDS}}}}}"
        body = self._get(f"/{creds.ig_user_id}", creds.token, lookup=source.name, fields=fields)
        found = body.get("business_discovery")
        media = found.get("media") if isinstance(found, dict) else None
        if not isinstance(media, dict):
            raise NotFound(source.name, parse.PROFESSIONAL_ONLY)
        return parse.media_list(media, count, author=source.name)
