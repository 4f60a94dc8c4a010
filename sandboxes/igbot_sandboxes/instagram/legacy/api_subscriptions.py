"""``/v1/subscriptions``: create (POST), list (GET) and delete (DELETE) real-time subscriptions.

As python-instagram calls it (`client.py` ``_make_subscription_action``: ``include_secret=True``, so
``client_id`` and ``client_secret`` travel in the query string while a POST's other parameters are a
form body; ``create_subscription(object='tag', object_id='fox', aspect='media', callback_url=...)``,
``object='geography', lat=35.657872, lng=139.70232, radius=1000``; ``delete_subscriptions(id=...)`` or
``object='all'``) and as the curl examples of the old docs send it (every field as a multipart form
field).  Parameters may therefore come from the query or the body.  ``_method=DELETE`` on a POST is a
DELETE (the v1 docs' "Deleting Objects" note).

Before creating, the callback is checked (`legacy.callbacks.verification_failure`, 5 s); a failed check,
a callback that is not on loopback (the sandbox is offline, so it cannot reach it) or a bad parameter
answers ``400 APISubscriptionError`` (the error type of the urakozz/instagram-php fixture and of
php-instagram-api's exception mapping).  Created: ``{"meta": {"code": 200}, "data": {"object",
"object_id", "aspect": "media", "callback_url", "type": "subscription", "id"}}``; listed: ``data`` is
the array of them; deleted: ``data`` null [the delete answer's body is unconfirmed].  Wording of the
client and parameter errors is the sandbox's own [unconfirmed].
"""

from __future__ import annotations

import re

from flask import Flask, Response, request

from igbot_sandboxes.instagram.legacy import callbacks
from igbot_sandboxes.instagram.legacy.envelope import APIError, ok
from igbot_sandboxes.instagram.legacy.geo import DEFAULT_DISTANCE, MAX_DISTANCE, valid_point
from igbot_sandboxes.instagram.legacy.subscriptions import ASPECT, OBJECTS, SubscriptionSpec
from igbot_sandboxes.instagram.legacy.urls import is_loopback_uri
from igbot_sandboxes.instagram.state import SandboxState

ERROR = "APISubscriptionError"
_TAG = re.compile(r"\w{1,100}")


def params() -> dict[str, str]:
    """Query and body parameters together (the body wins)."""
    return {**request.args.to_dict(), **request.form.to_dict()}


def check_client(state: SandboxState, given: dict[str, str]) -> None:
    """Subscriptions are made by the app itself: ``client_id`` and ``client_secret``, no token.

    Raises:
        APIError: missing, unknown or mismatching credentials.
    """
    client_id, secret = given.get("client_id", ""), given.get("client_secret", "")
    if not client_id or not secret:
        raise APIError("OAuthParameterException", "Missing client_id or client_secret URL parameter.")
    if client_id != state.config.client_id:
        raise APIError(
            "OAuthParameterException",
            "The client_id provided is invalid and does not match a valid application.",
        )
    if secret != state.config.client_secret:
        raise APIError("OAuthParameterException", "The client_secret provided is invalid.")


def _geography(given: dict[str, str]) -> tuple[float, float, float]:
    try:
        lat, lng = float(given["lat"]), float(given["lng"])
        radius = float(given.get("radius") or DEFAULT_DISTANCE)
    except (KeyError, ValueError):
        raise APIError(ERROR, "geography subscriptions need numeric lat and lng") from None
    if not valid_point(lat, lng):
        raise APIError(ERROR, "invalid lat or lng")
    if not 0 < radius <= MAX_DISTANCE:
        raise APIError(ERROR, f"radius must be more than 0 and at most {MAX_DISTANCE:.0f} meters")
    return lat, lng, radius


def _object_id(state: SandboxState, kind: str, given: dict[str, str]) -> str | None:
    raw = given.get("object_id", "").strip()
    if kind == "tag":
        tag = raw.lstrip("#").lower()
        if not _TAG.fullmatch(tag):
            raise APIError(ERROR, "tag subscriptions need object_id, a tag name")
        return tag
    if kind == "location":
        if state.world.location_by_id(raw) is None:
            raise APIError(
                ERROR, f"invalid location id {raw!r}" if raw else "location subscriptions need object_id"
            )
        return raw
    return None  # user: all users who authorized the client; geography: a new id


def spec_from(state: SandboxState, given: dict[str, str]) -> SubscriptionSpec:
    """A validated create request.

    Raises:
        APIError: APISubscriptionError for a bad object, aspect, object id, point or callback URL.
    """
    kind = given.get("object", "")
    if kind not in OBJECTS:
        raise APIError(ERROR, f"object must be one of {', '.join(OBJECTS)}")
    if given.get("aspect", "") != ASPECT:
        raise APIError(ERROR, "aspect must be media")
    callback = given.get("callback_url", "")
    if not callback:
        raise APIError(ERROR, "Missing callback_url")
    if not is_loopback_uri(callback):
        raise APIError(ERROR, f"Unable to reach callback URL {callback}")
    object_id = _object_id(state, kind, given)
    lat = lng = radius = None
    if kind == "geography":
        lat, lng, radius = _geography(given)
    return SubscriptionSpec(kind, object_id, callback, given.get("verify_token"), lat, lng, radius)


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/v1/subscriptions`` (GET, POST, DELETE) to ``app``."""

    def delete(given: dict[str, str]) -> Response:
        sub_id, kind = given.get("id") or None, given.get("object") or None
        if sub_id is None and kind is None:
            raise APIError(ERROR, "give id or object (user, tag, location, geography or all)")
        if kind is not None and kind not in (*OBJECTS, "all"):
            raise APIError(ERROR, f"object must be one of {', '.join(OBJECTS)} or all")
        state.subscriptions.delete(sub_id, kind)
        return ok(None)

    @app.route("/v1/subscriptions", methods=["GET", "POST", "DELETE"])
    def v1_subscriptions() -> Response:
        given = params()
        check_client(state, given)
        if request.method == "DELETE" or given.get("_method", "").upper() == "DELETE":
            return delete(given)
        if request.method == "GET":
            return ok([s.to_api() for s in state.subscriptions.all()])
        spec = spec_from(state, given)
        timeout = callbacks.VERIFY_TIMEOUT_SECONDS
        failure = callbacks.verification_failure(spec.callback_url, spec.verify_token, timeout)
        if failure is not None:
            raise APIError(ERROR, failure)
        return ok(state.subscriptions.add(spec).to_api())
