"""Redis-backed storage: links, states, feeds, inbox and the rest (docs/interfaces.md, "Redis keys")."""

from bot.storage.errors import StorageUnavailable

__all__ = ["StorageUnavailable"]
