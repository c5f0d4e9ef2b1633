"""The layout rules of the package (issue 18), checked on the source tree.

* no module over 400 lines;
* no import cycle between the package's modules (imports inside functions count too);
* imports of the package's own modules at module top (an import inside a function states its
  reason in a comment on the same line);
* every subpackage re-exports its public names with ``__all__``;
* at most 10 ``# fmt: skip`` markers, each explained by a ``# unformatted: <reason>`` comment
  in the lines just above it;
* tests mirror the package: ``tests/<package>/test_<module>.py`` tests
  ``crm_research/<package>/<module>.py`` (a few whole-product tests sit at the top).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import crm_research

SRC = Path(crm_research.__file__).parent
ROOT = SRC.parent.parent
TESTS = ROOT / "tests"
MAX_LINES = 400
MAX_FMT_SKIP = 10
# tests of the product as a whole rather than of one module
WHOLE_PRODUCT_TESTS = {"test_architecture.py", "test_notebooks.py"}
FMT_SKIP = re.compile(r"#\s*fmt:\s*skip")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _package_of(name: str) -> str:
    return name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]


def _imports(name: str) -> list[tuple[str, int, bool]]:
    """(imported module of the package, line, inside a function) for every import in ``name``."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # annotations only, never executed
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = _package_of(name).split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                    for a in child.names
                ]
            for target in targets:
                if target.split(".")[0] == "crm_research":
                    while target not in MODULES and "." in target:
                        target = target.rpartition(".")[0]
                    found.append((target, child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def test_no_module_is_over_400_lines():
    sizes = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    over = {n: s for n, s in sorted(sizes.items()) if s > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

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


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycle():
    graph = {n: {t for t, _, _ in _imports(n) if t != n} for n in MODULES}
    # a module importing its own package's __init__ while that __init__ imports it is a cycle too
    assert not _cycles(graph), f"import cycles: {_cycles(graph)}"


def test_own_modules_are_imported_at_module_top():
    late = []
    for n, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, in_function in _imports(n):
            if in_function and "#" not in lines[line - 1]:
                late.append(f"{n}:{line} imports {target} inside a function without a reason")
    assert not late, "\n".join(late)


def test_packages_declare_their_public_names():
    missing = []
    for n, path in MODULES.items():
        if path.name != "__init__.py" or n == "crm_research":
            continue
        module = importlib.import_module(n)
        names = getattr(module, "__all__", None)
        if names is None:
            missing.append(f"{n} has no __all__")
            continue
        missing += [
            f"{n}.__all__ names {x!r}, which it lacks" for x in names if not hasattr(module, x)
        ]
    assert not missing, "\n".join(missing)


def _python_files() -> list[Path]:
    files = [*SRC.rglob("*.py"), *TESTS.rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


def test_fmt_skip_markers_are_few_and_explained():
    markers, unexplained = [], []
    for path in _python_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if FMT_SKIP.search(line):
                where = f"{path.relative_to(ROOT)}:{i + 1}"
                markers.append(where)
                if not any("# unformatted:" in x for x in lines[max(0, i - 10) : i + 1]):
                    unexplained.append(where)
    assert len(markers) <= MAX_FMT_SKIP, f"{len(markers)} `# fmt: skip` markers: {markers}"
    assert not unexplained, f"`# fmt: skip` without an `# unformatted:` reason: {unexplained}"


def test_tests_mirror_the_package():
    strays = []
    for path in sorted(TESTS.rglob("test_*.py")):
        rel = path.relative_to(TESTS)
        if len(rel.parts) == 1 and rel.name in WHOLE_PRODUCT_TESTS:
            continue
        module = SRC.joinpath(*rel.parts[:-1], rel.name.removeprefix("test_"))
        if not (module.is_file() or (module.with_suffix("") / "__init__.py").is_file()):
            strays.append(f"{rel} (no {module.relative_to(SRC.parent)})")
    assert not strays, "tests that mirror no module: " + ", ".join(strays)
