"""The legacy Instagram API v1 stand-in: ``/v1/...``, ``/oauth/authorize`` and ``/oauth/access_token``.

- `world.py` the data model (also the base the graph world is built over), independent of any API's
  JSON; `seeding.py` + `seeddata.py` fill it;
- `render.py` v1 JSON; `oauth.py` authorize + token; `api_users.py`, `api_media.py` the /v1 routes
  (``/v1/media/{id}`` and ``/v1/media/shortcode/{code}`` alike), `api_comments.py`
  ``/v1/media/{id}/comments`` (over the shared store, `..comments`);
- `auth.py` tokens/scopes per call; `paging.py`; `envelope.py` bodies and errors;
- `relationships.py` the live follow graph; `tokens.py` codes and tokens; `ratelimit.py` the hourly
  window; `pages.py` HTML (authorize page, post pages);
- real-time subscriptions: `api_subscriptions.py` ``/v1/subscriptions``, `subscriptions.py` the store
  and which posts wake which subscription, `callbacks.py` the ``hub.challenge`` check and HTTP calls,
  `pushes.py` signed deliveries with retries (graph webhooks reuse it); `posts.py` new posts
  (controls); `api_places.py` location and geography media; `geo.py` points and distances; `urls.py`
  loopback URLs.

Deliberately empty of imports: import the modules themselves.
"""
