"""Pure translation of API v1 answers into models and typed errors."""

from __future__ import annotations

from typing import Any

import requests

from bot.instagram import numbers
from bot.instagram.errors import (
    ActionRefused,
    ExchangeRejected,
    InstagramError,
    NotAllowed,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
    Unavailable,
)
from bot.instagram.models import Account, FollowResult, FollowStatus, Media

# A v1 window is a sliding hour and v1 sent no Retry-After: an hour is the honest upper bound.
DEFAULT_RATE_LIMIT_MINUTES = 60


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # RecursionError: a deeply nested body
        return None


def _retry_minutes(response: requests.Response) -> int:
    """``Retry-After`` in seconds (ASCII digits only), rounded up to minutes; anything else, an HTTP-date
    included (v1 never sent one), or a wait longer than a day is unknown: the hour v1 windows last."""
    minutes = numbers.wait_minutes(response.headers.get("Retry-After"), unit_seconds=1)
    return DEFAULT_RATE_LIMIT_MINUTES if minutes is None else minutes


def _status(value: Any) -> int | None:
    """An HTTP status in ``meta.code`` (a number, or a number as text); None for anything else."""
    code = numbers.integer(value)
    return code if code is not None and 100 <= code <= 599 else None


def error_for(
    status: int, error_type: str, message: str, *, sent_token: bool, retry_minutes: int
) -> InstagramError:
    """The typed error for a v1 error envelope (``meta.error_type``) or an HTTP status."""
    if status == 429 or error_type == "OAuthRateLimitException" or "limit reached" in message.lower():
        return RateLimited(retry_minutes)
    if error_type == "OAuthAccessTokenException" or (error_type == "OAuthParameterException" and sent_token):
        return TokenInvalid(error_type)
    if error_type == "OAuthPermissionsException":
        return PermissionMissing(error_type)
    if error_type == "APINotFoundError":
        return NotFound("")
    if error_type == "APINotAllowedError":
        return NotAllowed(error_type)
    if error_type.startswith("APIComment"):  # too long, too many hashtags or links, all capitals...
        reason = "".join(c for c in message if c.isprintable() and c not in "<>&*_~`")[:160].strip()
        return ActionRefused(reason or "Instagram refused the comment")
    return Unavailable(f"HTTP {status} {error_type}".strip())


def envelope_data(response: requests.Response, *, sent_token: bool) -> Any:
    """The ``data`` of a v1 answer, or the typed error it describes."""
    body = _json(response)
    meta = body.get("meta") if isinstance(body, dict) else None
    if response.status_code >= 500:
        raise Unavailable(f"HTTP {response.status_code}")
    if not isinstance(meta, dict):
        if response.status_code == 429 or (isinstance(body, dict) and body.get("code") in (420, 429)):
            raise RateLimited(_retry_minutes(response))
        raise Unavailable(f"HTTP {response.status_code}: answer without a v1 envelope")
    code = _status(meta.get("code", response.status_code))
    error_type = meta.get("error_type")
    error_type = error_type if isinstance(error_type, str) else ""
    if code == 200 and response.status_code == 200:
        return body.get("data") if isinstance(body, dict) else None
    if code is None and not error_type:
        raise Unavailable(f"HTTP {response.status_code}: meta.code is not a status")
    message = meta.get("error_message")
    raise error_for(
        response.status_code if response.status_code != 200 or code is None else code,
        error_type,
        message if isinstance(message, str) else "",
        sent_token=sent_token,
        retry_minutes=_retry_minutes(response),
    )


def raise_for_token_error(response: requests.Response) -> requests.Response:
    """requests-oauthlib ``access_token_response`` hook: turn the token endpoint's flat errors into
    typed ones before oauthlib reports them as a bare MissingTokenError."""
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(f"token endpoint HTTP {response.status_code}")
    body = _json(response)
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        message = str(body.get("error_message", "")) if isinstance(body, dict) else ""
        raise ExchangeRejected(message or f"token endpoint HTTP {response.status_code}")
    return response


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def account(user: dict[str, Any], *, fallback: Account | None = None) -> Account:
    """A v1 user object (short or full form) as an Account."""
    username = str(user.get("username") or (fallback.username if fallback else ""))
    name = user.get("full_name") or " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))
    counts = _dict(user.get("counts"))
    return Account(
        id=str(user.get("id") or (fallback.id if fallback else "")),
        username=username,
        full_name=str(name or (fallback.full_name if fallback else "")),
        picture_url=str(user.get("profile_picture") or (fallback.picture_url if fallback else "")),
        profile_url=f"https://www.instagram.com/{username}/",
        is_private=bool(user.get("is_private", fallback.is_private if fallback else False)),
        bio=str(user.get("bio") or ""),
        media_count=_int(counts.get("media")),
        followers=_int(counts.get("followed_by")),
        follows=_int(counts.get("follows")),
    )


def media(item: dict[str, Any]) -> Media | None:
    """A v1 media object as a gallery item (video posts show their cover image); None if unusable."""
    images = _dict(item.get("images"))
    image_url = _dict(images.get("standard_resolution") or images.get("low_resolution")).get("url")
    if not isinstance(image_url, str) or not image_url:
        return None
    caption = item.get("caption")
    likes = _dict(item.get("likes"))
    user = _dict(item.get("user"))
    return Media(
        id=str(item.get("id", "")),
        image_url=str(image_url),
        link=str(item.get("link") or ""),
        author=str(user.get("username") or ""),
        caption=str(caption.get("text") or "") if isinstance(caption, dict) else "",
        likes=_int(likes.get("count")) or 0,
        is_video=item.get("type") == "video",
        posted_at=numbers.integer(item.get("created_time")) or 0,  # v1 sends it as a string
    )


def follow_result(target: Account, data: dict[str, Any]) -> FollowResult:
    """The relationship after a follow/unfollow; missing keys default to "none" (as python-instagram did)."""
    try:
        status = FollowStatus(str(data.get("outgoing_status", "none")))
    except ValueError:
        status = FollowStatus.NONE
    private = data.get("target_user_is_private")
    if isinstance(private, bool) and private != target.is_private:
        target = Account(**{**target.__dict__, "is_private": private})
    return FollowResult(account=target, status=status)
