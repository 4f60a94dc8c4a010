"""The core layer: what every feature shares. The services the features are given (`services.py`), the
job context and the one transient-retry signal (`jobs.py`), answers sent once across re-runs (`once.py`),
the words igbot says (`replies.py`) and the shared operations over the stores (a usable link, logout,
pausing or removing a feed, turning an inbox off)."""
