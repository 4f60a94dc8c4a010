"""Sandbox Instagram: faithful stand-ins, served on loopback, for the legacy Instagram API v1 and for
today's Instagram Graph API with Facebook Login ("graph mode", docs/instagram-graph.md), both at once.

``InstagramSandbox`` (`sandbox.py`) is the entry point.  Layout:

- `legacy/` the API v1 stand-in: `world.py` the data model (the graph world is built over it),
  `seeding.py` + `seeddata.py`, `render.py` v1 JSON, `oauth.py`, `api_users.py`, `api_media.py`,
  `auth.py`, `paging.py`, `envelope.py` bodies and errors, `relationships.py`, `tokens.py`,
  `ratelimit.py`, `pages.py` HTML (see `legacy/__init__.py`);
- `graph/` graph mode (dialog ``/facebook/v25.0/dialog/oauth``, API ``/graph/v25.0/...``): `world.py`,
  `seeddata.py` + `seeding.py`, `oauth.py`, `pages.py`, `tokens.py`, `auth.py`, `api.py`,
  `hashtags.py`, `fields.py`, `render.py`, `paging.py`, `errors.py`, `limits.py` + `gate.py`,
  `state.py`, `controls.py` ``/__sandbox__/graph/...``, `comments.py` moderation and mentions,
  `webhooks.py` the app's webhook, Pages' ``subscribed_apps`` and signed deliveries (see
  `graph/__init__.py`);
- shared, at the top: `sandbox.py` (+ `sandbox_posts.py`: new posts, subscriptions, pushes;
  `sandbox_inbox.py`: the comment and mention inbox); `comments.py` the live comment store both APIs
  share; `inbox.py` new comments, mentions and the webhooks they cause; `inbox_controls.py`
  ``/__sandbox__/comments``;
  `state.py` one instance's state (both APIs); `app.py` wiring and the per-request gate; `controls.py`
  ``/__sandbox__``; `post_controls.py` ``/__sandbox__/media``, ``pushes``, ``subscriptions``;
  `faults.py`; `reqlog.py`; `images.py` PNG pictures; `assets.py` picture/page routes; `tiles.py`
  offline map tiles ``/tiles/{z}/{x}/{y}.png`` drawn by `tile_render.py` (+ `sandbox_tiles.py`);
  `cli.py` the command.

Test controls (``/__sandbox__/...``) are listed in `controls.py` (both APIs: faults, with arbitrary
headers and v1 ``meta.code``; tokens; reset), `post_controls.py` (new v1 posts that trigger the
legacy real-time pushes; push attempts; subscriptions), `inbox_controls.py` (comments by anyone, a
post's comments) and `graph/controls.py` (graph tokens, expiry, revocation, extra Pages for
``me/accounts`` paging, hashtag searches made outside igbot, new posts, the webhook callback, the
app's Live / Advanced Access switches, mentions, Page roles, webhook deliveries).  The comment inbox
on the wire is docs/inbox-wire.md.

Fixed graph personas (same names and ids for every seed):

=================  ==========================================  ==========================================
Facebook user      Pages                                       Instagram professional account (id)
=================  ==========================================  ==========================================
alice              Alice's Coffee Shop, Alice Anderson Studio  alice.shop (17841400000000011, business),
                                                               alice.studio (17841400000000012, creator)
bob                Bob's Bakery                                bobs_bakery (17841400000000021, business)
carol.private      Carol's Book Club                           none (a Page without Instagram)
dan_the_man        none                                        none
erin.private       Erin's Running Club, Trail Runner Jo        trailrunner.jo (17841400000000107, creator)
=================  ==========================================  ==========================================

Business Discovery also finds brewlab.coffee (…101), sunset.chaser (…102, creator), urban.lens (…103,
creator), green_thumb_co (…104), vinyl.vault (…105), pawsome.pets (…106), wavecatcher.surf (…108);
ids are 17841400000000xxx.  Every v1 user (alice, bob, carol.private, dan_the_man, …) is a *personal*
account that Business Discovery answers with code 110; the public ones' posts still appear in hashtag
search.  Hashtags with media include coffee, sourdough, sunset, surfing, plants, vinyl (more than 70).
"""

from igbot_sandboxes.instagram.graph.world import FacebookUser, GraphMedia, GraphWorld, Page, ProAccount
from igbot_sandboxes.instagram.legacy.seeding import build_world
from igbot_sandboxes.instagram.legacy.world import Comment, Location, Media, User, World
from igbot_sandboxes.instagram.sandbox import InstagramSandbox

__all__ = [
    "Comment",
    "FacebookUser",
    "GraphMedia",
    "GraphWorld",
    "InstagramSandbox",
    "Location",
    "Media",
    "Page",
    "ProAccount",
    "User",
    "World",
    "build_world",
]
