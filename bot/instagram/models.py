"""What the Slack side knows about Instagram data: small immutable records, API-generation neutral."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum

FINGERPRINT_PREFIX = "sha256:"
# A post's shortcode, as in instagram.com/p/{shortcode}/: URL-safe base64 digits. v1's docs show codes as
# short as "D"; private posts' codes run to about 40: 64 bounds what goes into a URL path.
SHORTCODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Capability(Enum):
    """What a backend can do; listeners ask for these instead of checking which API is configured."""

    FOLLOW = "follow"  # follow/unfollow through the API
    PROFILE = "profile"  # look up another account by username
    POPULAR = "popular"  # a global popular feed
    POPULAR_WITHOUT_LINK = "popular_without_link"  # ... readable with the app's client id alone
    POPULAR_BY_TAG = "popular_by_tag"  # popular posts for a hashtag
    RECENT = "recent"  # the linked account's own latest posts
    ACCOUNT_DETAILS = "account_details"  # live details (followers, posts) of the linked account
    FEEDS = "feeds"  # channel feeds of accounts and hashtags (`/ig subscribe`)
    PLACE_FEEDS = "place_feeds"  # ... and of places and areas
    INBOX = "inbox"  # comments on the linked account's posts into a channel (`/ig inbox`)
    INBOX_PUSH = "inbox_push"  # ... pushed by Instagram's webhooks (else read on a schedule)
    HIDE_COMMENTS = "hide_comments"  # hide and unhide a comment
    MENTIONS = "mentions"  # mentions of the account arrive in the inbox too
    MAP = "map"  # photos on a map: places, points and accounts' geotagged posts (`/ig map`)
    PREVIEW_ANY_POST = "preview_any_post"  # look up anyone's post by its link (else only the account's own)


class FollowStatus(Enum):
    """Outgoing relationship after a follow/unfollow."""

    FOLLOWS = "follows"
    REQUESTED = "requested"
    NONE = "none"


@dataclass(frozen=True)
class Account:
    """An Instagram account as shown on a card."""

    id: str
    username: str
    full_name: str = ""
    picture_url: str = ""
    profile_url: str = ""
    is_private: bool = False
    bio: str = ""
    media_count: int | None = None
    followers: int | None = None
    follows: int | None = None


@dataclass(frozen=True)
class Media:
    """One post for a gallery."""

    id: str
    image_url: str
    link: str
    author: str
    caption: str = ""
    likes: int = 0
    is_video: bool = False
    posted_at: int = 0  # seconds since the epoch; 0 when unknown


@dataclass(frozen=True)
class Credentials:
    """What a backend needs to act as a linked user."""

    token: str = field(repr=False)
    ig_user_id: str = ""

    @property
    def fingerprint(self) -> str:
        """Names this token without revealing it: the first 128 bits of its SHA-256, in hex.

        Stored next to the encrypted token (``token_fp``), so that Redis can tell, in one script, whether
        a link still holds the token a failing call used (`LinkStore.delete_if_token`).
        """
        return token_fingerprint(self.token)


def is_shortcode(text: str) -> bool:
    """True when ``text`` can be a post's shortcode (see `SHORTCODE`)."""
    return SHORTCODE.fullmatch(text) is not None


def loggable_id(value: str) -> str:
    """An id from Instagram's answer as a log line may show it: itself when it is a plain id (letters,
    digits, ``_``, at most 64), else ``?`` (an answer may put anything there)."""
    return value if SHORTCODE.fullmatch(value) else "?"


def token_fingerprint(token: str) -> str:
    """The fingerprint of ``token`` (see `Credentials.fingerprint`)."""
    return FINGERPRINT_PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Authorization:
    """What a successful code exchange gives: the token, when it expires, and the Instagram accounts it
    may act as (exactly one on API v1; zero or more professional accounts on the Graph API)."""

    token: str = field(repr=False)
    scope: str
    accounts: tuple[Account, ...]
    expires_at: int | None = None


@dataclass(frozen=True)
class HashtagLimit:
    """How many distinct hashtags one Instagram account may search in a rolling window."""

    tags: int
    days: int


@dataclass(frozen=True)
class FeedSource:
    """What a feed follows, as Instagram names it. ``key`` (``user:{id}``, ``tag:{name}``,
    ``location:{id}``, ``geography:{lat},{lng},{radius}``) is shared by every channel following it;
    ``name`` is what the backend reads it by (a username, a tag, a location id, ``lat,lng,radius``)."""

    key: str
    label: str
    name: str
    push: bool  # Instagram tells igbot about new posts (a real-time subscription); else igbot polls
    hashtag_id: str = ""


@dataclass(frozen=True)
class FollowResult:
    """The outcome of a follow or unfollow."""

    account: Account
    status: FollowStatus


@dataclass(frozen=True)
class Comment:
    """One comment on a post (``parent_id`` set for a reply to another comment)."""

    id: str
    media_id: str
    text: str
    username: str
    posted_at: int = 0
    parent_id: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class InboxEvent:
    """What one webhook change is about, before it is read back from Instagram: a comment on one of the
    account's posts, or a mention of the account (in a caption: no ``comment_id``)."""

    kind: str  # "comment" | "mention"
    account_id: str
    media_id: str
    comment_id: str = ""


@dataclass(frozen=True)
class InboxItem:
    """A comment or mention as the inbox shows it: the comment (None for a mention in a caption) and
    its post."""

    kind: str  # "comment" | "mention"
    media: Media
    comment: Comment | None = None


@dataclass(frozen=True)
class GeoMedia:
    """A post with where it was taken (for `/ig map`)."""

    media: Media
    lat: float
    lng: float
    place: str = ""


@dataclass(frozen=True)
class MapArea:
    """What a map shows: its label, and the geotagged posts found there (newest first)."""

    label: str
    media: tuple[GeoMedia, ...]
