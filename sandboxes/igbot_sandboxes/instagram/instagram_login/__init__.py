"""The Instagram API with Instagram Login stand-in (Business Login for Instagram).

- ``/instagram-login/oauth/authorize`` is www.instagram.com's authorize page, ``/instagram-login/oauth/
  access_token`` api.instagram.com's code exchange, ``/instagram-graph/...`` graph.instagram.com's
  long-lived exchange and refresh;
- `tokens.py` codes and ``IGAA…`` tokens; `oauth.py` the routes and pages; `controls.py`
  ``/__sandbox__/instagram-login/...``.

Deliberately empty of imports: import the modules themselves.
"""
