"""Logging that never carries secrets: chatty library loggers pinned quiet, and a redacting filter."""

from __future__ import annotations

import logging
import re

# Loggers that print request URLs (API v1 puts the token in the query), headers or raw bodies.
QUIET_LOGGERS = {
    "slack_bolt.RequestVerification": logging.WARNING,  # logs the raw body of rejected requests at INFO
    "urllib3": logging.WARNING,
    "requests_oauthlib": logging.WARNING,
    "oauthlib": logging.WARNING,
    "slack_sdk": logging.INFO,
    "werkzeug": logging.WARNING,
}

_SECRET_PATTERNS = (
    re.compile(r"((?:access_token|client_secret|code|state|token)=)[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(xox[abposr]-)[A-Za-z0-9-]+"),
    re.compile(r"(xapp-)[A-Za-z0-9-]+"),
    re.compile(r"(Bearer )\S+"),
)


def redact(text: str) -> str:
    """Mask anything that looks like a token, code or secret in ``text``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the final message (belt and braces: we also never log them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def quiet_libraries() -> None:
    """Pin the loggers that could print secrets to a level where they do not."""
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def configure(level: int = logging.INFO) -> None:
    """Process-wide logging for the CLI: one line per record, secrets masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()
