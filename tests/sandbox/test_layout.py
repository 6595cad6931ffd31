"""The sandbox has the shape the service has: one folder per product and platform, and no import
circle (each blueprint reaches the site of the request through `sandbox.web`, never through the
app that registers it, sandbox/server.py)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import sandbox

ROOT = Path(sandbox.__file__).resolve().parent


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def import_graph() -> dict[str, set[str]]:
    """Each sandbox module and the sandbox modules it imports (at run time, lazy ones included)."""
    modules = {_module(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(tree):
            if _under_type_checking(node, parents):
                continue
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                names = {f"{base}.{a.name}" for a in node.names}
                # `from sandbox import admin` imports the module sandbox.admin
                found |= names if names <= modules.keys() else names | {base}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_one_folder_per_product_and_platform() -> None:
    folders = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert {"jira", "confluence", "connect", "forge"} <= folders
    loose = {p.stem for p in ROOT.glob("*.py")}
    products = ("jira", "confluence", "forge", "jql", "rovo")
    product_files = {n for n in loose if n.startswith(products)}
    assert product_files == set()
    assert (ROOT / "forge" / "runtime" / "run.mjs").is_file()


def test_the_graph_sees_the_imports_of_the_blueprints() -> None:
    graph = import_graph()
    assert "sandbox.jira.api" in graph["sandbox.server"]
    assert "sandbox.web" in graph["sandbox.jira.api"]
    assert "sandbox.server" not in graph["sandbox.jira.api"]


def test_no_module_of_the_sandbox_imports_itself_round_a_circle() -> None:
    graph = import_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message names the circle
        raise AssertionError(f"import circle: {exc.args[1]}") from None
    assert len(order) >= 40
