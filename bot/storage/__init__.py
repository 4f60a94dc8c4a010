"""Redis-backed storage: Instagram links per Slack user and pending OAuth flows (DESIGN.md, "Redis keys")."""

from bot.storage.errors import StorageUnavailable

__all__ = ["StorageUnavailable"]
