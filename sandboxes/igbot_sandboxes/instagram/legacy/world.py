"""The sandbox's world model: users, locations, media, comments and the initial follow graph.

The model knows nothing about any API's JSON shape: `legacy.render` turns it into legacy v1 objects, and a
later "graph" rendering can read the same objects.  `seeding.build_world` fills it deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    """An Instagram account."""

    id: str
    username: str
    full_name: str
    bio: str
    website: str
    is_private: bool

    @property
    def first_name(self) -> str:
        """Given name (first word of the full name), as 2011-era responses carried it."""
        return self.full_name.split(" ", 1)[0]

    @property
    def last_name(self) -> str:
        """Everything after the first word of the full name."""
        parts = self.full_name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Location:
    """A place media can be tagged with."""

    id: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Comment:
    """A comment (a caption is a comment by the media's owner)."""

    id: str
    text: str
    created_time: int
    from_id: str


@dataclass(frozen=True)
class PhotoTag:
    """A user tagged in a photo at a relative position (0..1)."""

    user_id: str
    x: float
    y: float


@dataclass(frozen=True)
class Media:
    """A photo or video posted by a user."""

    id: str
    pk: int
    shortcode: str
    owner_id: str
    kind: str  # "image" | "video"
    created_time: int
    caption: Comment | None
    tags: tuple[str, ...]
    location_id: str | None
    filter: str
    theme: str
    likes_count: int
    liker_ids: tuple[str, ...]
    comments: tuple[Comment, ...]
    users_in_photo: tuple[PhotoTag, ...]
    # A geotag without a named place (``location_id`` None): python-instagram's media.json fixture
    # renders it as {"latitude", "longitude", "id": null, "name": null}.  Only added posts use it.
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_video(self) -> bool:
        """True for `kind == "video"`."""
        return self.kind == "video"


@dataclass
class World:
    """Everything seeded: read-only after `build_world`; the follow graph's live state lives elsewhere."""

    seed: int
    users: list[User]
    locations: list[Location]
    media: list[Media]  # newest first
    initial_follows: frozenset[tuple[str, str]]  # (follower id, followed id)
    initial_requests: frozenset[tuple[str, str]]  # (requester id, private target id)
    _by_id: dict[str, User] = field(default_factory=dict, repr=False)
    _by_name: dict[str, User] = field(default_factory=dict, repr=False)
    _media_by_id: dict[str, Media] = field(default_factory=dict, repr=False)
    _media_by_owner: dict[str, list[Media]] = field(default_factory=dict, repr=False)
    _locations_by_id: dict[str, Location] = field(default_factory=dict, repr=False)
    _media_by_shortcode: dict[str, Media] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {u.id: u for u in self.users}
        self._by_name = {u.username.lower(): u for u in self.users}
        self._media_by_id = {m.id: m for m in self.media}
        self._media_by_shortcode = {m.shortcode: m for m in self.media}
        self._media_by_owner = {u.id: [] for u in self.users}
        for m in self.media:
            self._media_by_owner[m.owner_id].append(m)
        self._locations_by_id = {loc.id: loc for loc in self.locations}

    def user_by_username(self, username: str) -> User | None:
        """The user with this username (case-insensitive), or None."""
        return self._by_name.get(username.lower())

    def user_by_id(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        return self._by_id.get(user_id)

    def media_by_id(self, media_id: str) -> Media | None:
        """The media with this id (``<pk>_<owner id>``), or None."""
        return self._media_by_id.get(media_id)

    def media_by_shortcode(self, shortcode: str) -> Media | None:
        """The media whose permalink is ``/p/<shortcode>/``, or None."""
        return self._media_by_shortcode.get(shortcode)

    def media_of(self, user_id: str) -> list[Media]:
        """A user's media, newest first."""
        return list(self._media_by_owner.get(user_id, []))

    def location_by_id(self, location_id: str) -> Location | None:
        """The location with this id, or None."""
        return self._locations_by_id.get(location_id)

    def point_of(self, item: Media) -> tuple[float, float] | None:
        """Where a media was taken: its place's coordinates, its bare geotag, or None."""
        if item.location_id is not None:
            loc = self._locations_by_id.get(item.location_id)
            return (loc.latitude, loc.longitude) if loc else None
        if item.latitude is not None and item.longitude is not None:
            return item.latitude, item.longitude
        return None

    def with_media(self, item: Media) -> World:
        """A new world with ``item`` as its newest media (this one is left as it is)."""
        return World(
            seed=self.seed,
            users=self.users,
            locations=self.locations,
            media=[item, *self.media],
            initial_follows=self.initial_follows,
            initial_requests=self.initial_requests,
        )

    def without_media(self, media_id: str) -> World:
        """A new world without the media ``media_id`` (deleted by its owner); this one is left as it is."""
        return World(
            seed=self.seed,
            users=self.users,
            locations=self.locations,
            media=[m for m in self.media if m.id != media_id],
            initial_follows=self.initial_follows,
            initial_requests=self.initial_requests,
        )
