"""Posts deleted by their owners (``POST /__sandbox__/media/delete``): at once, or between a client's
listing and its next read of the post, its comments or its picture; each API answers as it does for a
post that does not exist."""

from __future__ import annotations

import pytest
import requests

from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import TIMEOUT, api
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, error_of
from tests.sandboxes.instagram.inbox_helpers import call, moderator, newest_post


@pytest.fixture
def token(sandbox: InstagramSandbox) -> str:
    return sandbox.issue_token("alice")


def _delete(base: str, **body: object) -> requests.Response:
    return requests.post(f"{base}/__sandbox__/media/delete", json=body, timeout=TIMEOUT)


def _own_ids(base: str, token: str) -> list[str]:
    answer = api(base, "/users/self/media/recent", access_token=token, count=5)
    assert answer.status_code == 200, answer.text
    return [str(m["id"]) for m in answer.json()["data"]]


def test_a_post_armed_for_its_read_is_listed_then_gone_with_v1s_own_answer(
    base: str, sandbox: InstagramSandbox, token: str
) -> None:
    first, second = _own_ids(base, token)[:2]
    armed = _delete(base, media_id=first, when="read")
    assert armed.status_code == 200 and armed.json() == {"media_id": first, "deleted": False}

    assert _own_ids(base, token)[:2] == [first, second]  # a listing does not set it off
    assert api(base, f"/media/{second}/comments", access_token=token).status_code == 200
    gone = api(base, f"/media/{first}/comments", access_token=token)
    assert gone.status_code == 400
    assert gone.json() == {
        "meta": {"code": 400, "error_type": "APINotFoundError", "error_message": "invalid media id"}
    }
    assert first not in _own_ids(base, token)
    assert api(base, f"/media/{first}", access_token=token).json()["meta"]["error_type"] == "APINotFoundError"
    assert requests.get(f"{base}/media/{first}/thumbnail.png", timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{base}/media/{second}/thumbnail.png", timeout=TIMEOUT).status_code == 200


def test_a_picture_is_a_read_and_deleting_now_needs_no_read(
    base: str, sandbox: InstagramSandbox, token: str
) -> None:
    first, second = _own_ids(base, token)[:2]
    sandbox.delete_media(first, when="read")
    assert requests.get(f"{base}/media/{first}/low_resolution.png", timeout=TIMEOUT).status_code == 404
    assert first not in _own_ids(base, token)

    assert _delete(base, media_id=second).json() == {"media_id": second, "deleted": True}
    assert second not in _own_ids(base, token)
    assert _delete(base, media_id=second).status_code == 404  # gone already
    assert _delete(base, media_id=_own_ids(base, token)[0], when="later").status_code == 400

    sandbox.reset()
    token = sandbox.issue_token("alice")
    assert _own_ids(base, token)[:2] == [first, second]


def test_a_graph_post_deleted_before_a_comment_on_it_is_read_answers_100_33(
    base: str, sandbox: InstagramSandbox
) -> None:
    token = moderator(sandbox)
    media = newest_post(sandbox)
    comment = sandbox.add_comment(media, "chloemurphy", "lovely")
    sandbox.delete_media(media, when="read")
    listed = call(base, "GET", f"/{ALICE_SHOP}/media", token, fields="id")
    assert media in [m["id"] for m in listed.json()["data"]]

    gone = call(base, "GET", f"/{comment['id']}", token, fields="id,text")
    error = error_of(gone)
    assert gone.status_code == 400 and (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"].startswith(f"Unsupported get request. Object with ID '{comment['id']}'")
    assert error_of(call(base, "GET", f"/{media}", token, fields="id"))["code"] == 100
    assert sandbox.graph_world.media_by_id(media) is None
