"""The stand-ins' own tests talk to them directly, as their clients do, with the stand-ins' own client
secrets where the real services put them (python-instagram's subscriptions and Meta's token exchange put
them in the query string). urllib3 logs such URLs at DEBUG; that is test code logging the stand-ins' test
credentials, not igbot, so its request lines are kept out of the whole-run secret scan here."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_request_lines_of_stand_in_clients() -> Iterator[None]:
    pool_log = logging.getLogger("urllib3.connectionpool")
    level = pool_log.level
    pool_log.setLevel(logging.INFO)
    yield
    pool_log.setLevel(level)
