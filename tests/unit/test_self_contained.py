"""The repository is self-contained: nothing in its code, tests or docs points at files outside it (the
facts it relies on are copied into docs/ with their sources; the fixed interfaces are docs/interfaces.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelt in pieces so that this file does not name what it looks for.
OUTSIDE = ("../" + "shared", "shared/" + "reference", "DESIGN" + ".md")


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.split() if name.endswith((".py", ".md", ".toml", ".yml"))]


def test_nothing_refers_to_files_outside_the_repository() -> None:
    files = _tracked_text_files()
    assert len(files) > 100
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if any(needle in line for needle in OUTSIDE)
    ]
    assert found == []


def test_the_fixed_interfaces_are_in_the_repository() -> None:
    text = (ROOT / "docs" / "interfaces.md").read_text()
    for heading in ("## Processes", "## Settings", "## HTTP routes of the bot", "## Redis keys",
                    "## Slash command grammar", "## Behaviour under failure"):  # fmt: skip
        assert heading in text
