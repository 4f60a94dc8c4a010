"""The graph-mode world: Facebook users, their Pages, Instagram professional accounts and their media.

Built on top of the v1 `World` (which it never changes): every v1 user stays a *personal* account that
Business Discovery cannot find, but the public ones' media still show up in hashtag search.
`graph.seeding.build_graph_world` fills it deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BUSINESS = "BUSINESS"
CREATOR = "MEDIA_CREATOR"
IMAGE, VIDEO, CAROUSEL = "IMAGE", "VIDEO", "CAROUSEL_ALBUM"


@dataclass(frozen=True)
class FacebookUser:
    """A person who logs in with Facebook (the dialog's account picker shows ``username``)."""

    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Page:
    """A Facebook Page, optionally connected to one Instagram professional account."""

    id: str
    name: str
    category: str
    owner_id: str  # FacebookUser.id
    ig_account_id: str | None


@dataclass(frozen=True)
class ProAccount:
    """An Instagram professional (business or creator) account."""

    id: str
    username: str
    name: str
    account_type: str  # BUSINESS | MEDIA_CREATOR
    biography: str
    website: str
    followers_count: int
    follows_count: int


@dataclass(frozen=True)
class GraphMedia:
    """A post as the Graph API sees it.

    ``owner_id`` is a `ProAccount` id, or a v1 user id for a personal account's public post (those are
    only reachable through hashtag search).  ``picture_key`` names the picture under ``/media/<key>/``.
    """

    id: str
    owner_id: str
    owner_username: str
    media_type: str  # IMAGE | VIDEO | CAROUSEL_ALBUM
    caption: str | None
    timestamp: int
    like_count: int
    comments_count: int
    tags: tuple[str, ...]
    shortcode: str
    picture_key: str
    has_media_url: bool = True  # False for some videos (Instagram omits media_url for flagged audio)
    professional: bool = True


@dataclass
class GraphWorld:
    """Everything graph mode serves; read-only after building (`GraphMode.add_pages` builds a new one)."""

    fb_users: list[FacebookUser]
    pages: list[Page]
    accounts: list[ProAccount]
    media: list[GraphMedia]  # newest first
    hashtag_ids: dict[str, str]  # tag (lower case, no '#') -> stable hashtag id
    personal_usernames: frozenset[str]  # lower-cased v1 usernames: Business Discovery can't find them
    page_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Page id -> more managers
    _fb_by_name: dict[str, FacebookUser] = field(default_factory=dict, repr=False)
    _fb_by_id: dict[str, FacebookUser] = field(default_factory=dict, repr=False)
    _pages_by_id: dict[str, Page] = field(default_factory=dict, repr=False)
    _accounts_by_id: dict[str, ProAccount] = field(default_factory=dict, repr=False)
    _accounts_by_name: dict[str, ProAccount] = field(default_factory=dict, repr=False)
    _media_by_id: dict[str, GraphMedia] = field(default_factory=dict, repr=False)
    _media_by_key: dict[str, GraphMedia] = field(default_factory=dict, repr=False)
    _media_by_shortcode: dict[str, GraphMedia] = field(default_factory=dict, repr=False)
    _media_by_owner: dict[str, list[GraphMedia]] = field(default_factory=dict, repr=False)
    _tags_by_id: dict[str, str] = field(default_factory=dict, repr=False)
    _top_by_tag: dict[str, list[GraphMedia]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._fb_by_name = {u.username.lower(): u for u in self.fb_users}
        self._fb_by_id = {u.id: u for u in self.fb_users}
        self._pages_by_id = {p.id: p for p in self.pages}
        self._accounts_by_id = {a.id: a for a in self.accounts}
        self._accounts_by_name = {a.username.lower(): a for a in self.accounts}
        self._media_by_id = {m.id: m for m in self.media}
        self._media_by_key = {m.picture_key: m for m in self.media}
        self._media_by_shortcode = {m.shortcode: m for m in self.media}
        self._tags_by_id = {i: t for t, i in self.hashtag_ids.items()}
        for m in self.media:
            self._media_by_owner.setdefault(m.owner_id, []).append(m)
            for tag in m.tags:
                self._top_by_tag.setdefault(tag, []).append(m)
        for items in self._top_by_tag.values():
            items.sort(key=lambda m: (-m.like_count, m.id))

    def fb_user_by_username(self, username: str) -> FacebookUser | None:
        """The Facebook user with this username (case-insensitive), or None."""
        return self._fb_by_name.get(username.lower().lstrip("@"))

    def fb_user_by_id(self, user_id: str) -> FacebookUser | None:
        """The Facebook user with this id, or None."""
        return self._fb_by_id.get(user_id)

    def pages_of(self, fb_user_id: str) -> list[Page]:
        """The Pages a Facebook user has a role on (owns, or was given a role with `page_roles`), in a
        fixed order."""
        return [p for p in self.pages if self.has_role(fb_user_id, p)]

    def has_role(self, fb_user_id: str, page: Page) -> bool:
        """True when the Facebook user owns the Page or was given a role on it."""
        return page.owner_id == fb_user_id or fb_user_id in self.page_roles.get(page.id, ())

    def page_of_account(self, ig_user_id: str) -> Page | None:
        """The Page connected to a professional account, or None."""
        return next((p for p in self.pages if p.ig_account_id == ig_user_id), None)

    def with_page_role(self, page_id: str, fb_user_id: str) -> GraphWorld:
        """A new world where the Facebook user also has a role on the Page (this one is left as it is)."""
        roles = dict(self.page_roles)
        if fb_user_id not in roles.get(page_id, ()):
            roles[page_id] = (*roles.get(page_id, ()), fb_user_id)
        return GraphWorld(
            fb_users=self.fb_users,
            pages=self.pages,
            accounts=self.accounts,
            media=self.media,
            hashtag_ids=self.hashtag_ids,
            personal_usernames=self.personal_usernames,
            page_roles=roles,
        )

    def page_by_id(self, page_id: str) -> Page | None:
        """The Page with this id, or None."""
        return self._pages_by_id.get(page_id)

    def accounts_of(self, fb_user_id: str) -> list[ProAccount]:
        """The professional accounts connected to the user's Pages (what ``me/accounts`` reveals)."""
        found = [self._accounts_by_id.get(p.ig_account_id or "") for p in self.pages_of(fb_user_id)]
        return [a for a in found if a is not None]

    def manages(self, fb_user_id: str, ig_user_id: str) -> bool:
        """True when the Facebook user manages a Page connected to that professional account."""
        return any(p.ig_account_id == ig_user_id for p in self.pages_of(fb_user_id))

    def professional_accounts(self) -> list[ProAccount]:
        """Every professional account (business and creator)."""
        return list(self.accounts)

    def account_by_id(self, ig_user_id: str) -> ProAccount | None:
        """The professional account with this id, or None."""
        return self._accounts_by_id.get(ig_user_id)

    def account_by_username(self, username: str) -> ProAccount | None:
        """The professional account with this username (case-insensitive, ``@`` ignored), or None."""
        return self._accounts_by_name.get(username.lower().lstrip("@"))

    def is_personal(self, username: str) -> bool:
        """True for a personal (v1) account: it exists but Business Discovery must not find it."""
        return username.lower().lstrip("@") in self.personal_usernames

    def media_of(self, ig_user_id: str) -> list[GraphMedia]:
        """An account's media, newest first."""
        return list(self._media_by_owner.get(ig_user_id, []))

    def media_by_id(self, media_id: str) -> GraphMedia | None:
        """The media with this graph id, or None."""
        return self._media_by_id.get(media_id)

    def media_by_picture_key(self, key: str) -> GraphMedia | None:
        """The media whose picture lives under ``/media/<key>/``, or None."""
        return self._media_by_key.get(key)

    def media_by_shortcode(self, shortcode: str) -> GraphMedia | None:
        """The media whose permalink is ``/p/<shortcode>/``, or None."""
        return self._media_by_shortcode.get(shortcode)

    def hashtag_id(self, tag: str) -> str | None:
        """The stable id of a hashtag that has public media (``#`` and case ignored), or None."""
        return self.hashtag_ids.get(tag.lower().lstrip("#"))

    def hashtag_by_id(self, hashtag_id: str) -> str | None:
        """The tag name of a hashtag id, or None."""
        return self._tags_by_id.get(hashtag_id)

    def top_media(self, tag: str) -> list[GraphMedia]:
        """Public media carrying ``#tag``, most liked first."""
        return list(self._top_by_tag.get(tag, []))

    def hashtags(self) -> list[str]:
        """Every hashtag with public media, sorted."""
        return sorted(self.hashtag_ids)
