"""An import-linter contract type igbot's `pyproject.toml` uses: no import cycle between any two modules.

import-linter's own ``acyclic_siblings`` looks at the children of each package (each squashed with its
descendants) and so never sees a cycle through a package's ``__init__``; this one looks at modules, package
``__init__`` modules included, across all of ``root_packages``. The cycle search is the standard library's
(`graphlib.TopologicalSorter` raises `graphlib.CycleError` naming one). `make lint` runs ``lint-imports``
with the repository on ``PYTHONPATH`` so that ``tests.import_contracts`` can be loaded.
"""

from __future__ import annotations

import graphlib

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def find_cycle(graph: grimp.ImportGraph, roots: set[str]) -> list[str]:
    """One import cycle among the modules under ``roots`` (its modules in import order), or []."""
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m.split(".")[0] in roots}
        for module in graph.modules
        if module.split(".")[0] in roots
    }
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as cycle:
        return list(cycle.args[1])
    return []


class AcyclicModulesContract(Contract):
    """No import cycle between any modules of ``root_packages``."""

    type_name = "acyclic_modules"
    root_packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        """Kept when no module under the root packages imports itself through others."""
        cycle = find_cycle(graph, {str(p) for p in self.root_packages})  # type: ignore[attr-defined]
        return ContractCheck(kept=not cycle, metadata={"cycle": cycle})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print the cycle found."""
        output.print_error("Import cycle: " + " -> ".join(check.metadata["cycle"]))
        output.new_line()
