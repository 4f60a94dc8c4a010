"""Instagram: one backend per API generation behind the small interface in `backend.py`."""
