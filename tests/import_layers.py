"""The package's import graph, read with ``ast``, and the layering rule it must keep.

Layers, top to bottom (a module imports only from its own layer or below):

    4  front ends   cli/ excel/ addin/ and __main__   (may import each other)
    3  cycle/
    2  legacy/ reporting/ savings/                    (not each other)
  1.5  history/                                       (the store behind the trends)
    1  workbook/
    0  the shared ground: modules directly in xltools/
"""

from __future__ import annotations

import ast
from pathlib import Path

FRONT_ENDS = {"cli", "excel", "addin", "__main__"}
RANKS = {"cycle": 3, "legacy": 2, "reporting": 2, "savings": 2, "history": 1.5,
         "workbook": 1}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the xltools modules it imports, anywhere in its body (imports inside
    functions and under TYPE_CHECKING count: a circle there is still a circle)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {t for t in _targets(ast.parse(path.read_text()), package, files)
                       if t != name}
    return graph


def _targets(tree: ast.AST, package: str, known: dict[str, Path]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module not in known:
                continue
            subs = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in known]
            # `from pkg import mod` imports the module; `from pkg import name`, the package
            yield from subs if len(subs) == len(node.names) else [module, *subs]


def layer_of(module: str) -> tuple[int, str]:
    """(rank, group): modules may import within their group or from a lower rank."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0, "shared"  # the package's own __init__: names only, loaded lazily
    head = parts[1]
    if head in FRONT_ENDS:
        return 4, "front ends"
    if head in RANKS:
        return RANKS[head], head
    return 0, "shared"


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up a layer or sideways between packages of one layer."""
    out = []
    for module, targets in sorted(graph.items()):
        rank, group = layer_of(module)
        for target in sorted(targets):
            t_rank, t_group = layer_of(target)
            if t_rank > rank or (t_rank == rank and t_group != group):
                out.append(f"{module} imports {target} ({group} may not import {t_group})")
    return out


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles in ``graph`` (Tarjan's strongly connected components of size > 1,
    or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles
