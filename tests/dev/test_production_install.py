"""A production install carries no stand-ins, and says so when asked for them.

The stand-ins of Instagram and Slack are the separate ``igbot-sandboxes`` distribution (``sandboxes/``),
installed by ``make dev`` / ``make test`` only. Here the production wheel is built from a copy of the
working tree (the way ``pip wheel .`` does it from a fresh clone) and opened; and the CLI is run in an
interpreter where ``igbot_sandboxes`` cannot be imported, as on a production install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Never part of a clone: local environments, caches and earlier builds (a stale build/ would leak into
# a wheel setuptools builds in it).
LOCAL_ONLY = {".venv", ".git", ".igbot", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
LOCAL_ONLY_AT_ROOT = {"build", "dist", ".hypothesis"}
CONSOLE_ASSETS = ("index.html", "console.js", "console.css", "install.css")


def _clone_ignore(root: Path) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        at_root = Path(directory) == root
        return {
            n
            for n in names
            if n in LOCAL_ONLY or n.endswith(".egg-info") or (at_root and n in LOCAL_ONLY_AT_ROOT)
        }

    return ignore


def _build_wheel(source: Path, out: Path) -> zipfile.ZipFile:
    """``pip wheel --no-deps`` of ``source`` into ``out``; the one wheel it made, opened."""
    pip_wheel = ["pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps", "-w", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", *pip_wheel, str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"pip wheel {source} failed:\n{done.stdout}\n{done.stderr}"
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as a fresh clone would have it."""
    target = tmp_path_factory.mktemp("clone") / "igbot"
    shutil.copytree(ROOT, target, ignore=_clone_ignore(ROOT), symlinks=True)
    return target


@pytest.fixture(scope="module")
def production_wheel(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    return _build_wheel(clone, tmp_path_factory.mktemp("wheel"))


def _requirements(wheel: zipfile.ZipFile) -> list[str]:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    lines = wheel.read(metadata).decode().splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist:")]


def test_production_wheel_carries_the_product_and_no_stand_ins(production_wheel: zipfile.ZipFile) -> None:
    names = production_wheel.namelist()
    assert "bot/cli.py" in names and "bot/app.py" in names and "bot/web/routes.py" in names
    stand_ins = [n for n in names if n.startswith(("igbot_sandboxes/", "bot/sandboxes/", "sandboxes/"))]
    assert stand_ins == [], f"the production wheel carries stand-in code: {stand_ins[:5]}"
    assets = [
        n for n in names if n.rsplit("/", 1)[-1] in CONSOLE_ASSETS or n.endswith((".html", ".css", ".js"))
    ]
    assert assets == [], f"the production wheel carries console assets: {assets}"
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"bot"}, f"the production wheel carries more than bot/: {sorted(tops)}"


def test_production_wheel_does_not_require_the_stand_ins_dependencies(
    production_wheel: zipfile.ZipFile,
) -> None:
    requirements = _requirements(production_wheel)
    assert any(r.startswith("slack-bolt") for r in requirements), requirements  # the metadata was read
    assert not [r for r in requirements if r.lower().startswith(("websockets", "igbot-sandboxes"))]


def test_stand_ins_wheel_carries_their_code_and_console_assets(
    clone: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    wheel = _build_wheel(clone / "sandboxes", tmp_path_factory.mktemp("sandboxes-wheel"))
    names = wheel.namelist()
    assert "igbot_sandboxes/slack/sandbox.py" in names and "igbot_sandboxes/instagram/sandbox.py" in names
    for asset in CONSOLE_ASSETS:
        assert f"igbot_sandboxes/slack/console/static/{asset}" in names
    assert not [n for n in names if n.startswith("bot/")]
    requirements = [r.lower() for r in _requirements(wheel)]
    assert any(r.startswith("websockets") for r in requirements), requirements
    # igbot itself comes from this repository by the same `make install`; an "igbot" requirement would make
    # pip fetch an unrelated package of that name from the index when the stand-ins are installed alone.
    assert not [r for r in requirements if r.split(">")[0].split("=")[0].split("<")[0].strip() == "igbot"]


# Runs `igbot ...` in an interpreter where the stand-ins cannot be imported (as on a production install).
WITHOUT_STAND_INS = """
import sys
sys.modules["igbot_sandboxes"] = None  # import igbot_sandboxes now raises ModuleNotFoundError
sys.modules["bot.dev"] = None  # and no dev stack may start: without the check this fails at once
from bot.cli import main
raise SystemExit(main({argv!r}))
"""


@pytest.mark.parametrize(
    "argv",
    [["sandbox", "slack"], ["sandbox", "instagram", "--port", "0"], ["sandbox", "slack", "--help"], ["dev"]],
    ids=lambda argv: " ".join(argv),
)
def test_without_the_stand_ins_dev_and_sandbox_say_so_in_one_line(argv: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_STAND_INS.format(argv=argv)],
        cwd=tmp_path,  # no .env, no .igbot/ of the working tree
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this tree's bot/
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"igbot {argv[0]}: ")
    assert "not installed" in lines[0] and "make dev" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""
