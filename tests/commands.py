"""The `/ig` grammar as tests read it: the product's one `Commands`, and ``parse`` giving the intent a
subcommand's parser read (or the `Help` / `Usage` answer)."""

from __future__ import annotations

from bot.core.commands import Commands, Help, Parsed, Usage
from bot.features.catalog import SUBCOMMANDS

COMMANDS = Commands(SUBCOMMANDS)


def parse(text: str) -> object:
    """The intent ``/ig text`` runs with, or the answer that needs no work."""
    parsed = COMMANDS.parse(text)
    return parsed.intent if isinstance(parsed, Parsed) else parsed


__all__ = ["COMMANDS", "Help", "Usage", "parse"]
