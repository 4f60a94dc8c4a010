"""Pure translation of Graph API answers (Facebook Login variant) into models and typed errors."""

from __future__ import annotations

import json
from typing import Any

import requests

from bot.instagram.errors import (
    ExchangeRejected,
    InstagramError,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
    Unavailable,
)
from bot.instagram.models import Account, Media

RATE_LIMIT_CODES = {4, 17, 32, 613, 80002}
TOKEN_CODES = {190, 102}
TRANSIENT_CODES = {1, 2}
NOT_FOUND_CODES = {110, 100}
DEFAULT_WAIT_MINUTES = 60
PROFESSIONAL_ONLY = "Today's Instagram API can only look up professional (business or creator) accounts."


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def wait_minutes(headers: Any) -> int:
    """Minutes until access returns, from ``X-Business-Use-Case-Usage`` (largest value), else 60."""
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage", "") or "{}")
    except ValueError:
        return DEFAULT_WAIT_MINUTES
    waits = [
        entry.get("estimated_time_to_regain_access")
        for entries in _dict(usage).values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    known = [w for w in waits if isinstance(w, int | float) and w > 0]
    return max(1, int(max(known))) if known else DEFAULT_WAIT_MINUTES


def error_for(
    code: int | None, subcode: int | None, response: requests.Response, *, lookup: str = ""
) -> InstagramError:
    """The typed error for a graph error object; decided on ``code``, never on the message."""
    if code in TOKEN_CODES:
        return TokenInvalid(f"graph code {code}/{subcode}")
    if code in RATE_LIMIT_CODES:
        return RateLimited(wait_minutes(response.headers))
    if code is not None and (code == 10 or 200 <= code <= 299):
        return PermissionMissing(f"graph code {code}")
    if lookup and code in NOT_FOUND_CODES:
        return NotFound(lookup, PROFESSIONAL_ONLY)
    return Unavailable(f"graph code {code}/{subcode} HTTP {response.status_code}")


def body_or_error(response: requests.Response, *, lookup: str = "") -> dict[str, Any]:
    """The JSON object of a successful answer, or the typed error it describes."""
    body = _json(response)
    error = _dict(body).get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise error_for(_int(error.get("code")), _int(error.get("error_subcode")), response, lookup=lookup)
    if response.status_code == 429:
        raise RateLimited(wait_minutes(response.headers))
    if response.status_code >= 300 or not isinstance(body, dict):
        raise Unavailable(f"HTTP {response.status_code}: not a Graph API answer")
    return body


def raise_for_token_error(response: requests.Response) -> requests.Response:
    """requests-oauthlib ``access_token_response`` hook: graph errors -> typed errors."""
    if response.status_code >= 500:
        raise Unavailable(f"token endpoint HTTP {response.status_code}")
    body = _json(response)
    error = _dict(body).get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = _int(error.get("code"))
        if code in TRANSIENT_CODES or code in RATE_LIMIT_CODES:
            raise Unavailable(f"token endpoint graph code {code}")
        raise ExchangeRejected(str(error.get("message", ""))[:200] or f"graph code {code}")
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise ExchangeRejected(f"token endpoint HTTP {response.status_code}")
    return response


def account(node: dict[str, Any]) -> Account:
    """An IG User node (own account or business discovery result) as an Account."""
    username = str(node.get("username") or "")
    return Account(
        id=str(node.get("id") or ""),
        username=username,
        full_name=str(node.get("name") or ""),
        picture_url=str(node.get("profile_picture_url") or ""),
        profile_url=f"https://www.instagram.com/{username}/",
        bio=str(node.get("biography") or ""),
        media_count=_int(node.get("media_count")),
        followers=_int(node.get("followers_count")),
        follows=_int(node.get("follows_count")),
    )


def page_accounts(body: dict[str, Any]) -> list[Account]:
    """The Instagram professional accounts of ``me/accounts`` (Pages without one are skipped)."""
    data = body.get("data")
    nodes = (
        [_dict(_dict(page).get("instagram_business_account")) for page in data]
        if isinstance(data, list)
        else []
    )
    return [account(node) for node in nodes if node.get("id")]


def media(node: dict[str, Any], author: str = "") -> Media | None:
    """A graph media node as a gallery item; videos show their thumbnail. None if it has no picture."""
    is_video = node.get("media_type") == "VIDEO"
    image_url = node.get("thumbnail_url") if is_video else node.get("media_url")
    if not image_url:
        return None
    return Media(
        id=str(node.get("id", "")),
        image_url=str(image_url),
        link=str(node.get("permalink") or ""),
        author=str(node.get("username") or author),
        caption=str(node.get("caption") or ""),
        likes=_int(node.get("like_count")) or 0,
        is_video=is_video,
    )


def media_list(body: dict[str, Any], count: int, author: str = "") -> list[Media]:
    """Up to ``count`` usable media of a ``{"data": [...]}`` answer."""
    data = body.get("data")
    items = [media(_dict(n), author) for n in data] if isinstance(data, list) else []
    return [m for m in items if m is not None][:count]
