"""The legacy Instagram API v1 stand-in: ``/v1/...``, ``/oauth/authorize`` and ``/oauth/access_token``.

- `world.py` the data model (also the base the graph world is built over), independent of any API's
  JSON; `seeding.py` + `seeddata.py` fill it;
- `render.py` v1 JSON; `oauth.py` authorize + token; `api_users.py`, `api_media.py` the /v1 routes;
- `auth.py` tokens/scopes per call; `paging.py`; `envelope.py` bodies and errors;
- `relationships.py` the live follow graph; `tokens.py` codes and tokens; `ratelimit.py` the hourly
  window; `pages.py` HTML (authorize page, post pages).

Deliberately empty of imports: import the modules themselves.
"""
