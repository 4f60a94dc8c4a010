"""A post found by the shortcode of its link (for link previews): the sandbox's ``/v1/media/shortcode/{code}``
and graph media's ``shortcode``/``permalink``, and both backends' `post_by_shortcode` over real HTTP, with
the errors every other call maps (expired tokens, rate limits, timeouts)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from bot.instagram.config import ClientConfig
from bot.instagram.errors import NotAllowed, RateLimited, TokenInvalid, Unavailable
from bot.instagram.graph import parsing as graph_parsing
from bot.instagram.graph.backend import OWN_POST_PAGE_SIZE, OWN_POST_PAGES, GraphInstagram
from bot.instagram.legacy import LegacyInstagram
from bot.instagram.models import Capability, Credentials
from igbot_sandboxes.instagram import InstagramSandbox
from tests.sandboxes.instagram.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, add_media, api
from tests.sandboxes.instagram.graph_helpers import ALICE_SHOP, ALICE_STUDIO, graph

ALICE_POST = "-PF9LfgU0v"  # alice's newest seeded post (public account)
CAROL_POST = "6Ijbm3mODS"  # carol.private's newest (alice doesn't follow her; bob does)
ERIN_POST = "3wHxyngnCc"  # erin.private's newest (alice follows her)


@pytest.fixture(autouse=True)
def _loopback_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # as igbot sets it for loopback URLs


def legacy(base: str, timeout: tuple[float, float] = (2.0, 5.0)) -> LegacyInstagram:
    return LegacyInstagram(
        ClientConfig(
            CLIENT_ID,
            CLIENT_SECRET,
            f"{base}/v1",
            f"{base}/oauth/authorize",
            f"{base}/oauth/access_token",
            REDIRECT_URI,
            timeout=timeout,
        )
    )


def graph_backend(base: str) -> GraphInstagram:
    api_url = f"{base}/graph/v25.0"
    return GraphInstagram(
        ClientConfig(
            CLIENT_ID,
            CLIENT_SECRET,
            api_url,
            f"{base}/facebook/v25.0/dialog/oauth",
            f"{api_url}/oauth/access_token",
            REDIRECT_URI,
            timeout=(2.0, 5.0),
        )
    )


# --- the sandbox's v1 route ---


def test_v1_shortcode_answers_the_same_media_as_its_id(base: str, sandbox: InstagramSandbox) -> None:
    item = sandbox.world.media_by_shortcode(ALICE_POST)
    assert item is not None
    by_code = api(base, f"/media/shortcode/{ALICE_POST}", client_id=CLIENT_ID)
    by_id = api(base, f"/media/{item.id}", client_id=CLIENT_ID)
    assert by_code.status_code == 200
    assert by_code.json() == by_id.json()
    data = by_code.json()["data"]
    assert data["link"] == f"{base}/p/{ALICE_POST}/"  # as every sandbox media's link
    assert urlsplit(data["link"]).path.split("/")[2] == ALICE_POST
    assert requests.get(data["link"], timeout=5).status_code == 200  # the permalink page exists


def test_v1_unknown_shortcode_is_api_not_found(base: str) -> None:
    response = api(base, "/media/shortcode/NoSuchPost1", client_id=CLIENT_ID)
    assert response.status_code == 400
    assert response.json()["meta"]["error_type"] == "APINotFoundError"


def test_v1_private_post_needs_a_token_that_follows(base: str, sandbox: InstagramSandbox) -> None:
    anonymous = api(base, f"/media/shortcode/{CAROL_POST}", client_id=CLIENT_ID)
    assert anonymous.status_code == 400
    assert anonymous.json()["meta"]["error_type"] == "APINotAllowedError"
    stranger = api(base, f"/media/shortcode/{CAROL_POST}", access_token=sandbox.issue_token("alice"))
    assert stranger.json()["meta"]["error_type"] == "APINotAllowedError"
    follower = api(base, f"/media/shortcode/{CAROL_POST}", access_token=sandbox.issue_token("bob"))
    assert follower.status_code == 200
    assert follower.json()["data"]["user"]["username"] == "carol.private"


def test_v1_someone_elses_post_needs_public_content(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_token("bob", scope="basic")
    response = api(base, f"/media/shortcode/{ALICE_POST}", access_token=token)
    assert response.json()["meta"]["error_type"] == "OAuthPermissionsException"
    own = api(base, f"/media/shortcode/{ALICE_POST}", access_token=sandbox.issue_token("alice", "basic"))
    assert own.status_code == 200


def test_v1_added_post_is_found_by_the_code_in_its_link(base: str) -> None:
    added = add_media(base, username="bob", caption="Fresh out of the oven").json()
    code = urlsplit(added["link"]).path.split("/")[2]
    found = api(base, f"/media/shortcode/{code}", client_id=CLIENT_ID).json()["data"]
    assert found["id"] == added["id"]
    assert found["caption"]["text"] == "Fresh out of the oven"


# --- graph media carry shortcode and permalink ---


def test_graph_media_have_a_shortcode_matching_their_permalink(base: str, sandbox: InstagramSandbox) -> None:
    token = sandbox.issue_graph_token("alice")
    body = graph(base, f"/{ALICE_STUDIO}/media", token, fields="id,shortcode,permalink", limit=100).json()
    assert body["data"]
    for node in body["data"]:
        assert node["permalink"] == f"{base}/p/{node['shortcode']}/"


# --- LegacyInstagram.post_by_shortcode ---


def test_legacy_finds_a_public_post_without_a_token(base: str) -> None:
    backend = legacy(base)
    assert Capability.PREVIEW_ANY_POST in backend.capabilities
    post = backend.post_by_shortcode(None, ALICE_POST)
    assert post is not None
    assert post.author == "alice"
    assert post.link == f"{base}/p/{ALICE_POST}/"
    assert post.image_url.startswith(base)
    assert post.posted_at > 0


def test_legacy_unknown_post_is_none_and_a_non_code_is_never_sent(
    base: str, sandbox: InstagramSandbox
) -> None:
    backend = legacy(base)
    assert backend.post_by_shortcode(None, "NoSuchPost1") is None
    before = len(sandbox.requests_log())
    for bad in ("", "../users/self", "a/b", "x" * 65, "%2e%2e", "ab cd"):
        assert backend.post_by_shortcode(None, bad) is None
    assert len(sandbox.requests_log()) == before


def test_legacy_private_post(base: str, sandbox: InstagramSandbox) -> None:
    backend = legacy(base)
    alice = Credentials(sandbox.issue_token("alice"), "1574083")
    with pytest.raises(NotAllowed):
        backend.post_by_shortcode(alice, CAROL_POST)
    with pytest.raises(NotAllowed):
        backend.post_by_shortcode(None, ERIN_POST)
    erin = backend.post_by_shortcode(alice, ERIN_POST)  # alice follows erin.private
    assert erin is not None and erin.author == "erin.private"


def test_legacy_revoked_token_is_token_invalid_naming_it(base: str, sandbox: InstagramSandbox) -> None:
    creds = Credentials(sandbox.issue_token("alice"), "1574083")
    sandbox.revoke(access_token=creds.token)
    with pytest.raises(TokenInvalid) as raised:
        legacy(base).post_by_shortcode(creds, ALICE_POST)
    assert raised.value.token_fingerprint == creds.fingerprint


def test_legacy_rate_limit_and_outage(base: str, sandbox: InstagramSandbox) -> None:
    backend = legacy(base, timeout=(2.0, 0.3))
    sandbox.inject_faults(1, status=429)
    with pytest.raises(RateLimited):
        backend.post_by_shortcode(None, ALICE_POST)
    sandbox.inject_faults(1, status=503)
    with pytest.raises(Unavailable):
        backend.post_by_shortcode(None, ALICE_POST)
    sandbox.inject_faults(1, status=None, latency_ms=1000)
    with pytest.raises(Unavailable):
        backend.post_by_shortcode(None, ALICE_POST)


# --- GraphInstagram.post_by_shortcode: only the account's own latest posts ---


def _studio(sandbox: InstagramSandbox) -> Credentials:
    return Credentials(sandbox.issue_graph_token("alice"), ALICE_STUDIO)


def test_graph_finds_the_accounts_own_post(base: str, sandbox: InstagramSandbox) -> None:
    backend = graph_backend(base)
    assert Capability.PREVIEW_ANY_POST not in backend.capabilities
    newest = sandbox.graph_world.media_of(ALICE_STUDIO)[0]
    post = backend.post_by_shortcode(_studio(sandbox), newest.shortcode)
    assert post is not None
    assert post.id == newest.id
    assert post.author == "alice.studio"
    assert post.link == f"{base}/p/{newest.shortcode}/"
    assert post.image_url and post.posted_at > 0


def test_graph_other_accounts_posts_are_none(base: str, sandbox: InstagramSandbox) -> None:
    backend = graph_backend(base)
    shop_post = sandbox.graph_world.media_of(ALICE_SHOP)[0].shortcode
    assert backend.post_by_shortcode(_studio(sandbox), shop_post) is None  # her other account's
    assert backend.post_by_shortcode(_studio(sandbox), ALICE_POST) is None  # a v1 (personal) post
    assert backend.post_by_shortcode(None, shop_post) is None


def test_graph_reads_a_second_page_only_when_needed(base: str, sandbox: InstagramSandbox) -> None:
    for n in range(OWN_POST_PAGE_SIZE):
        sandbox.add_graph_media("alice.studio", caption=f"new {n}")
    posts = sandbox.graph_world.media_of(ALICE_STUDIO)
    backend, creds = graph_backend(base), _studio(sandbox)

    def media_calls() -> int:
        return sum(1 for r in sandbox.requests_log() if r["path"].endswith(f"/{ALICE_STUDIO}/media"))

    assert backend.post_by_shortcode(creds, posts[1].shortcode) is not None
    assert media_calls() == 1
    older = backend.post_by_shortcode(creds, posts[OWN_POST_PAGE_SIZE].shortcode)  # on the second page
    assert older is not None and older.id == posts[OWN_POST_PAGE_SIZE].id
    assert media_calls() == 3


def test_graph_looks_no_further_than_the_latest_50(base: str, sandbox: InstagramSandbox) -> None:
    bound = OWN_POST_PAGES * OWN_POST_PAGE_SIZE
    for n in range(bound):
        sandbox.add_graph_media("alice.studio", caption=f"new {n}")
    oldest = sandbox.graph_world.media_of(ALICE_STUDIO)[bound]
    assert graph_backend(base).post_by_shortcode(_studio(sandbox), oldest.shortcode) is None


def test_graph_expired_token_and_rate_limit(base: str, sandbox: InstagramSandbox) -> None:
    backend, creds = graph_backend(base), _studio(sandbox)
    code = sandbox.graph_world.media_of(ALICE_STUDIO)[0].shortcode
    sandbox.inject_faults(1, path_prefix="/graph", error_code=4)
    with pytest.raises(RateLimited):
        backend.post_by_shortcode(creds, code)
    sandbox.expire_graph_tokens(access_token=creds.token)
    with pytest.raises(TokenInvalid) as raised:
        backend.post_by_shortcode(creds, code)
    assert raised.value.token_fingerprint == creds.fingerprint


def test_graph_matching_falls_back_to_the_permalink_and_needs_no_picture() -> None:
    body = {
        "data": [
            "nonsense",
            {"id": "1", "shortcode": "AbC", "media_url": "https://cdn/1.jpg"},
            {"id": "2", "permalink": "https://www.instagram.com/reel/XyZ/", "media_type": "CAROUSEL_ALBUM"},
            {"id": "3", "permalink": "https://www.instagram.com/bob/"},
        ]
    }
    assert graph_parsing.post_with_shortcode(body, "abc") is None  # shortcodes are case-sensitive
    found = graph_parsing.post_with_shortcode(body, "AbC")
    assert found is not None and found.id == "1"
    album = graph_parsing.post_with_shortcode(body, "XyZ")
    assert album is not None and album.id == "2" and album.image_url == ""
    assert graph_parsing.post_with_shortcode(body, "bob") is None
    assert graph_parsing.post_with_shortcode({"data": "x"}, "AbC") is None
