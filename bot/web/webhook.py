"""`GET|POST /instagram/webhook`: Instagram's real-time subscriptions (API v1) and webhooks (Graph API).

- GET is the handshake: ``hub.mode=subscribe``, our ``hub.verify_token``, and we echo ``hub.challenge``.
- POST is a notification. It is verified on the raw body before anything else: API v1 sends
  ``X-Hub-Signature``, the bare hex HMAC-SHA1 keyed with the client secret; the Graph API sends
  ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`` keyed with the app secret (the same secret here).
  A forged or unsigned one is refused (403) and changes nothing. A signed one is answered 200 at once;
  the work (reading the new posts, posting them) is a job. Senders retry and a signed body can be sent
  again, but delivery is idempotent per channel and post: a repeat makes igbot read again and post
  nothing. (Bodies are not deduplicated: two real tag notifications in the same second are identical.)
- Graph comment and mention notifications (``object: instagram``) become one job per change for accounts
  with an inbox; the job posts each comment once (`bot.features.inbox.jobs`), so Meta's retries post
  nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping

import redis

from bot.core.services import Services
from bot.features.feeds.jobs import DELIVER_FEED
from bot.features.inbox.jobs import DELIVER_INBOX
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_UPDATES = 200


def handshake(args: Mapping[str, str], verify_token: str | None) -> tuple[str, int]:
    """The answer to Instagram's GET: the challenge when our verify token matches, else 403."""
    challenge = args.get("hub.challenge", "")
    given = args.get("hub.verify_token", "")
    if (
        not verify_token
        or args.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(given.encode(), verify_token.encode())
        or not (0 < len(challenge) <= 200 and challenge.isascii() and challenge.isprintable())
    ):
        log.info("refused a webhook handshake")
        return "refused", 403
    return challenge, 200


def signed(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    """True when ``body`` carries a valid Instagram signature (v1 SHA1 or Graph SHA256), constant time."""
    key = secret.encode()
    sha256 = headers.get("X-Hub-Signature-256", "")
    if sha256:
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(sha256.strip().lower().encode(), expected.encode())
    sha1 = headers.get("X-Hub-Signature", "").strip().lower().removeprefix("sha1=")
    if not sha1:
        return False
    return hmac.compare_digest(sha1.encode(), hmac.new(key, body, hashlib.sha1).hexdigest().encode())


def notification(body: bytes, headers: Mapping[str, str], secret: str, services: Services) -> tuple[str, int]:
    """Verify one notification and queue its work."""
    if len(body) > MAX_BODY_BYTES:
        return "too large", 413
    if not signed(body, headers, secret):
        log.info("refused a webhook notification: bad or missing signature")
        return "refused", 403
    try:
        updates = json.loads(body)
    except ValueError:
        return "not json", 400
    try:
        for target in _targets(updates, services):
            services.jobs.send(DELIVER_FEED, target)
        events = services.instagram.inbox_events(updates)
        routed = services.inbox.routed({e.account_id for e in events}) if events else set()
        for event in events:
            if event.account_id in routed:
                services.jobs.send(
                    DELIVER_INBOX, event.account_id, event.kind, event.media_id, event.comment_id
                )
    except (redis.RedisError, StorageUnavailable):
        return "storage unavailable", 503  # not taken: the sender's retry brings it again
    return "ok", 200


def _targets(updates: object, services: Services) -> list[str]:
    """The feed targets a v1 notification (a JSON array of updates) is about, each once."""
    found: list[str] = []
    for update in updates[:MAX_UPDATES] if isinstance(updates, list) else []:
        if not isinstance(update, dict) or update.get("changed_aspect", "media") != "media":
            continue
        obj, object_id = str(update.get("object", "")), str(update.get("object_id", ""))
        target = services.feeds.route(obj, object_id)
        if target and target not in found and services.feeds.target(target) is not None:
            found.append(target)
    return found
