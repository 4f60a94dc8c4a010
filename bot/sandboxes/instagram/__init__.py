"""Sandbox Instagram: faithful stand-ins, served on loopback, for the legacy Instagram API v1 and for
today's Instagram Graph API with Facebook Login ("graph mode", docs/instagram-graph.md), both at once.

``InstagramSandbox`` (`sandbox.py`) is the entry point.  Layout:

- `world.py` the data model, independent of any API's JSON; `seeding.py` + `seeddata.py` fill it;
- `render_v1.py` v1 JSON; `oauth.py` authorize + token; `api_users.py`, `api_media.py` the /v1 routes;
- `auth.py` tokens/scopes per call; `paging.py`; `envelope.py` bodies and errors;
- `relationships.py` the live follow graph; `tokens.py` codes and tokens; `faults.py`; `ratelimit.py`;
  `reqlog.py`; `images.py` PNG pictures; `assets.py` picture/page routes; `pages.py` HTML;
- `controls.py` ``/__sandbox__``; `state.py` one instance's state; `app.py` wiring; `cli.py` the command.

Graph mode (dialog ``/facebook/v25.0/dialog/oauth``, API ``/graph/v25.0/...``):

- `graph_world.py` Facebook users, Pages, professional accounts, posts; `graph_seeddata.py` +
  `graph_seeding.py` build it over the v1 world (which stays as it is);
- `graph_oauth.py` dialog + token endpoint; `graph_pages.py` HTML; `graph_tokens.py` codes and ``EAA…``
  tokens; `graph_auth.py` who is calling; `graph_api.py` the routes; `graph_hashtags.py` hashtag search;
- `fields.py` the ``fields`` expansion parser; `graph_render.py` JSON; `graph_paging.py` cursors;
- `graph_errors.py` the error object; `graph_limits.py` + `graph_gate.py` usage headers, the
  per-account limit (80002), the 30-hashtags-a-week quota and faults; `graph_state.py`;
  `graph_controls.py` ``/__sandbox__/graph/...``.

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

from bot.sandboxes.instagram.graph_world import FacebookUser, GraphMedia, GraphWorld, Page, ProAccount
from bot.sandboxes.instagram.sandbox import InstagramSandbox
from bot.sandboxes.instagram.seeding import build_world
from bot.sandboxes.instagram.world import Comment, Location, Media, User, World

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
