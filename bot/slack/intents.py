"""Command text -> intent: the `/ig` grammar of docs/interfaces.md as one pure function.

Parsing is total: every ``str`` gives an intent (at worst a usage line), nothing raises. Usernames and
profile links are read with anchored patterns over ASCII only, never with a URL parser.

Full-width forms (U+FF01..U+FF5E, what an East Asian input method types for ASCII) read as the ASCII
they stand for, so a full-width ``@alice`` (U+FF20 U+FF41 ...) is ``@alice``: that is what the person
typing it means, and the map is one-to-one onto ASCII. No other Unicode compatibility mapping (NFKC)
is applied: ligatures, super- and subscripts, circled or mathematical letters, ``℀``, small forms such
as ``﹖`` stay what they are, so they never turn into a valid name or subcommand by accident; a
username made of them gets the usage line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.slack.feed_grammar import FeedTarget, Subscribe, Subscriptions, Unsubscribe, parse_target
from bot.slack.map_grammar import MapOf, parse_map

MAX_POPULAR = 10
DEFAULT_POPULAR = 5
USERNAME_RE = re.compile(r"[A-Za-z0-9._]{1,30}")
# Slack's link markup ``<url>`` / ``<url|label>``; only a web link is unwrapped (not ``<@U123>``).
_SLACK_LINK_RE = re.compile(r"<(https?://[^|>]*)(?:\|[^>]*)?>", re.IGNORECASE | re.ASCII)
# A profile link: optional scheme, instagram.com (www., m.) or instagr.am, one path segment (an ``@``
# before the name is tolerated), an optional trailing slash; a query or fragment is ignored.
_PROFILE_URL_RE = re.compile(
    r"(?:https?://)?(?:(?:www\.|m\.)?instagram\.com|instagr\.am)"
    r"/@?(?P<name>[A-Za-z0-9._]{1,30})/?(?:[?#].*)?",
    re.IGNORECASE | re.ASCII | re.DOTALL,
)
# Text that starts like an Instagram link is a link, never a bare username (``instagram.comalice``).
_PROFILE_HOST_PREFIXES = (
    "https://",
    "http://",
    "instagram.com",
    "www.instagram.com",
    "m.instagram.com",
    "instagr.am",
)
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


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
class Login:
    """Offer the button that links an Instagram account."""


@dataclass(frozen=True)
class Logout:
    """Forget the link and its token."""


@dataclass(frozen=True)
class Me:
    """Say which Instagram account is linked."""


@dataclass(frozen=True)
class Follow:
    """Follow ``username``."""

    username: str


@dataclass(frozen=True)
class Unfollow:
    """Stop following ``username``."""

    username: str


@dataclass(frozen=True)
class Popular:
    """Post ``count`` popular photos into the channel; for ``tag``, popular posts with that hashtag."""

    count: int = DEFAULT_POPULAR
    tag: str | None = None


@dataclass(frozen=True)
class Recent:
    """Post the linked account's ``count`` latest posts into the channel."""

    count: int = DEFAULT_POPULAR


@dataclass(frozen=True)
class Profile:
    """Show ``username``'s profile card (`/ig user`)."""

    username: str


@dataclass(frozen=True)
class Inbox:
    """``/ig inbox [off]``: comments and mentions of your account into this channel (or not any more)."""

    off: bool = False


Intent = (
    Help
    | Usage
    | Login
    | Logout
    | Me
    | Follow
    | Unfollow
    | Popular
    | Recent
    | Profile
    | Subscribe
    | Unsubscribe
    | Subscriptions
    | Inbox
    | MapOf
)
__all__ = ["FeedTarget", "Intent", "MapOf", "Subscribe", "Subscriptions", "Unsubscribe", "parse"]

ALIASES = {
    "help": "help",
    "login": "login",
    "connect": "login",
    "link": "login",
    "logout": "logout",
    "disconnect": "logout",
    "unlink": "logout",
    "me": "me",
    "status": "me",
    "whoami": "me",
    "follow": "follow",
    "unfollow": "unfollow",
    "popular": "popular",
    "recent": "recent",
    "user": "user",
    "subscribe": "subscribe",
    "unsubscribe": "unsubscribe",
    "subscriptions": "subscriptions",
    "feeds": "subscriptions",
    "inbox": "inbox",
    "map": "map",
}

USAGE = {
    "follow": "Type `/ig follow <username>`, for example `/ig follow natgeo`.",
    "unfollow": "Type `/ig unfollow <username>`, for example `/ig unfollow natgeo`.",
    "user": "Type `/ig user <username>`, for example `/ig user natgeo`.",
    "popular": f"Type `/ig popular [#hashtag] [count]`, with a count from 1 to {MAX_POPULAR}.",
    "recent": f"Type `/ig recent` or `/ig recent <count>` with a count from 1 to {MAX_POPULAR}.",
}
TAG_RE = re.compile(r"#(\w{1,100})")
_ACCOUNT_INTENTS: dict[str, type[Follow | Unfollow | Profile]] = {
    "follow": Follow,
    "unfollow": Unfollow,
    "user": Profile,
}


def fold_width(text: str) -> str:
    """``text`` with full-width ASCII forms (U+FF01..U+FF5E: at sign, letters, digits, slash, ...)
    replaced by the ASCII they stand for."""
    return text.translate(_FULL_WIDTH)


def normalize_username(raw: str) -> str | None:
    """``name``, ``@name``, an instagram.com link or Slack's ``<url|label>`` -> ``name``; None if invalid.

    A total function: anchored ASCII patterns only, so no input raises.
    """
    text = fold_width(raw).strip()
    link = _SLACK_LINK_RE.fullmatch(text)
    if link:
        text = link.group(1)
    profile = _PROFILE_URL_RE.fullmatch(text)
    if profile:
        return profile.group("name").lower()
    if link or "/" in text or text.lower().startswith(_PROFILE_HOST_PREFIXES):
        return None
    name = text.removeprefix("@")
    return name.lower() if USERNAME_RE.fullmatch(name) else None


def parse(text: str) -> Intent:
    """Parse the text after ``/ig`` into an intent. Never raises, for any ``str``."""
    words = fold_width(text).split()
    if not words:
        return Help()
    word = words[0].lower()
    # Only ASCII names a subcommand: ``str.lower`` maps KELVIN SIGN (U+212A) to ``k``, "lin" + it -> link.
    name = ALIASES.get(word) if words[0].isascii() else None
    args = words[1:]
    if name is None:
        shown = words[0][:40]
        close = difflib.get_close_matches(word[:40], list(ALIASES), n=1, cutoff=0.6)
        return Help(unknown=shown, suggestion=ALIASES[close[0]] if close else None)
    if name == "help":
        return Help()
    if name in ("login", "logout", "me"):
        if args:
            return Usage(f"`/ig {name}` takes no arguments.")
        simple: dict[str, Intent] = {"login": Login(), "logout": Logout(), "me": Me()}
        return simple[name]
    if name == "popular":
        return _popular(args)
    if name == "subscriptions":
        return Subscriptions() if not args else Usage("`/ig subscriptions` takes no arguments.")
    if name == "map":
        found = parse_map(args, normalize_username, fold_width)
        return Usage(found) if isinstance(found, str) else found
    if name == "inbox":
        if not args or (len(args) == 1 and args[0].lower() in ("on", "off")):
            return Inbox(off=bool(args) and args[0].lower() == "off")
        return Usage(
            "Type `/ig inbox` to bring your account's comments into this channel, `/ig inbox off` to stop."
        )
    if name in ("subscribe", "unsubscribe"):
        target = parse_target(args, normalize_username)
        if isinstance(target, str):
            return Usage(
                target if name == "subscribe" else target.replace("/ig subscribe", "/ig unsubscribe")
            )
        return Subscribe(target) if name == "subscribe" else Unsubscribe(target)
    if name == "recent":
        count = _count(args[0]) if len(args) == 1 else (DEFAULT_POPULAR if not args else None)
        return Recent(count) if count is not None else Usage(USAGE["recent"])
    if len(args) != 1:
        more = " (one at a time)" if len(args) > 1 else ""
        return Usage(f"Which Instagram account{more}? {USAGE[name]}")
    username = normalize_username(args[0])
    if username is None:
        return Usage(
            "That doesn't look like an Instagram username: use 1 to 30 letters, digits, `.` or `_`. "
            + USAGE[name]
        )
    return _ACCOUNT_INTENTS[name](username)


def _count(word: str) -> int | None:
    if len(word) <= 2 and word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_POPULAR:
        return int(word)
    return None


def _popular(args: list[str]) -> Intent:
    """``popular [#tag] [count]``, in either order."""
    count, tag, counted = DEFAULT_POPULAR, None, False
    for word in args:
        hashtag = TAG_RE.fullmatch(word)
        number = _count(word)
        if hashtag and tag is None:
            tag = hashtag.group(1).lower()
        elif number is not None and not counted:
            count, counted = number, True
        else:
            return Usage(USAGE["popular"])
    return Popular(count, tag)
