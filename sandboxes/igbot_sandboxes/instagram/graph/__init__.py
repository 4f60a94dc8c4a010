"""The Instagram Graph API stand-in ("graph mode", docs/instagram-graph.md): Facebook Login dialog
``/facebook/v25.0/dialog/oauth`` and API ``/graph/v25.0/...``.

- `world.py` Facebook users, Pages, professional accounts, posts; `seeddata.py` + `seeding.py` build it
  over the v1 world (`legacy.world`, which stays as it is);
- `oauth.py` dialog + token endpoint; `pages.py` HTML; `tokens.py` codes and ``EAA…`` tokens;
  `auth.py` who is calling; `api.py` the routes; `hashtags.py` hashtag search;
- `fields.py` the ``fields`` expansion parser; `render.py` JSON; `paging.py` cursors;
- `errors.py` the error object; `limits.py` + `gate.py` usage headers, the per-account limit (80002),
  the 30-hashtags-a-week quota and faults; `state.py`; `controls.py` ``/__sandbox__/graph/...``;
  `posts.py` new posts (the ``graph/media`` control); `comments.py` comments, replies, hide, delete and
  mentions lookups; `webhooks.py` the app's webhook (handshake, Live / Advanced Access, Pages'
  ``subscribed_apps``, signed deliveries with retries).

Deliberately empty of imports: import the modules themselves.
"""
