"""Which Instagram answers mean "this one object" (skipped by a loop, issue 20 item 2) and which mean the
whole request: Graph's 100/33 on a read of one object is that object gone; the same code elsewhere, or
100 without that subcode (a field igbot should not ask for), is not."""

from __future__ import annotations

import json

import pytest
import requests

from bot.instagram.errors import NotFound, Unavailable
from bot.instagram.graph import parsing as graph
from bot.instagram.models import loggable_id

UNSUPPORTED = (
    "Unsupported get request. Object with ID '17870000000000001' does not exist, cannot be loaded due to "
    "missing permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)


def _error(code: int, subcode: int | None, message: str) -> requests.Response:
    response = requests.Response()
    response.status_code = 400
    inner = {"message": message, "type": "GraphMethodException", "code": code, "fbtrace_id": "Ab1"}
    if subcode is not None:
        inner["error_subcode"] = subcode
    response._content = json.dumps({"error": inner}).encode()
    return response


def test_100_33_on_a_read_of_one_object_is_that_object_gone() -> None:
    with pytest.raises(NotFound):
        graph.body_or_error(_error(100, 33, UNSUPPORTED), item=True)


@pytest.mark.parametrize(
    ("code", "subcode", "item"),
    [
        (100, 33, False),  # elsewhere: as before, not a skippable item
        (100, None, True),  # "(#100) Tried accessing nonexisting field": igbot's own mistake, not the item's
        (2, None, True),  # Instagram's trouble ends the whole read
    ],
)
def test_other_answers_are_not_one_missing_object(code: int, subcode: int | None, item: bool) -> None:
    with pytest.raises(Unavailable):
        graph.body_or_error(_error(code, subcode, "a message igbot never reads"), item=item)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1108023626151848220_2082346", "1108023626151848220_2082346"),
        ("17841400000000011", "17841400000000011"),
        ("a b", "?"),
        ("x\nERROR forged line", "?"),
        ("", "?"),
        ("9" * 65, "?"),
    ],
)
def test_an_id_from_an_answer_reaches_a_log_line_only_when_plain(value: str, shown: str) -> None:
    assert loggable_id(value) == shown
