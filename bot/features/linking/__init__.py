"""Connecting an Instagram account: `/ig login`, `/ig logout`, `/ig me`, the end of a link, expiry
reminders."""
