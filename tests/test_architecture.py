"""The house's rules, read from the source: import direction, no import cycles, module size.

The rooms (see docs/architecture.md): the kernel modules at the top of ``model/`` are
imported by everybody; ``model/mechanisms/`` and ``model/world/`` import nothing from
``experiments``, ``checks``, ``viz`` or ``cli``; ``model/experiments/`` imports nothing from
``checks``, ``viz`` or ``cli``. Imports are read with :mod:`ast`, so nothing is imported to
check them. Imports under ``if TYPE_CHECKING:`` are for annotations only and never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "agents")
#: Most lines a module may have (the house rule says about 400).
MAX_MODULE_LINES = 450
#: Room -> rooms it must not import from.
FORBIDDEN = {
    "model.mechanisms": ("model.experiments", "model.checks", "model.viz", "model.cli"),
    "model.world": ("model.experiments", "model.checks", "model.viz", "model.cli"),
    "model.experiments": ("model.checks", "model.viz", "model.cli"),
}


def module_paths() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the packages."""
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = module_paths()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, top_level_only: bool) -> Iterator[str]:
    """Modules of the packages imported by one module (top level only, or everywhere)."""

    def visit(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                yield from (n for o in child.orelse for n in visit_node(o))
                continue
            if top_level_only and isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                continue
            yield from visit_node(child)

    def visit_node(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from visit(node)

    for node in visit(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if MODULES[module].name != "__init__.py":
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import module`` imports the module too.
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for name in names:
            if name in MODULES:
                yield name


def import_graph(top_level_only: bool) -> nx.DiGraph:
    """Module -> imported module, over the packages."""
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imported in _imports(tree, module, top_level_only):
            if imported != module:
                graph.add_edge(module, imported)
    return graph


def _in_room(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def test_the_import_reader_sees_the_modules():
    graph = import_graph(top_level_only=True)
    assert "model.jointmodel" in graph and "agents.alliance" in graph
    assert graph.has_edge("model.jointmodel", "model.mechanisms.pooling")
    # Annotation-only imports are not edges.
    assert not graph.has_edge("model.mechanisms.pooling", "model.jointmodel")


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_import_direction(room):
    """Also lazy imports inside functions: a dependency is a dependency."""
    graph = import_graph(top_level_only=False)
    wrong = [
        f"{module} imports {imported}"
        for module, imported in graph.edges
        if _in_room(module, room) and any(_in_room(imported, banned) for banned in FORBIDDEN[room])
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_at_module_level():
    graph = import_graph(top_level_only=True)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, cycles


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines (at most {MAX_MODULE_LINES})"
