"""Galleries posted into a channel: `/ig popular`, `/ig recent`."""
