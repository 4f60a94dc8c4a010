"""The Graph API's ``fields`` parameter: field expansion with nested braces and modifiers.

Grammar (whitespace around tokens is ignored)::

    fields   := field ("," field)*
    field    := NAME modifier* ("{" fields "}")?
    modifier := "." NAME "(" ARG ")"          e.g. .limit(3), .username(alice.shop)
    NAME     := [A-Za-z0-9_]+
    ARG      := any characters except "(" and ")"

``media.limit(3){id,caption}`` is ``FieldSpec("media", (("limit", "3"),), (FieldSpec("id"), ...))``.
Nesting deeper than `MAX_DEPTH` braces is a syntax error (so junk never exhausts the stack).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

MAX_DEPTH = 8
NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_")
_WHITESPACE = frozenset(" \t\r\n")


class FieldSyntaxError(ValueError):
    """The ``fields`` value does not parse; the message mimics the Graph API's (error code 2500)."""


@dataclass(frozen=True)
class FieldSpec:
    """One requested field: its name, modifiers (in order) and sub-fields (None without braces)."""

    name: str
    args: tuple[tuple[str, str], ...] = ()
    children: tuple[FieldSpec, ...] | None = None

    def arg(self, key: str) -> str | None:
        """The last value given to modifier ``key`` (``.limit(3)`` -> ``arg("limit") == "3"``), or None."""
        found = None
        for name, value in self.args:
            if name == key:
                found = value
        return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str) -> FieldSyntaxError:
        found = f'"{self.text[self.pos]}"' if self.pos < len(self.text) else "end of string"
        return FieldSyntaxError(
            f'Syntax error "Expected {expected} instead of {found}." at character {self.pos}: {self.text}'
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self) -> str:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in NAME_CHARS:
            self.pos += 1
        if self.pos == start:
            raise self.fail("field name")
        return self.text[start : self.pos]

    def modifier(self) -> tuple[str, str]:
        self.pos += 1  # the "."
        key = self.name()
        self.skip_space()
        if self.peek() != "(":
            raise self.fail('"("')
        self.pos += 1
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in "()":
            self.pos += 1
        if self.peek() != ")":
            raise self.fail('")"')
        value = self.text[start : self.pos].strip()
        self.pos += 1
        return key, value

    def field(self, depth: int) -> FieldSpec:
        name = self.name()
        args: list[tuple[str, str]] = []
        children: tuple[FieldSpec, ...] | None = None
        self.skip_space()
        while self.peek() == ".":
            args.append(self.modifier())
            self.skip_space()
        if self.peek() == "{":
            if depth >= MAX_DEPTH:
                raise self.fail("less nesting")
            self.pos += 1
            children = self.fields(depth + 1)
            self.skip_space()
            if self.peek() != "}":
                raise self.fail('"}"')
            self.pos += 1
        return FieldSpec(name, tuple(args), children)

    def fields(self, depth: int) -> tuple[FieldSpec, ...]:
        out = [self.field(depth)]
        self.skip_space()
        while self.peek() == ",":
            self.pos += 1
            out.append(self.field(depth))
            self.skip_space()
        return tuple(out)


def parse_fields(text: str | None) -> tuple[FieldSpec, ...]:
    """Parse a ``fields`` value; None, empty or blank gives ``()`` (the node's default fields).

    Raises:
        FieldSyntaxError: anything that is not well-formed field expansion.
    """
    if text is None or not text.strip():
        return ()
    parser = _Parser(text)
    specs = parser.fields(0)
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.fail("end of string")
    return specs


def format_fields(specs: tuple[FieldSpec, ...]) -> str:
    """The canonical ``fields`` text for ``specs`` (inverse of `parse_fields` up to whitespace)."""
    parts = []
    for spec in specs:
        text = spec.name + "".join(f".{key}({value})" for key, value in spec.args)
        if spec.children is not None:
            text += "{" + format_fields(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)


def field_names(specs: tuple[FieldSpec, ...]) -> list[str]:
    """Requested names in order, without duplicates."""
    return list(dict.fromkeys(spec.name for spec in specs))
