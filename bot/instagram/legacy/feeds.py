"""Channel feeds on API v1: real-time subscriptions (user, tag, location, geography) and the recent-media
endpoints a notification sends igbot to (python-instagram's ``subscriptions.py`` and ``client.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

import requests

from bot.instagram.config import ClientConfig
from bot.instagram.errors import NotFound, Unavailable
from bot.instagram.legacy import parsing as parse
from bot.instagram.models import Account, Credentials, FeedSource, Media

FEED_KINDS = frozenset({"me", "user", "tag", "place", "near"})


class _V1(Protocol):
    _config: ClientConfig
    _app_session: requests.Session

    def _call(self, method: str, path: str, *, token: str | None, data: dict[str, str] | None = None,
              params: dict[str, str | int] | None = None) -> Any: ...  # fmt: skip

    def _search(self, token: str, username: str) -> Account: ...

    def own_account(self, creds: Credentials) -> Account: ...

    def _v1_form(self, method: str, path: str, form: dict[str, str]) -> Any: ...


class LegacyFeeds:
    """The feed half of `bot.instagram.legacy.LegacyInstagram` (mixed into it)."""

    feed_kinds = FEED_KINDS

    def resolve_feed(
        self: _V1, creds: Credentials, kind: str, value: str, *, counted: Callable[[str], None] | None = None
    ) -> FeedSource:
        """The account, tag, place or area a feed follows (API v1 has no hashtag limit: ``counted`` is
        not called). Raises NotFound for an unknown one."""
        if kind == "me":
            own = self.own_account(creds)
            return FeedSource(f"user:{own.id}", f"@{own.username}", own.username, push=True)
        if kind == "user":
            found = self._search(creds.token, value)
            if found.is_private:
                raise NotFound(value, "That account is private, so its posts can't come into a channel.")
            return FeedSource(f"user:{found.id}", f"@{found.username}", found.username, push=False)
        if kind == "tag":
            return FeedSource(f"tag:{value}", f"#{value}", value, push=True)
        if kind == "place":
            places = self._call(
                "GET", "/locations/search", token=creds.token, params={"q": value, "count": 5}
            )
            best = next((p for p in places or [] if isinstance(p, dict) and p.get("id")), None)
            if best is None:
                raise NotFound(
                    value, "Instagram knows no place by that name. Try another name or `near <lat>,<lng>`."
                )
            name = str(best.get("name") or value)
            return FeedSource(f"location:{best['id']}", f"“{name}”", str(best["id"]), push=True)
        return FeedSource(f"geography:{value}", f"near {value.rsplit(',', 1)[0]}", value, push=True)

    def start_push(self: _V1, source: FeedSource, callback_url: str, verify_token: str) -> tuple[str, str]:
        """Create the real-time subscription for ``source``; returns (subscription id, Instagram's object
        id for it: a geography gets a new one). Instagram checks ``callback_url`` before it answers."""
        kind, _, name = source.key.partition(":")
        form = {
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
            "object": kind,
            "aspect": "media",
            "callback_url": callback_url,
            "verify_token": verify_token,
        }
        if kind in ("tag", "location"):
            form["object_id"] = source.name
        if kind == "geography":
            lat, lng, radius = source.name.split(",")
            form.update(lat=lat, lng=lng, radius=radius)
        data = self._v1_form("POST", "/subscriptions", form)
        if not isinstance(data, dict) or not data.get("id"):
            raise Unavailable("subscription answer without an id")
        return str(data["id"]), str(data.get("object_id") or name)

    def stop_push(self: _V1, subscription_id: str) -> None:
        """Delete a real-time subscription."""
        params = {"client_id": self._config.client_id, "client_secret": self._config.client_secret}
        self._v1_form("DELETE", "/subscriptions", {**params, "id": subscription_id})

    def _v1_form(self: _V1, method: str, path: str, form: dict[str, str]) -> Any:
        try:
            if method == "POST":
                response = self._app_session.post(
                    f"{self._config.api_url}{path}", data=form, timeout=self._config.timeout
                )
            else:
                response = self._app_session.request(
                    method, f"{self._config.api_url}{path}", params=form, timeout=self._config.timeout
                )
        except requests.RequestException as exc:
            raise Unavailable(type(exc).__name__) from None
        return parse.envelope_data(response, sent_token=False)

    def feed_media(self: _V1, creds: Credentials, source: FeedSource, count: int) -> list[Media]:
        """The newest posts of ``source``, read as ``creds`` (newest first)."""
        kind, _, rest = source.key.partition(":")
        token: str | None = creds.token
        if kind == "user":
            path = (
                "/users/self/media/recent"
                if rest == creds.ig_user_id
                else f"/users/{quote(rest, safe='')}/media/recent"
            )
        elif kind == "tag":
            path = f"/tags/{quote(source.name, safe='')}/media/recent"
        elif kind == "location":
            path = f"/locations/{quote(source.name, safe='')}/media/recent"
        else:
            path, token = f"/geographies/{quote(source.name, safe='')}/media/recent", None
        items = self._call("GET", path, token=token, params={"count": count})
        found = [parse.media(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return [m for m in found if m is not None][:count]
