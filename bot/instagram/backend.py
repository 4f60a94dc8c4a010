"""The interface every Instagram API generation implements for the Slack side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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
)
from bot.instagram.wording import AccountFacts


class InstagramBackend(Protocol):
    """One Instagram API generation. Methods raise the exceptions in `bot.instagram.errors`.

    Listeners ask ``capabilities`` what is possible, and ``account_facts`` what to tell people about
    their accounts; they never check which generation this is (`bot.instagram.registry` names them).
    """

    capabilities: frozenset[Capability]
    hashtag_limit: HashtagLimit | None
    account_facts: AccountFacts

    def authorization_url(self, state: str) -> str:
        """The URL of the approval page for a new link carrying ``state``."""
        ...

    def exchange_code(self, code: str) -> Authorization:
        """Trade an authorization code for a token and the accounts it may act as."""
        ...

    def accounts(self, creds: Credentials) -> list[Account]:
        """The Instagram accounts these credentials may act as."""
        ...

    def own_account(self, creds: Credentials) -> Account:
        """The linked account itself, with counts where available."""
        ...

    def find_account(self, creds: Credentials, username: str) -> Account:
        """The account named exactly ``username`` (case-insensitive), with counts where available."""
        ...

    def set_following(self, creds: Credentials, username: str, *, follow: bool) -> FollowResult:
        """Follow or unfollow ``username`` as the linked user (needs Capability.FOLLOW)."""
        ...

    def popular(self, count: int, creds: Credentials | None = None) -> list[Media]:
        """Up to ``count`` popular posts (needs Capability.POPULAR)."""
        ...

    def tagged(
        self, creds: Credentials, tag: str, count: int, *, counted: Callable[[str], None] | None = None
    ) -> list[Media]:
        """Up to ``count`` popular posts for ``#tag`` (needs Capability.POPULAR_BY_TAG).

        On backends with a ``hashtag_limit``, ``counted`` is called with the hashtag's id once Instagram
        accepted the search (it then counts against the limit). Raises HashtagRefused when Instagram
        will not search the tag, AppFeatureMissing when the app lacks the feature hashtag search needs.
        """
        ...

    def searched_hashtags(self, creds: Credentials) -> list[str]:
        """Ids of the hashtags counting against ``hashtag_limit`` now, as Instagram itself lists them
        (searches made outside igbot included); [] on backends without a limit."""
        ...

    feed_kinds: frozenset[str]  # which `/ig subscribe` targets work: me, user, tag, place, near

    def resolve_feed(
        self, creds: Credentials, kind: str, value: str, *, counted: Callable[[str], None] | None = None
    ) -> FeedSource:
        """What a feed of ``kind``/``value`` follows; ``counted`` gets a searched hashtag's id."""
        ...

    def start_push(self, source: FeedSource, callback_url: str, verify_token: str) -> tuple[str, str]:
        """Ask Instagram to notify ``callback_url`` of new posts; returns (subscription id, object id)."""
        ...

    def stop_push(self, subscription_id: str) -> None:
        """Cancel what `start_push` made."""
        ...

    def feed_media(self, creds: Credentials, source: FeedSource, count: int) -> list[Media]:
        """The newest ``count`` posts of ``source`` (newest first)."""
        ...

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        """The linked account's latest ``count`` posts (needs Capability.RECENT)."""
        ...

    # The inbox (Capability.INBOX); INBOX_PUSH backends are told by webhooks, the others are read.

    def enable_inbox(self, creds: Credentials) -> None:
        """Ask Instagram to push comments and mentions of the linked account (a no-op without
        Capability.INBOX_PUSH). Raises AppFeatureMissing when the Meta app cannot have them."""
        ...

    def inbox_events(self, body: object) -> list[InboxEvent]:
        """The comments and mentions a webhook body announces (pure; nonsense is skipped)."""
        ...

    def inbox_item(self, creds: Credentials, event: InboxEvent) -> InboxItem | None:
        """Read what ``event`` is about back from Instagram; None when it is gone (deleted)."""
        ...

    def new_comments(self, creds: Credentials, posts: int) -> list[InboxItem]:
        """Comments on the account's latest ``posts`` posts, oldest first (backends without push)."""
        ...

    def reply_to_comment(self, creds: Credentials, comment: Comment, text: str) -> None:
        """Answer ``comment`` publicly as the linked account."""
        ...

    def reply_to_mention(self, creds: Credentials, media_id: str, comment_id: str, text: str) -> None:
        """Answer a mention of the linked account publicly (Capability.MENTIONS): in the comment
        ``comment_id`` on ``media_id``, or (``comment_id`` "") in the caption of ``media_id``."""
        ...

    def hide_comment(self, creds: Credentials, comment: Comment, hidden: bool) -> None:
        """Hide or unhide ``comment`` (Capability.HIDE_COMMENTS)."""
        ...

    def delete_comment(self, creds: Credentials, comment: Comment) -> None:
        """Delete ``comment`` from Instagram."""
        ...

    def post_by_shortcode(self, creds: Credentials | None, shortcode: str) -> Media | None:
        """The post of an ``instagram.com/p/{shortcode}/`` link, for its link preview (an unfurl).

        None when there is no such post igbot may show: with Capability.PREVIEW_ANY_POST, one that does
        not exist (any more); without it, one that is not among the linked account's latest posts (the
        only ones today's API can find by shortcode), and any post without ``creds``. A ``shortcode``
        that is not one (`models.is_shortcode`) is None without a call.

        Raises:
            NotAllowed: Instagram refuses to show it to this user (a private account's post).
            TokenInvalid, RateLimited, Unavailable: as every other call.
        """
        ...

    def map_area(self, creds: Credentials | None, kind: str, value: str, count: int) -> MapArea:
        """Geotagged posts for `/ig map` (Capability.MAP): ``near``, ``place`` (no token needed), ``user``,
        ``me``. Raises NotFound for an unknown place or account."""
        ...
