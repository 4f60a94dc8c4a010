"""`/ig map`'s grammar: every form it takes, and a usage line for everything else."""

from __future__ import annotations

import pytest

from bot.core.commands import Usage
from tests.commands import parse


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("map Shibuya Crossing", "place", "Shibuya Crossing"),
        ("map 48.871, 2.365 2000", "near", "48.871,2.365,2000"),
        ("map 48.871,2.365", "near", "48.871,2.365,1000"),
        ("map @Bob", "user", "bob"),
        ("map instagram.com/bob", "user", "bob"),
        ("map me", "me", ""),
    ],
)
def test_map_grammar(text: str, kind: str, value: str) -> None:
    from bot.features.maps.grammar import MapOf

    found = parse(text)
    assert isinstance(found, MapOf) and (found.target.kind, found.target.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    ["map", "map 91,0", "map 85.1,0", "map 1,181", "map 1,2 0", "map 1,2 5001", "map @", "map <!here>"],
)
def test_map_grammar_refusals_are_usage_lines(text: str) -> None:
    assert isinstance(parse(text), Usage)
