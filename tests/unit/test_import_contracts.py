"""The import contracts in `pyproject.toml` can fail: in a copy of the tree with one forbidden import added,
``lint-imports`` calls exactly that import's contract broken; the tree as it is keeps them all."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (the lines appended to modules, the contract that must then be broken)
BREAKS: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = (
    ((("bot/storage/keys.py", "import bot.web.routes"),), "layers: entry -> web | worker"),
    (
        (("bot/features/inbox/blocks.py", "import bot.features.feeds.grammar"),),
        "features never import each other",
    ),
    ((("bot/core/notes.py", "import bot.core.jobs"),), "no import cycle between any two modules"),
    (  # a cycle through a package's __init__, which import-linter's acyclic_siblings does not see
        (
            ("bot/features/home/__init__.py", "import bot.features.home.jobs"),
            ("bot/features/home/blocks.py", "import bot.features.home"),
        ),
        "no import cycle between any two modules",
    ),
    ((("bot/web/pages.py", "import igbot_sandboxes.slack"),), "the serving path never imports the stand-ins"),
)


def _copy(tree: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "static")
    shutil.copytree(ROOT / "bot", tree / "bot", ignore=ignore)
    shutil.copytree(
        ROOT / "sandboxes" / "igbot_sandboxes", tree / "sandboxes" / "igbot_sandboxes", ignore=ignore
    )
    (tree / "tests").mkdir()
    (tree / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "tests" / "import_contracts.py", tree / "tests" / "import_contracts.py")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _start(tree: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{tree / 'sandboxes'}"}
    return subprocess.Popen(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _broken(output: str) -> list[str]:
    """The names of the broken contracts in lint-imports' summary (a long name wraps onto a second line)."""
    summary = output[output.index("Contracts\n") : output.index("\nContracts: ")]
    return [
        row.rsplit(" BROKEN", 1)[0] for row in re.sub(r" \n", " ", summary).splitlines() if " BROKEN" in row
    ]


def test_each_contract_refuses_its_forbidden_import(tmp_path: Path) -> None:
    runs = [_start(_copy(tmp_path / "clean"))]
    for number, (lines, _) in enumerate(BREAKS):
        tree = _copy(tmp_path / f"break{number}")
        for path, line in lines:
            with (tree / path).open("a") as module:
                module.write(f"\n{line}  # noqa\n")
        runs.append(_start(tree))
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert re.search(r"Contracts: \d+ kept, 0 broken\.", outputs[0]), outputs[0]
    for (lines, contract), output in zip(BREAKS, outputs[1:], strict=True):
        broken = _broken(output)
        assert any(name.startswith(contract) for name in broken), (lines, contract, output)
