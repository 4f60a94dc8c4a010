"""Command text -> intent: the `/ig` grammar of DESIGN.md as one pure function."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_POPULAR = 10
DEFAULT_POPULAR = 5
USERNAME_RE = re.compile(r"[A-Za-z0-9._]{1,30}")
_SLACK_LINK_RE = re.compile(r"^<([^|>]*)(?:\|([^>]*))?>$")
_INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am"}


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
    """Follow (or, with ``follow=False``, unfollow) ``username``."""

    username: str
    follow: bool = True


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
class UserCard:
    """Show ``username``'s profile card."""

    username: str


Intent = Help | Usage | Login | Logout | Me | Follow | Popular | Recent | UserCard

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
}

USAGE = {
    "follow": "Type `/ig follow <username>`, for example `/ig follow natgeo`.",
    "unfollow": "Type `/ig unfollow <username>`, for example `/ig unfollow natgeo`.",
    "user": "Type `/ig user <username>`, for example `/ig user natgeo`.",
    "popular": f"Type `/ig popular [#hashtag] [count]`, with a count from 1 to {MAX_POPULAR}.",
    "recent": f"Type `/ig recent` or `/ig recent <count>` with a count from 1 to {MAX_POPULAR}.",
}
TAG_RE = re.compile(r"#(\w{1,100})")


def normalize_username(raw: str) -> str | None:
    """``name``, ``@name``, an instagram.com link or Slack's ``<url|label>`` -> ``name``; None if invalid."""
    text = raw.strip()
    link = _SLACK_LINK_RE.match(text)
    if link:
        text = link.group(1)
    if "/" in text or text.lower().startswith(("instagram.com", "www.instagram.com", "instagr.am")):
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if (parts.hostname or "").lower() not in _INSTAGRAM_HOSTS:
            return None
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) != 1:
            return None
        text = segments[0]
    text = text.removeprefix("@")
    if not USERNAME_RE.fullmatch(text):
        return None
    return text.lower()


def parse(text: str) -> Intent:
    """Parse the text after ``/ig`` into an intent. Never raises."""
    words = text.split()
    if not words:
        return Help()
    word = words[0].lower()
    name = ALIASES.get(word)
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
    if name == "user":
        return UserCard(username)
    return Follow(username, follow=(name == "follow"))


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
