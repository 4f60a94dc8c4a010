"""Pure translation of Instagram Login answers (docs/instagram-login.md) into models and typed errors.

The API answers (``graph.instagram.com``) use the Graph error object, so `bot.instagram.graph.parsing`
reads them (`body_or_error`, `media_list`); this module holds what differs: the code exchange in its two
shapes, the 60-day token, and the ``/me`` node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests

from bot.instagram import numbers
from bot.instagram.errors import ExchangeRejected, Unavailable
from bot.instagram.graph.parsing import RATE_LIMIT_CODES, TRANSIENT_CODES
from bot.instagram.models import Account

LONGEST_TOKEN_LIFE = 10 * 365 * 86400  # an expires_in beyond this (or <= 0) is nonsense: unknown
_VERSION = re.compile(r"/v[0-9]+(\.[0-9]+)?")
_USER_ID = re.compile(r"[0-9A-Za-z_]{1,64}")  # ids go into links and logs: nothing else may


@dataclass(frozen=True)
class Exchanged:
    """What the code exchange gave: a short-lived token, the account's id and the granted permissions."""

    token: str
    user_id: str
    permissions: tuple[str, ...]


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def _text(value: Any) -> str:
    """A JSON string (or whole number) as text; anything else as ""."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def permissions(value: Any) -> tuple[str, ...]:
    """Granted permissions as a JSON array or a comma (or space) separated string; each once, in order."""
    if isinstance(value, str):
        items: list[Any] = re.split(r"[,\s]+", value)
    elif isinstance(value, list):
        items = value
    else:
        items = []
    found: list[str] = []
    for item in items:
        name = item.strip() if isinstance(item, str) else ""
        if name and name not in found:
            found.append(name)
    return tuple(found)


def exchange(body: Any) -> Exchanged:
    """The code exchange's answer, flat (``user_id`` a number, ``permissions`` an array) or wrapped in
    ``data[]`` (``permissions`` a comma string). ``user_id`` is kept as a string, never a float.

    Raises:
        ExchangeRejected: no token or no plain user id in it.
    """
    node = body if isinstance(body, dict) else {}
    data = node.get("data")
    if "access_token" not in node and isinstance(data, list) and data and isinstance(data[0], dict):
        node = data[0]
    token = _text(node.get("access_token")) if isinstance(node.get("access_token"), str) else ""
    user_id = _text(node.get("user_id"))
    if not token:
        raise ExchangeRejected("token answer had no access token")
    if not _USER_ID.fullmatch(user_id):
        raise ExchangeRejected("token answer had no user id")
    return Exchanged(token=token, user_id=user_id, permissions=permissions(node.get("permissions")))


def raise_for_exchange_error(response: requests.Response) -> None:
    """An error answer of the token endpoints as a typed error; nothing for a 200 with a JSON object.

    Raises:
        Unavailable: a server failure, a rate limit or a transient code (trying again may work).
        ExchangeRejected: the code or token was refused (used, expired, wrong app or redirect URI).
    """
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(f"token endpoint HTTP {response.status_code}")
    body = _json(response)
    node = body if isinstance(body, dict) else {}
    error = node.get("error")
    if isinstance(error, dict):  # the Graph error object
        code = numbers.integer(error.get("code"))
        if code in TRANSIENT_CODES or code in RATE_LIMIT_CODES:
            raise Unavailable(f"token endpoint graph code {code}")
        raise ExchangeRejected(f"token endpoint graph code {code}")
    if response.status_code != 200 or not isinstance(body, dict):
        raise ExchangeRejected(f"token endpoint HTTP {response.status_code}")


def long_lived(body: Any, now: int) -> tuple[str, int | None]:
    """The 60-day token and when it expires (None when ``expires_in`` is missing or nonsense).

    Raises:
        ExchangeRejected: no token in it.
    """
    node = body if isinstance(body, dict) else {}
    token = node.get("access_token")
    if not isinstance(token, str) or not token:
        raise ExchangeRejected("long-lived exchange gave no token")
    expires_in = numbers.integer(node.get("expires_in"))
    sensible = expires_in is not None and 0 < expires_in <= LONGEST_TOKEN_LIFE
    return token, now + expires_in if sensible and expires_in is not None else None


def graph_root(api_url: str) -> str:
    """The API base without its version (``…/v25.0`` -> ``…``): the token endpoints are unversioned."""
    head, _, last = api_url.rstrip("/").rpartition("/")
    return head if head and _VERSION.fullmatch("/" + last) else api_url.rstrip("/")


def account(node: dict[str, Any], user_id: str = "") -> Account:
    """The ``/me`` node as an Account. Its id is ``user_id`` (the professional account's id), else
    ``id``, else the ``user_id`` the code exchange named."""
    username = _text(node.get("username"))
    return Account(
        id=_text(node.get("user_id")) or _text(node.get("id")) or user_id,
        username=username,
        full_name=_text(node.get("name")),
        picture_url=_text(node.get("profile_picture_url")),
        profile_url=f"https://www.instagram.com/{username}/" if username else "",
        bio=_text(node.get("biography")),
        media_count=_int(node.get("media_count")),
        followers=_int(node.get("followers_count")),
        follows=_int(node.get("follows_count")),
    )


def is_professional(node: dict[str, Any]) -> bool:
    """False only when ``/me`` says the account is a personal one (``account_type``)."""
    kind = node.get("account_type")
    return not (isinstance(kind, str) and kind.upper() == "PERSONAL")
