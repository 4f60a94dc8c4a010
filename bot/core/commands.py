"""The `/ig` subcommands, each declared once (`Subcommand`), and what is derived from the declarations
(`Commands`): parsing a command's text, the help, the closest-match answer and running a subcommand.

A feature declares its subcommands in its own ``command.py``; `bot.features.catalog` lists them in help
order and the composition root (`bot.app`) builds the one `Commands` both tiers use. Parsing is total:
every ``str`` gives a subcommand's intent or an answer that needs no work (help, a usage line).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import replies
from bot.core.failures import is_transient, report_failure
from bot.core.grammar import BAD_USERNAME, fold_width, normalize_username
from bot.core.services import Services
from bot.instagram.models import Capability
from bot.slack.blocks import Message, context, escape, message, section
from bot.slack.invocation import Invocation, Reply
from bot.slack.responder import SlackUnreachable

log = logging.getLogger(__name__)

HELP = "help"


@dataclass(frozen=True)
class Help:
    """Show usage; ``unknown`` is a subcommand we did not understand, ``suggestion`` the closest one."""

    unknown: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class Usage:
    """The text was not valid; ``message`` says how to type it."""

    message: str


@dataclass(frozen=True)
class HelpLine:
    """One line of `/ig help`, shown only when the Instagram backend has ``capability`` (None: always)."""

    usage: str
    what: str
    capability: Capability | None = None


Run = Callable[[Any, Invocation, Services, Reply], None]


@dataclass(frozen=True)
class Subcommand:
    """One `/ig` subcommand: everything else about it is derived from this declaration.

    Args:
        name: its name (the help and usage lines use it).
        parse: the words after the name -> the intent that `run` takes, or a `Usage` line. Total.
        run: does it in a worker: ``run(intent, invocation, services, reply)``.
        help: its lines in `/ig help` (none for a subcommand another one's line covers).
        aliases: other names people type for it.
    """

    name: str
    parse: Callable[[list[str]], Any]
    run: Run
    help: tuple[HelpLine, ...] = ()
    aliases: tuple[str, ...] = ()


def no_arguments(name: str, intent: object) -> Callable[[list[str]], object]:
    """A parser for a subcommand that takes no arguments: ``intent`` itself, else a usage line."""

    def parse(args: list[str]) -> object:
        return Usage(f"`/ig {name}` takes no arguments.") if args else intent

    return parse


def one_account(intent: Callable[[str], object], usage: str) -> Callable[[list[str]], object]:
    """A parser for a subcommand that takes one Instagram account (a name, ``@name`` or profile link):
    ``intent(username)``, else a usage line ending in ``usage``."""

    def parse(args: list[str]) -> object:
        if len(args) != 1:
            more = " (one at a time)" if len(args) > 1 else ""
            return Usage(f"Which Instagram account{more}? {usage}")
        username = normalize_username(args[0])
        if username is None:
            return Usage(f"{BAD_USERNAME} {usage}")
        return intent(username)

    return parse


@dataclass(frozen=True)
class Parsed:
    """A command that needs work: the ``subcommand`` and the ``intent`` its `Subcommand.parse` read."""

    subcommand: Subcommand
    intent: Any


class Commands:
    """The subcommands of `/ig`, in help order, and what is derived from them.

    Raises:
        ValueError: two subcommands claim the same name or alias.
    """

    def __init__(self, subcommands: Sequence[Subcommand]) -> None:
        self.subcommands = tuple(subcommands)
        self._by_word: dict[str, Subcommand | None] = {HELP: None}
        for sub in self.subcommands:
            for word in (sub.name, *sub.aliases):
                if word in self._by_word:
                    raise ValueError(f"/ig {word} is declared twice")
                self._by_word[word] = sub

    def parse(self, text: str) -> Parsed | Help | Usage:
        """The text after ``/ig``: what to run, or the answer that needs no work. Never raises."""
        words = fold_width(text).split()
        if not words:
            return Help()
        word = words[0].lower()
        # Only ASCII names a subcommand: ``str.lower`` maps KELVIN SIGN (U+212A) to ``k``, "lin" + it -> link.
        if not words[0].isascii() or word not in self._by_word:
            close = difflib.get_close_matches(word[:40], list(self._by_word), n=1, cutoff=0.6)
            found = self._by_word.get(close[0]) if close else None
            suggestion = (found.name if found else HELP) if close else None
            return Help(unknown=words[0][:40], suggestion=suggestion)
        sub = self._by_word[word]
        if sub is None:
            return Help()
        intent = sub.parse(words[1:])
        return intent if isinstance(intent, Usage) else Parsed(sub, intent)

    def help_message(
        self, capabilities: frozenset[Capability], unknown: str | None = None, suggestion: str | None = None
    ) -> Message:
        """Usage, listing only what the configured Instagram backend can do."""
        lines = [
            f"{line.usage}: {line.what}"
            for sub in self.subcommands
            for line in sub.help
            if line.capability is None or line.capability in capabilities
        ]
        lines.append("`/ig help`: this list")
        intro = ":wave: Here's what `/ig` can do:"
        if unknown is not None:
            intro = f"I don't know `/ig {escape(unknown)}`."
            if suggestion:
                intro += f" Did you mean `/ig {suggestion}`?"
            intro += " Here's what `/ig` can do:"
        body = intro + "\n" + "\n".join(f"• {line}" for line in lines)
        return message(
            body, [section(body), context("Everything igbot tells you here is visible only to you.")]
        )

    def immediate_answer(
        self, parsed: Parsed | Help | Usage, capabilities: frozenset[Capability]
    ) -> Message | None:
        """The answer that needs no storage or Instagram call (help, usage), or None when it needs work."""
        if isinstance(parsed, Help):
            return self.help_message(capabilities, parsed.unknown, parsed.suggestion)
        if isinstance(parsed, Usage):
            return replies.usage(parsed.message)
        return None

    def run(
        self,
        invocation: Invocation,
        services: Services,
        reply: Reply,
        *,
        final_attempt: bool = True,
    ) -> None:
        """Parse ``invocation.text`` and run it; the user always gets an answer, even when storage or
        Instagram fail. Unless this is the ``final_attempt``, a transient failure (Instagram or Slack
        unreachable) is raised instead of answered, so that the job runs again later."""
        parsed = self.parse(invocation.text)
        if not isinstance(parsed, Parsed):
            answer = self.immediate_answer(parsed, services.instagram.capabilities)
            reply(answer or replies.plain(replies.CANNOT_FINISH))
            return
        run_parsed(parsed, invocation, services, reply, final_attempt=final_attempt)


def run_parsed(
    parsed: Parsed, invocation: Invocation, services: Services, reply: Reply, *, final_attempt: bool = True
) -> None:
    """Run one parsed subcommand, turning every failure into the message its user reads
    (`bot.core.failures`)."""
    try:
        parsed.subcommand.run(parsed.intent, invocation, services, reply)
    except SlackUnreachable:
        if not final_attempt:
            raise
        log.warning("Slack could not be reached; the answer was not delivered")
    except Exception as exc:
        if is_transient(exc) and not final_attempt:
            raise
        report_failure(exc, invocation, services, reply, getattr(parsed.intent, "username", ""))
