"""In CI a skip fails the run unless the test says why it may skip (`tests/conftest.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = """
import pytest

def test_skips():
    pytest.skip("nothing here")

@pytest.mark.allow_skip(reason="a machine without the thing")
def test_may_skip():
    pytest.skip("allowed")
"""


def _run(tmp_path: Path, ci: str | None) -> str:
    hooks = "from tests.conftest import pytest_configure, pytest_runtest_makereport\n"
    (tmp_path / "conftest.py").write_text(hooks)
    (tmp_path / "test_skipping.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_a_skip_fails_in_ci_unless_allowed(tmp_path: Path) -> None:
    assert _run(tmp_path, "true").startswith("1 failed, 1 skipped in ")


def test_outside_ci_a_skip_is_a_skip(tmp_path: Path) -> None:
    assert _run(tmp_path, None).startswith("2 skipped in ")
