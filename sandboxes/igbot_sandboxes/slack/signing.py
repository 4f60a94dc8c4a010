"""Slack's v0 request signature, computed the way Slack does when it calls an app."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(signing_secret: str, timestamp: int, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256(secret, ``v0:{timestamp}:{raw body}``)."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    signing_secret: str,
    body: bytes,
    content_type: str,
    *,
    timestamp: int | None = None,
    signature_override: str | None = None,
) -> dict[str, str]:
    """Headers of a request from Slack: content type, timestamp (now by default) and signature.

    Args:
        signing_secret: the app's signing secret.
        body: the exact bytes that will be sent.
        content_type: the Content-Type header.
        timestamp: seconds since the epoch; the current time unless given (to test stale requests).
        signature_override: sent instead of the correct signature (to test forged requests).
    """
    ts = int(time.time()) if timestamp is None else timestamp
    sig = signature(signing_secret, ts, body) if signature_override is None else signature_override
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sig,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
