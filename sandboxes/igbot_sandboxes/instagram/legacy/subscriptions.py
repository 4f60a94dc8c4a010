"""Legacy real-time subscriptions: what a client subscribed to, and which subscriptions a new post wakes.

Facts relied on (see also `legacy.api_subscriptions` and `legacy.pushes`):

- Objects ``user``, ``tag``, ``location``, ``geography``, aspect always ``media``
  (python-instagram `instagram/subscriptions.py` ``SubscriptionType``; `client.py`
  ``_make_subscription_action``).  User subscriptions cover "users who have registered with your
  application" (the old real-time docs, mirrored at code-collective.cc): here, users holding a live
  token of this client.
- A created subscription renders as ``{"object", "object_id", "aspect", "callback_url", "type":
  "subscription", "id"}``, ids as strings, ``object_id`` null for user (urakozz/instagram-php
  CreateSubscriptionTest) and the new geography's id for geography (a captured answer in
  "pusheame": ``"object": "geography", "object_id": "1739230"``).
- An update is ``{"changed_aspect": "media", "object", "object_id", "time", "subscription_id",
  "data"}`` (keys in the order of captured real pushes); user updates carry ``"data": {"media_id":
  "<media id>_<user id>"}``, the others ``"data": {}`` (captured payloads quoted in several repos,
  e.g. ``[{"changed_aspect": "media", "object": "user", "object_id": "654823838", "time":
  1386213869, "subscription_id": 3953547, "data": {"media_id": "603928152342527153_654823838"}}]``).
  ``subscription_id`` is a JSON **number** in every captured push (3953547, 1701296, 14185203...)
  although the docs' example wrote ``"1"``: the sandbox sends the number, so a client must not
  compare it as a string with the ``id`` of the created subscription.
- Tag, location and geography updates are for public media only (the subscriber then reads
  ``tags/{tag}/media/recent`` etc., which show public media); user updates also for a private
  account that authorized the client.

Assumptions [unconfirmed]: subscribing again to the same object, object id and callback URL
returns the existing subscription instead of a second one (geographies are always new); ids count
up from 1 per sandbox and are never reused, not even after a reset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.legacy.geo import distance_m
from igbot_sandboxes.instagram.legacy.world import Media, World

OBJECTS = ("user", "tag", "location", "geography")
ASPECT = "media"


@dataclass(frozen=True)
class Subscription:
    """One subscription of the registered client."""

    id: str
    object: str  # user | tag | location | geography
    object_id: str | None  # tag name, location id or geography id; None for user
    callback_url: str
    verify_token: str | None
    created_at: float
    lat: float | None = None  # geography only
    lng: float | None = None
    radius: float | None = None

    def to_api(self) -> dict[str, Any]:
        """The subscription as ``/v1/subscriptions`` answers it."""
        return {
            "object": self.object,
            "object_id": self.object_id,
            "aspect": ASPECT,
            "callback_url": self.callback_url,
            "type": "subscription",
            "id": self.id,
        }


@dataclass(frozen=True)
class SubscriptionSpec:
    """A validated create request."""

    object: str
    object_id: str | None
    callback_url: str
    verify_token: str | None
    lat: float | None = None
    lng: float | None = None
    radius: float | None = None


class SubscriptionStore:
    """The client's subscriptions and geographies; thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._subscriptions: dict[str, Subscription] = {}
        self._next_id = 1
        self._next_geography = 1

    def reset(self) -> None:
        """Forget every subscription and geography (ids keep counting up)."""
        with self._lock:
            self._subscriptions.clear()

    def add(self, spec: SubscriptionSpec) -> Subscription:
        """The new subscription (or the same existing one, for anything but a geography)."""
        with self._lock:
            if spec.object != "geography":
                for existing in self._subscriptions.values():
                    if (existing.object, existing.object_id, existing.callback_url) == (
                        spec.object,
                        spec.object_id,
                        spec.callback_url,
                    ):
                        return existing
            object_id = spec.object_id
            if spec.object == "geography":
                object_id = str(self._next_geography)
                self._next_geography += 1
            sub = Subscription(
                str(self._next_id),
                spec.object,
                object_id,
                spec.callback_url,
                spec.verify_token,
                self._clock(),
                spec.lat,
                spec.lng,
                spec.radius,
            )
            self._next_id += 1
            self._subscriptions[sub.id] = sub
            return sub

    def all(self) -> list[Subscription]:
        """Every subscription, oldest first."""
        with self._lock:
            return list(self._subscriptions.values())

    def delete(self, sub_id: str | None = None, object_type: str | None = None) -> list[Subscription]:
        """Delete by id, by object type, or (``object_type="all"``) everything; returns what went."""
        with self._lock:
            doomed = [
                s
                for s in self._subscriptions.values()
                if (sub_id is not None and s.id == sub_id)
                or (object_type is not None and object_type in ("all", s.object))
            ]
            for sub in doomed:
                del self._subscriptions[sub.id]
            return doomed

    def geography(self, geography_id: str) -> Subscription | None:
        """The live geography subscription with this geography id, or None."""
        with self._lock:
            return next(
                (
                    s
                    for s in self._subscriptions.values()
                    if s.object == "geography" and s.object_id == geography_id
                ),
                None,
            )


def within(sub: Subscription, point: tuple[float, float] | None) -> bool:
    """True when ``point`` lies inside a geography subscription's circle."""
    if point is None or sub.lat is None or sub.lng is None or sub.radius is None:
        return False
    return distance_m(sub.lat, sub.lng, point[0], point[1]) <= sub.radius


def matches(sub: Subscription, world: World, item: Media, authorized: Collection[str]) -> bool:
    """Whether a new post wakes the subscription (see the module docstring)."""
    owner = world.user_by_id(item.owner_id)
    if owner is None:
        return False
    if sub.object == "user":
        return owner.id in authorized
    if owner.is_private:
        return False
    if sub.object == "tag":
        return (sub.object_id or "").lower() in item.tags
    if sub.object == "location":
        return item.location_id is not None and item.location_id == sub.object_id
    return within(sub, world.point_of(item))


def update_for(sub: Subscription, item: Media, now: float) -> dict[str, Any]:
    """The update object a push carries for one subscription."""
    user = sub.object == "user"
    return {
        "changed_aspect": ASPECT,
        "object": sub.object,
        "object_id": item.owner_id if user else sub.object_id,
        "time": int(now),
        "subscription_id": int(sub.id),
        "data": {"media_id": item.id} if user else {},
    }


def updates_by_callback(
    subs: list[Subscription], world: World, item: Media, authorized: Collection[str], now: float
) -> dict[str, list[dict[str, Any]]]:
    """callback URL -> the updates for that URL (one POST per URL carries them all, in
    subscription order), for every subscription the new post wakes."""
    out: dict[str, list[dict[str, Any]]] = {}
    for sub in subs:
        if matches(sub, world, item, authorized):
            out.setdefault(sub.callback_url, []).append(update_for(sub, item, now))
    return out
