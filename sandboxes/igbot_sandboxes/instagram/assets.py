"""What the sandbox serves besides the API: pictures, media permalink pages and the index page."""

from __future__ import annotations

from flask import Flask, Response, abort, request

from igbot_sandboxes.instagram import images
from igbot_sandboxes.instagram.graph import pages as graph_pages
from igbot_sandboxes.instagram.legacy import pages
from igbot_sandboxes.instagram.state import SandboxState

CACHE = "public, max-age=86400"


def _png(data: bytes) -> Response:
    return Response(data, mimetype="image/png", headers={"Cache-Control": CACHE})


def register(app: Flask, state: SandboxState) -> None:
    """Add ``/media/<id>/<size>.png``, ``/avatars/<user id>.png``, ``/p/<shortcode>/`` and ``/``.

    Pictures, avatars and permalinks cover v1 media and users as well as graph mode's professional
    accounts and their posts.
    """

    @app.get("/media/<media_id>/<size>.png")
    def media_picture(media_id: str, size: str) -> Response:
        if size not in images.SIZES:
            abort(404)
        item = state.world.media_by_id(media_id)
        if item is not None:
            return _png(images.media_image(item.id, images.SIZES[size], item.is_video))
        post = state.graph_mode.world.media_by_picture_key(media_id)  # a professional account's post
        if post is None:
            abort(404)
        return _png(images.media_image(post.picture_key, images.SIZES[size], post.media_type == "VIDEO"))

    @app.get("/media/<media_id>/video_<size>.mp4")
    def media_video(media_id: str, size: str) -> Response:
        # Videos are listed with their real keys but the sandbox has no video encoder: say so plainly.
        return Response(
            "The sandbox serves video covers as images, not video files.\n", status=404, mimetype="text/plain"
        )

    @app.get("/avatars/<user_id>.png")
    def avatar(user_id: str) -> Response:
        if state.world.user_by_id(user_id) is None and state.graph_mode.world.account_by_id(user_id) is None:
            abort(404)
        return _png(images.avatar_image(user_id))

    @app.get("/p/<shortcode>/")
    def permalink(shortcode: str) -> Response:
        item = state.world.media_by_shortcode(shortcode)
        owner = state.world.user_by_id(item.owner_id) if item else None
        if item is None or owner is None:
            post = state.graph_mode.world.media_by_shortcode(shortcode)
            if post is None:
                abort(404)
            image = f"{request.host_url.rstrip('/')}/media/{post.picture_key}/standard_resolution.png"
            return Response(graph_pages.post_page(post, image), mimetype="text/html")
        image = f"{request.host_url.rstrip('/')}/media/{item.id}/standard_resolution.png"
        return Response(pages.media_page(item, owner, image), mimetype="text/html")

    @app.get("/")
    def index() -> Response:
        return Response(pages.index_page(state.world.users), mimetype="text/html")
