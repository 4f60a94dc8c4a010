"""Graph mode's webhooks (the app's one callback, as configured in Meta's App Dashboard), Pages'
``subscribed_apps``, the app's Live / Advanced Access switches and the signed deliveries.

Facts relied on (Meta's Webhooks and Instagram webhooks docs; docs/inbox-wire.md):

- Configuring a callback first verifies it: ``GET callback_url?hub.mode=subscribe&hub.challenge=<int>&
  hub.verify_token=<token>`` must answer 200 with the challenge as the body (surrounding whitespace
  ignored); otherwise the dashboard refuses the URL ("The URL couldn't be validated...").
- A notification is ``POST callback_url`` with ``Content-Type: application/json``, ``X-Hub-Signature-256:
  sha256=<hex HMAC-SHA256(app secret, raw body)>`` and ``X-Hub-Signature: sha1=<hex HMAC-SHA1>``.  The
  body is ``{"object": "instagram", "entry": [{"id": <IG account id>, "time": <s>, "changes":
  [{"field", "value"}]}]}``, compact JSON with ``/`` escaped as ``\\/`` and non-ASCII as ``\\uXXXX``
  (as Facebook's JSON encoder writes it: verify the signature over the raw bytes, never over a
  re-serialised copy).
- Delivered only while the app is Live and has Advanced Access, for accounts whose Page has the app
  in ``subscribed_apps``, and for the fields configured.
- A delivery without a 2xx within the timeout (5 s) is retried at once, then after growing delays
  (Meta: for 36 hours; the sandbox: ``retry_delays``, default 0, 0.2, 0.5, 1, 2, 4 s), then dropped.
  Every attempt is recorded.

Assumptions [sandbox's own]: the refusal texts beyond Meta's first sentence; ``subscribed_apps``
answers ``name`` = "Sandbox App"; a POST of ``subscribed_apps`` replaces the Page's fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from igbot_sandboxes.instagram.legacy.callbacks import CallbackError, call
from igbot_sandboxes.instagram.legacy.pushes import PushAttempt, PushDelivery
from igbot_sandboxes.instagram.legacy.urls import add_query, is_loopback_uri

DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 5.0
DEFAULT_WEBHOOK_RETRY_DELAYS = (0.0, 0.2, 0.5, 1.0, 2.0, 4.0)
DEFAULT_FIELDS = ("comments", "mentions")
INSTAGRAM_FIELDS = frozenset(
    {
        "comments",
        "live_comments",
        "mentions",
        "messages",
        "message_reactions",
        "messaging_handover",
        "messaging_optins",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
        "standby",
        "story_insights",
    }
)
PAGE_FIELDS = frozenset(
    {
        "feed",
        "mention",
        "name",
        "picture",
        "category",
        "description",
        "conversations",
        "email",
        "website",
        "ratings",
        "live_videos",
        "leadgen",
        "messages",
        "messaging_postbacks",
        "messaging_optins",
        "message_deliveries",
        "message_reads",
        "message_echoes",
        "messaging_referrals",
        "messaging_handovers",
        "standby",
        "inbox_labels",
    }
)
APP_NAME = "Sandbox App"
WEBHOOK_HEADERS = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}


class WebhookRefused(Exception):
    """The callback did not pass Meta's verification (the control answers 409 with the message)."""


@dataclass(frozen=True)
class WebhookSettings:
    """The app's callback for the ``instagram`` object."""

    callback_url: str
    verify_token: str
    fields: tuple[str, ...]


def signatures(body: bytes, secret: str) -> dict[str, str]:
    """``X-Hub-Signature-256`` (``sha256=<hex>``) and ``X-Hub-Signature`` (``sha1=<hex>``) of a body."""
    key = secret.encode()
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
    }


def encode_body(payload: dict[str, Any]) -> bytes:
    """Facebook-style JSON: compact, ASCII only, ``/`` escaped."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def notification(account_id: str, field: str, value: dict[str, Any], now: float) -> dict[str, Any]:
    """The body of one notification about one Instagram account."""
    change = {"field": field, "value": value}
    return {"object": "instagram", "entry": [{"id": account_id, "time": int(now), "changes": [change]}]}


def verify_callback(callback_url: str, verify_token: str, timeout: float) -> None:
    """Meta's handshake.

    Raises:
        WebhookRefused: not a loopback http(s) URL, unreachable, slow, a non-200 or the wrong body.
    """
    if not is_loopback_uri(callback_url):
        raise WebhookRefused(
            "The URL couldn't be validated. (The sandbox is offline: callbacks must be http(s) URLs on "
            "127.0.0.1, localhost or [::1].)"
        )
    challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
    query = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        answer = call("GET", add_query(callback_url, query), timeout=timeout)
    except CallbackError as exc:
        raise WebhookRefused(
            f"The URL couldn't be validated. Callback verification failed with the following errors: {exc}"
        ) from None
    if answer.status != 200:
        raise WebhookRefused(
            "The URL couldn't be validated. Callback verification failed with the following errors: "
            f"HTTP Status Code = {answer.status}"
        )
    if answer.text.strip() != challenge:
        received = answer.text.strip()[:100]
        raise WebhookRefused(
            "The URL couldn't be validated. Response does not match challenge, "
            f'expected value="{challenge}", received="{received}"'
        )


def attempt_record(attempt: PushAttempt) -> dict[str, Any]:
    """One delivery attempt as `InstagramSandbox.webhook_deliveries` lists it: ``body`` is the raw JSON
    text exactly as signed (replay it byte for byte), ``payload`` the same parsed."""
    return {
        "id": attempt.delivery,
        "attempt": attempt.attempt,
        "status": attempt.status,
        "body": attempt.body,
        "payload": json.loads(attempt.body),
        "ok": attempt.outcome == "delivered",
        "error": attempt.error,
        "outcome": attempt.outcome,
        "url": attempt.url,
        "signature": attempt.signature,
        "time": attempt.time,
        "elapsed_ms": attempt.elapsed_ms,
    }


class WebhookHub:
    """The callback, the app's switches, Pages' subscriptions and the deliveries; thread-safe."""

    def __init__(
        self,
        clock: Callable[[], float],
        secret: str,
        timeout: float = DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
        retry_delays: Sequence[float] = DEFAULT_WEBHOOK_RETRY_DELAYS,
    ) -> None:
        self._clock = clock
        self._secret = secret
        self.timeout = timeout
        self._lock = threading.Lock()
        self.deliveries = PushDelivery(clock, timeout, retry_delays)
        self._settings: WebhookSettings | None = None
        self._live = True
        self._advanced = True
        self._pages: dict[str, tuple[str, ...]] = {}

    def reset(self) -> None:
        """No callback, the app Live with Advanced Access, no Page subscribed, deliveries forgotten."""
        with self._lock:
            self._settings = None
            self._live = self._advanced = True
            self._pages.clear()
        self.deliveries.reset()

    def stop(self) -> None:
        """Cancel deliveries and end their threads."""
        self.deliveries.stop()

    def configure(
        self, callback_url: str | None, verify_token: str = "", fields: Iterable[str] = DEFAULT_FIELDS
    ) -> WebhookSettings | None:
        """Set the callback after the handshake (None turns webhooks off); returns the settings.

        Raises:
            ValueError: an unknown field or no field.
            WebhookRefused: the handshake failed (the previous settings stay).
        """
        if callback_url is None:
            with self._lock:
                self._settings = None
            return None
        wanted = tuple(dict.fromkeys(fields))
        unknown = [f for f in wanted if f not in INSTAGRAM_FIELDS]
        if unknown or not wanted:
            raise ValueError(f"fields must be some of {sorted(INSTAGRAM_FIELDS)}; got {list(wanted)}")
        verify_callback(callback_url, verify_token, self.timeout)
        settings = WebhookSettings(callback_url, verify_token, wanted)
        with self._lock:
            self._settings = settings
        return settings

    def settings(self) -> WebhookSettings | None:
        """The current callback, or None."""
        with self._lock:
            return self._settings

    def set_app(self, live: bool | None = None, advanced_access: bool | None = None) -> dict[str, bool]:
        """Switch the app's Live mode and Advanced Access (None keeps a switch); returns both."""
        with self._lock:
            if live is not None:
                self._live = live
            if advanced_access is not None:
                self._advanced = advanced_access
            return {"live": self._live, "advanced_access": self._advanced}

    def app(self) -> dict[str, bool]:
        """``{"live", "advanced_access"}``."""
        return self.set_app()

    def subscribe_page(self, page_id: str, fields: Iterable[str]) -> None:
        """The app joins the Page's ``subscribed_apps`` with these fields (replacing earlier ones)."""
        with self._lock:
            self._pages[page_id] = tuple(dict.fromkeys(fields))

    def unsubscribe_page(self, page_id: str) -> None:
        """The app leaves the Page's ``subscribed_apps``."""
        with self._lock:
            self._pages.pop(page_id, None)

    def page_fields(self, page_id: str) -> tuple[str, ...] | None:
        """The fields the Page subscribed the app to, or None when it did not."""
        with self._lock:
            return self._pages.get(page_id)

    def notify(self, page_id: str | None, account_id: str, field: str, value: dict[str, Any]) -> int | None:
        """Queue a notification about ``account_id`` (connected to ``page_id``) when every condition
        holds; returns its delivery id, or None when nothing is sent."""
        with self._lock:
            settings = self._settings
            ready = self._live and self._advanced and page_id is not None and page_id in self._pages
        if settings is None or not ready or field not in settings.fields:
            return None
        body = encode_body(notification(account_id, field, value, self._clock()))
        signed = signatures(body, self._secret)
        headers = {**WEBHOOK_HEADERS, **signed}
        return self.deliveries.submit_body(
            settings.callback_url, body, headers, signed["X-Hub-Signature-256"]
        )

    def records(self) -> list[dict[str, Any]]:
        """Every delivery attempt, oldest first (see `attempt_record`)."""
        return [attempt_record(a) for a in self.deliveries.records()]
