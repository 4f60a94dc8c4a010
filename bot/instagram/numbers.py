"""Total readers for the numbers Instagram sends in headers and JSON: each returns None for anything it
does not understand, and never raises.

Traps they avoid: ``"²".isdigit()`` (and Arabic-Indic or full-width digits) is True, but ``int("²")``
raises; JSON allows ``Infinity`` and ``NaN``, and ``int(float("inf"))`` raises; ``bool`` is an ``int``;
``json.loads`` raises RecursionError (not ValueError) on deeply nested input, and ValueError on integers
of more than 4300 digits.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_ASCII_INT = re.compile(r"-?[0-9]{1,18}")  # fullmatch; 18 digits always fit in an int64
MAX_WAIT_MINUTES = 24 * 60  # a longer "wait" from a rate limiter is nonsense: treat it as unknown


def integer(value: Any) -> int | None:
    """An int (not a bool), or a string of ASCII digits with an optional ``-``; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**18 else None
    if isinstance(value, str) and _ASCII_INT.fullmatch(value):
        return int(value)
    return None


def wait_minutes(value: Any, *, unit_seconds: float, zero_is_unknown: bool = False) -> int | None:
    """A wait of ``value`` units (``unit_seconds`` each) as whole minutes, rounded up, at least 1.

    Accepts finite ints and floats and ASCII-digit strings; None for anything else, for negative
    values (and zero when ``zero_is_unknown``), and for waits longer than a day (``MAX_WAIT_MINUTES``).
    """
    number: float
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        parsed = integer(value.strip()) if isinstance(value, str) else None
        if parsed is None:
            return None
        number = float(parsed)
    if not math.isfinite(number) or number < 0 or (zero_is_unknown and number == 0):
        return None
    minutes = number * unit_seconds / 60
    if minutes > MAX_WAIT_MINUTES:
        return None
    return max(1, math.ceil(minutes))


def loads(text: str) -> Any:
    """``json.loads`` that answers None instead of raising on anything malformed or too deep."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
