"""What the Slack side knows about Instagram data: small immutable records, API-generation neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Capability(Enum):
    """What a backend can do; listeners ask for these instead of checking which API is configured."""

    FOLLOW = "follow"
    PROFILE = "profile"
    POPULAR = "popular"
    POPULAR_WITHOUT_LINK = "popular_without_link"


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


@dataclass(frozen=True)
class LinkedAccount:
    """What a successful code exchange gives: the token and whose it is."""

    token: str = field(repr=False)
    account: Account
    scope: str


@dataclass(frozen=True)
class FollowResult:
    """The outcome of a follow or unfollow."""

    account: Account
    status: FollowStatus
