"""Layering: the serving path never imports the stand-ins (the ``igbot_sandboxes`` distribution).

A fresh interpreter imports every module under ``bot/`` except ``bot.dev`` (which starts the
stand-ins for ``igbot dev``, importing them inside functions only), then reports which
``igbot_sandboxes`` modules ended up in ``sys.modules``.  Modules are discovered, not listed, so new
packages are covered as soon as they exist.  ``bot.__main__`` is left out because importing it runs the
CLI; it imports nothing but ``bot.cli``, which is covered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Must be among the discovered modules whenever they exist (bot.server became bot.serve once: both count).
SERVING_ENTRY_POINTS = ("bot.app", "bot.cli", "bot.server", "bot.serve", "bot.web.routes", "bot.web.bolt_app")
EXCLUDED = ("bot.dev",)
STAND_INS = "igbot_sandboxes"

# Runs in the fresh interpreter.  Packages are walked one top-level entry at a time so that the
# walk itself (pkgutil.walk_packages imports every package it descends into) never touches
# the stand-ins.  Prints one JSON object.
PROBE = """
import importlib, json, pkgutil, sys, traceback

import bot

EXCLUDED = {excluded!r}
STAND_INS = {stand_ins!r}


def excluded(name):
    return any(name == e or name.startswith(e + ".") for e in EXCLUDED) or name.endswith(".__main__")


def sandbox_modules():
    return {{m for m in sys.modules if m == STAND_INS or m.startswith(STAND_INS + ".")}}


failed = {{}}
leaks = {{}}
imported = []


def try_import(name):
    before = sandbox_modules()
    try:
        importlib.import_module(name)
    except BaseException:  # SystemExit and friends too: report, never hide
        failed[name] = traceback.format_exc()
        return False
    imported.append(name)
    new = sorted(sandbox_modules() - before)
    if new:
        leaks[name] = new
    return True


def onerror(name):
    failed.setdefault(name, traceback.format_exc())


for top in pkgutil.iter_modules(bot.__path__, "bot."):
    if excluded(top.name):
        continue
    if not try_import(top.name) or not top.ispkg:
        continue
    package = sys.modules[top.name]
    for info in pkgutil.walk_packages(package.__path__, top.name + ".", onerror=onerror):
        if not excluded(info.name):
            try_import(info.name)

print(json.dumps({{"imported": imported, "failed": failed, "leaks": leaks,
                  "sandboxes": sorted(sandbox_modules())}}))
"""


def run_probe() -> dict[str, Any]:
    """Run the probe in a fresh interpreter and return its report."""
    code = PROBE.format(excluded=EXCLUDED, stand_ins=STAND_INS)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, f"probe crashed:\n{done.stderr}"
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return run_probe()


def test_every_serving_module_is_found_and_imports(report: dict[str, Any]) -> None:
    failures = "\n".join(f"--- {name}\n{tb}" for name, tb in report["failed"].items())
    assert not report["failed"], f"modules that could not be imported (so were not checked):\n{failures}"
    present = [m for m in SERVING_ENTRY_POINTS if (ROOT / (m.replace(".", "/") + ".py")).is_file()]
    assert "bot.app" in present and "bot.cli" in present
    missing = [m for m in present if m not in report["imported"]]
    assert not missing, f"discovery missed {missing}"
    assert "bot.dev" not in report["imported"]


def test_serving_path_never_imports_the_sandboxes(report: dict[str, Any]) -> None:
    culprits = "\n".join(f"{name} -> {', '.join(mods)}" for name, mods in report["leaks"].items())
    assert report["sandboxes"] == [], f"the serving path imported the sandboxes:\n{culprits}"
