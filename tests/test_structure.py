"""The package's import structure: no import cycles between naerhed modules (imports at module level
and inside functions both count, so a function-level import cannot hide a cycle), no module imports
an underscore-private name of another module, and the run pipeline's modules import every naerhed
module at module level."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "model" / "naerhed"

#: The modules of the run pipeline: they import naerhed modules only at module level.
PIPELINE = ("naerhed.run_spec", "naerhed.engine", "naerhed.executors", "naerhed.pipeline", "naerhed.runner",
            "naerhed.results", "naerhed.report", "naerhed.analysis.contributions", "naerhed.analysis.sweep",
            "naerhed.analysis.compare", "naerhed.analysis.comparison_report")



def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: dict[str, Path]) -> list[dict]:
    """Every import of a naerhed module in `path`: imported module, names, and the enclosing function
    (None at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "naerhed":
                        found.append({"module": alias.name, "names": [], "function": function})
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.split(".")[0] != "naerhed":
                    continue
                plain = []
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    if sub in known:  # `from . import data`: the submodule itself
                        found.append({"module": sub, "names": [], "function": function})
                    else:
                        plain.append(alias.name)
                if plain:
                    found.append({"module": target, "names": plain, "function": function})
            visit(child, function)

    visit(tree, None)
    return found


def import_table() -> dict[str, list[dict]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return out


def test_no_import_cycles_between_naerhed_modules():
    table = import_table()
    graph = {name: {i["module"] for i in found if i["module"] in table} for name, found in table.items()}
    found = cycles(graph)
    assert found == []
    for module in PIPELINE:  # the run pipeline's modules take part in no cycle at all
        assert not any(module in c for c in found), module


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_a_private_name_of_another_module():
    private = {(name, i["module"], n) for name, found in import_table().items() for i in found
               for n in i["names"] if n.startswith("_") and not n.endswith("__") and i["module"] != name}
    assert private == set()


def test_the_pipeline_modules_import_naerhed_modules_at_module_level():
    table = import_table()
    lazy = {(name, i["function"], i["module"]) for name in PIPELINE for i in table[name] if i["function"]}
    assert lazy == set()


def calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)]


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def test_only_the_pipeline_assembles_draws_into_a_dataset():
    assembling = {name for name, path in modules().items() for call in calls(path)
                  if called_name(call) in ("to_dataset", "add_financing")}
    assert assembling == {"naerhed.pipeline"}


def test_no_caller_asks_which_executor_it_has():
    executors = {"SerialExecutor", "ProcessExecutor", "DaskExecutor"}
    checks = [name for name, path in modules().items() for call in calls(path) if called_name(call) == "isinstance"
              and any(isinstance(n, ast.Name) and n.id in executors for n in ast.walk(call.args[1]))]
    assert checks == []
