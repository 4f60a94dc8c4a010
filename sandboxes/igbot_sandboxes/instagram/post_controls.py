"""Controls for new posts and real-time pushes under ``/__sandbox__/`` (JSON in, JSON out).

- ``POST media`` ``{"username", "caption"?, "tags"?: [...], "location_id"? | "lat"? + "lng"?,
  "is_video"?}`` -> the new v1 media object (as ``/v1/media/{id}`` renders it without a token), 200;
  404 for an unknown user, 400 for a bad field.  The post is first in ``users/{id}/media/recent``,
  ``users/self/media/recent``, ``tags/{tag}/media/recent``, ``locations/{id}/media/recent``,
  ``geographies/{id}/media/recent``, ``media/search``, ``media/{id}``, ``media/shortcode/{code}``
  (and, for a public owner, in graph hashtag search); every real-time subscription it matches is pushed
  from a background thread (the answer never waits for the pushes).
- ``POST media/delete`` ``{"media_id", "when"?: "now" | "read"}`` -> ``{"media_id", "deleted": bool}``:
  its owner deletes the post (a v1 id or a graph id): at once (``"now"``, the default), or right before
  the next request that reads it on its own (``"read"``: after a listing showed it, so the client's
  next read of it, its comments or its picture finds it gone; see `deletions`).  ``deleted`` says
  whether it is gone already.  404 for an unknown post, 400 for a bad ``when``.
- ``GET pushes[?wait=seconds]`` -> ``{"pushes": [attempt...], "pending": n, "idle": bool}``: every push
  attempt (``seq``, ``delivery``, ``attempt``, ``url``, ``status``, ``error``, ``outcome`` delivered |
  retrying | failed, ``body``, ``signature``, ``subscription_ids``, ``time``, ``elapsed_ms``), oldest
  first; with ``wait`` the answer first waits up to that many seconds (at most 30) for every push to
  be delivered or given up.
- ``GET subscriptions`` -> ``{"subscriptions": [{"id", "object", "object_id", "aspect",
  "callback_url", "type", "lat", "lng", "radius", "created_at"}]}``

Graph mode's ``POST graph/media`` is in `graph.controls`.  ``POST reset`` forgets added posts,
deletions, subscriptions and pushes.
"""

from __future__ import annotations

from flask import Flask, Response, request

from igbot_sandboxes.instagram.controls import PREFIX
from igbot_sandboxes.instagram.legacy import render
from igbot_sandboxes.instagram.legacy.envelope import json_response
from igbot_sandboxes.instagram.legacy.posts import post_from_json
from igbot_sandboxes.instagram.legacy.pushes import PushDelivery
from igbot_sandboxes.instagram.state import SandboxState

MAX_WAIT_SECONDS = 30.0


def waited(deliveries: PushDelivery) -> Response | tuple[bool, int]:
    """Honour ``?wait=<seconds>`` (at most ``MAX_WAIT_SECONDS``): wait until ``deliveries`` has nothing
    queued or in flight. Returns (idle, how many are still pending), or the 400 for a bad ``wait``."""
    idle = True
    if request.args.get("wait"):
        try:
            wait = min(max(float(request.args["wait"]), 0.0), MAX_WAIT_SECONDS)
        except ValueError:
            return json_response({"error": "wait must be a number of seconds"}, 400)
        idle = deliveries.wait_idle(wait)
    pending = deliveries.pending()
    return idle and pending == 0, pending


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/__sandbox__/media``, ``/__sandbox__/media/delete``, ``/__sandbox__/pushes`` and
    ``/__sandbox__/subscriptions``."""

    @app.post(f"{PREFIX}/media")
    def add_media_control() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_response({"error": "send a JSON object"}, 400)
        try:
            item = state.add_media(post_from_json(body))
        except LookupError as exc:
            return json_response({"error": str(exc.args[0])}, 404)
        except (TypeError, ValueError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(render.media(request.host_url.rstrip("/"), state.world, item, None))

    @app.post(f"{PREFIX}/media/delete")
    def delete_media_control() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_response({"error": "send a JSON object"}, 400)
        media_id = str(body.get("media_id") or "")
        try:
            deleted = state.delete_media(media_id, str(body.get("when") or "now"))
        except LookupError as exc:
            return json_response({"error": str(exc.args[0])}, 404)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"media_id": media_id, "deleted": deleted})

    @app.get(f"{PREFIX}/pushes")
    def pushes_control() -> Response:
        found = waited(state.pushes)
        if isinstance(found, Response):
            return found
        idle, pending = found
        return json_response(
            {"pushes": [p.to_dict() for p in state.pushes.records()], "pending": pending, "idle": idle}
        )

    @app.get(f"{PREFIX}/subscriptions")
    def subscriptions_control() -> Response:
        listing = [
            {**s.to_api(), "lat": s.lat, "lng": s.lng, "radius": s.radius, "created_at": s.created_at}
            for s in state.subscriptions.all()
        ]
        return json_response({"subscriptions": listing})
