"""Link unfurling: which links of a user's message Slack tells the app about, and what it attached.

Slack sends ``link_shared`` for the links of a message whose host is one of the app's unfurl domains
or a subdomain of one (``www.instagram.com`` matches ``instagram.com``; the event's ``domain`` is the
registered domain, as in Slack's example where ``yet.another-example.com`` is listed under
``another-example.com``). Each URL is listed once per message; [U] at most ``MAX_LINKS`` (5) links are
sent per message. Links may be written bare (``https://...``) or in Slack's ``<url|label>`` form.

``chat.unfurl`` attaches one unfurl per URL, keyed by the URL as it was shared; a URL that was not
shared with the app answers ``cannot_unfurl_url``. Calling it again for the same message replaces
the unfurls of those URLs (Slack: "Subsequent attempts ... will modify the same attachments").
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

DEFAULT_UNFURL_DOMAINS = ("instagram.com", "instagr.am")
MAX_LINKS = 5
_LINK = re.compile(r"<(https?://[^>|\s]+)(?:\|[^>]*)?>|(https?://[^\s<>]+)")


def shared_links(text: str, domains: tuple[str, ...]) -> list[dict[str, str]]:
    """``[{domain, url}]`` for the links of ``text`` in ``domains`` (subdomains count), each once."""
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for match in _LINK.finditer(text):
        url = (match.group(1) or match.group(2) or "").rstrip(".,;:!?)")
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        domain = next((d for d in domains if host == d or host.endswith("." + d)), None)
        if domain is None or url in seen:
            continue
        seen.add(url)
        links.append({"domain": domain, "url": url})
        if len(links) == MAX_LINKS:
            break
    return links


def unfurl_id_for(channel_id: str, ts: str) -> str:
    """An ``unfurl_id`` shaped like Slack's (``C123.1700000000.000100.<hex>``)."""
    digest = hashlib.sha256(f"{channel_id}:{ts}".encode()).hexdigest()
    return f"{channel_id}.{ts}.{digest}"


@dataclass(frozen=True)
class AuthPrompt:
    """A ``user_auth_*`` invitation of ``chat.unfurl``: shown only to the user who shared the link."""

    team_id: str
    channel_id: str
    message_ts: str
    user_id: str
    message: str | None
    url: str | None
    blocks: list[Any] | None
    seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass
class SharedMessage:
    """A user's message whose links were sent to the app, and the unfurls attached to it."""

    team_id: str
    channel_id: str
    ts: str
    user_id: str
    thread_ts: str | None
    links: list[dict[str, str]]
    unfurl_id: str
    unfurls: dict[str, Any] = field(default_factory=dict)

    def urls(self) -> set[str]:
        """The shared URLs."""
        return {link["url"] for link in self.links}


class Unfurls:
    """Shared messages by (team, channel, ts) and by unfurl id, and every auth prompt, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[tuple[str, str, str], SharedMessage] = {}
        self._by_id: dict[str, tuple[str, str, str]] = {}
        self._prompts: list[AuthPrompt] = []

    def add(self, shared: SharedMessage) -> SharedMessage:
        """Remember a message whose links were (or are about to be) sent as ``link_shared``."""
        key = (shared.team_id, shared.channel_id, shared.ts)
        with self._lock:
            self._messages[key] = shared
            self._by_id[shared.unfurl_id] = key
        return shared

    def find(
        self, team_id: str, *, channel_id: str = "", ts: str = "", unfurl_id: str = ""
    ) -> SharedMessage | None:
        """The shared message named by ``channel_id`` + ``ts`` or by ``unfurl_id``, in ``team_id``."""
        with self._lock:
            key = self._by_id.get(unfurl_id) if unfurl_id else (team_id, channel_id, ts)
            shared = self._messages.get(key) if key else None
            return shared if shared is not None and shared.team_id == team_id else None

    def attach(self, shared: SharedMessage, unfurls: dict[str, Any]) -> dict[str, Any]:
        """Set the unfurls of some URLs of ``shared``; all of its unfurls afterwards."""
        with self._lock:
            shared.unfurls.update(unfurls)
            return dict(shared.unfurls)

    def add_prompt(self, prompt: AuthPrompt) -> AuthPrompt:
        """Record an auth prompt (numbered from 1)."""
        with self._lock:
            numbered = dataclasses.replace(prompt, seq=len(self._prompts) + 1)
            self._prompts.append(numbered)
            return numbered

    def prompts(self) -> list[AuthPrompt]:
        """Every auth prompt, oldest first."""
        with self._lock:
            return list(self._prompts)

    def of(self, team_id: str, channel_id: str, ts: str) -> dict[str, Any]:
        """The unfurls attached to a message (URL -> unfurl), empty when none."""
        with self._lock:
            shared = self._messages.get((team_id, channel_id, ts))
            return dict(shared.unfurls) if shared else {}

    def reset(self) -> None:
        """Forget everything."""
        with self._lock:
            self._messages.clear()
            self._by_id.clear()
            self._prompts.clear()
