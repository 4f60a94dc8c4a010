"""`/ig map`: a map of recent posts around a place, a point or an account."""
