"""Pure translation of Graph API answers (Facebook Login variant) into models and typed errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from bot.instagram import numbers
from bot.instagram.errors import (
    ActionRefused,
    AppFeatureMissing,
    ExchangeRejected,
    HashtagRefused,
    InstagramError,
    NotAllowed,
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
APP_PERMISSION_CODE = 10  # "Application does not have permission for this action"
HASHTAG_REFUSED_CODE = 24
# Code 24 with this subcode, "The requested resource does not exist" / "Hashtag not found", is Meta's
# answer for a hashtag that does not exist [observed]. The 31st new hashtag of a week has no documented
# code or text: igbot tells it from its own count (bot.features.gallery.popular), never from a code.
HASHTAG_MISSING_SUBCODE = 2207024
INVALID_PARAMETER_CODE = 100  # on hashtag search: "Param q must be a valid hashtag"
UNSUPPORTED_SUBCODE = 33  # 100/33 "Unsupported get request. Object with ID '…' does not exist, cannot be
# loaded due to missing permissions, or does not support this operation" (a deleted comment, for one)
PUBLIC_CONTENT_ACCESS = "Instagram Public Content Access"
DEFAULT_WAIT_MINUTES = 60
_NODE_ID = re.compile(r"[0-9A-Za-z_]{1,64}")  # ids go into URL paths: nothing else may
PROFESSIONAL_ONLY = "Today's Instagram API can only look up professional (business or creator) accounts."


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # RecursionError: a deeply nested body
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    """A JSON string (or id number) as text; anything else (objects, lists, null, bools) as ""."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def wait_minutes(headers: Any) -> int:
    """Minutes until access returns: the longest sensible ``estimated_time_to_regain_access`` (minutes)
    in ``X-Business-Use-Case-Usage``, else 60. Never raises: anything unreadable counts as unknown."""
    raw = headers.get("X-Business-Use-Case-Usage") if hasattr(headers, "get") else None
    usage = numbers.loads(raw) if isinstance(raw, str) and raw else None
    waits = [
        numbers.wait_minutes(
            entry.get("estimated_time_to_regain_access"), unit_seconds=60, zero_is_unknown=True
        )
        for entries in _dict(usage).values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    known = [w for w in waits if w is not None]
    return max(known) if known else DEFAULT_WAIT_MINUTES


def error_for(
    code: int | None,
    subcode: int | None,
    response: requests.Response,
    *,
    lookup: str = "",
    hashtag: str = "",
    action: str = "",
    item: bool = False,
) -> InstagramError:
    """The typed error for a graph error object; decided on ``code``, never on the message.

    ``lookup`` is the username a Business Discovery call looked for; ``hashtag`` the tag of a hashtag
    call (where code 10 is the app's missing Public Content Access feature, 24 with subcode 2207024 a
    hashtag that does not exist, and other 24s and 100s a refusal);
    ``action`` the change a moderation call makes (code 10: no role on the Page; 100: refused, with
    Meta's ``error_user_msg`` as the reason); ``item`` a read of one object (a comment read back), where
    100/33 means that object is gone or not readable (NotFound): skip it, the request itself was fine.
    """
    if code in TOKEN_CODES:
        return TokenInvalid(f"graph code {code}/{subcode}")
    if code in RATE_LIMIT_CODES:
        return RateLimited(wait_minutes(response.headers))
    if hashtag and code == APP_PERMISSION_CODE:
        return AppFeatureMissing(PUBLIC_CONTENT_ACCESS)
    if hashtag and code == HASHTAG_REFUSED_CODE:
        return HashtagRefused(hashtag, missing=subcode == HASHTAG_MISSING_SUBCODE)
    if hashtag and code == INVALID_PARAMETER_CODE:
        return HashtagRefused(hashtag, missing=False)
    if action and code == APP_PERMISSION_CODE:  # a role on the Page is missing: the link itself is fine
        return NotAllowed(f"graph code {code} on {action}")
    if action and code == INVALID_PARAMETER_CODE:
        return ActionRefused(_user_message(response) or f"Instagram refused to {action} it")
    if code is not None and (code == APP_PERMISSION_CODE or 200 <= code <= 299):
        return PermissionMissing(f"graph code {code}")
    if lookup and code in NOT_FOUND_CODES:
        return NotFound(lookup, PROFESSIONAL_ONLY)
    if item and code == INVALID_PARAMETER_CODE and subcode == UNSUPPORTED_SUBCODE:
        return NotFound("")
    return Unavailable(f"graph code {code}/{subcode} HTTP {response.status_code}")


def _user_message(response: requests.Response) -> str:
    """Meta's ``error_user_msg`` (meant for people), cut short and stripped of markup-like characters."""
    body = _json(response)
    error = _dict(_dict(body).get("error")) if isinstance(body, dict) else {}
    text = _text(error.get("error_user_msg"))
    return "".join(c for c in text if c.isprintable() and c not in "<>&*_~`")[:160].strip()


def body_or_error(
    response: requests.Response, *, lookup: str = "", hashtag: str = "", action: str = "", item: bool = False
) -> dict[str, Any]:
    """The JSON object of a successful answer, or the typed error it describes (see `error_for`)."""
    body = _json(response)
    error = _dict(body).get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, subcode = numbers.integer(error.get("code")), numbers.integer(error.get("error_subcode"))
        raise error_for(code, subcode, response, lookup=lookup, hashtag=hashtag, action=action, item=item)
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
        code = numbers.integer(error.get("code"))
        if code in TRANSIENT_CODES or code in RATE_LIMIT_CODES:
            raise Unavailable(f"token endpoint graph code {code}")
        raise ExchangeRejected(str(error.get("message", ""))[:200] or f"graph code {code}")
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise ExchangeRejected(f"token endpoint HTTP {response.status_code}")
    return response


def node_id(item: Any) -> str:
    """The ``id`` of a graph node (``{"id": "1784..."}``) if it is a plain id, else ""."""
    value = _text(item.get("id")) if isinstance(item, dict) else ""
    return value if _NODE_ID.fullmatch(value) else ""


def account(node: dict[str, Any]) -> Account:
    """An IG User node (own account or business discovery result) as an Account."""
    username = _text(node.get("username"))
    return Account(
        id=_text(node.get("id")),
        username=username,
        full_name=_text(node.get("name")),
        picture_url=_text(node.get("profile_picture_url")),
        profile_url=f"https://www.instagram.com/{username}/",
        bio=_text(node.get("biography")),
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
    item = _post(node, author)
    return item if item.image_url else None


def _post(node: dict[str, Any], author: str = "") -> Media:
    """A graph media node as a Media, with ``image_url`` "" when it has no picture."""
    is_video = node.get("media_type") == "VIDEO"
    return Media(
        id=_text(node.get("id")),
        image_url=_text(node.get("thumbnail_url") if is_video else node.get("media_url")),
        link=_text(node.get("permalink")),
        author=_text(node.get("username")) or author,
        caption=_text(node.get("caption")),
        likes=_int(node.get("like_count")) or 0,
        is_video=is_video,
        posted_at=_timestamp(node.get("timestamp")),
    )


def shortcode_of(node: dict[str, Any]) -> str:
    """A media node's ``shortcode``; without one, the code in its permalink (``…/p/{code}/``,
    ``/reel/``, ``/tv/``); "" when neither says."""
    code = _text(node.get("shortcode"))
    if code:
        return code
    try:
        parts = [part for part in urlsplit(_text(node.get("permalink"))).path.split("/") if part]
    except ValueError:
        return ""
    return parts[-1] if len(parts) >= 2 and parts[-2] in ("p", "reel", "tv") else ""


def post_with_shortcode(body: dict[str, Any], shortcode: str) -> Media | None:
    """The media of a ``{"data": [...]}`` answer whose shortcode is exactly ``shortcode`` (codes are
    case-sensitive), for a link preview: a post without a picture still counts. None when none is."""
    data = body.get("data")
    for node in data if isinstance(data, list) else []:
        if isinstance(node, dict) and shortcode_of(node) == shortcode:
            return _post(node)
    return None


def _timestamp(value: object) -> int:
    """Graph's ``2026-11-30T10:00:00+0000`` as seconds since the epoch; 0 for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return 0
    try:
        return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except (ValueError, OverflowError):
        return 0


def media_list(body: dict[str, Any], count: int, author: str = "") -> list[Media]:
    """Up to ``count`` usable media of a ``{"data": [...]}`` answer."""
    data = body.get("data")
    items = [media(_dict(n), author) for n in data] if isinstance(data, list) else []
    return [m for m in items if m is not None][:count]
