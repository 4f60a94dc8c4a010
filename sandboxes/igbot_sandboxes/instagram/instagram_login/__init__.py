"""The Instagram API with Instagram Login stand-in (Business Login for Instagram).

- ``/instagram-login/oauth/authorize`` is www.instagram.com's authorize page, ``/instagram-login/oauth/
  access_token`` api.instagram.com's code exchange, ``/instagram-graph/...`` graph.instagram.com's
  long-lived exchange and refresh, and ``/instagram-graph/v25.0/...`` its API (``me``, media);
- `tokens.py` codes and ``IGAA…`` tokens; `oauth.py` the OAuth routes and pages; `api.py` the API
  and the ``/instagram-graph`` rule; `state.py` tokens, shape and budgets; `controls.py`
  ``/__sandbox__/instagram-login/...``.

Deliberately empty of imports: import the modules themselves.
"""
