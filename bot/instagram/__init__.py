"""Instagram: one backend per API generation behind the small interface in `backend.py`.

Each generation is a package (`legacy/`, `graph/`) named once in `registry.py`, with its label, default
URLs and what `igbot dev` plays it with.
"""
