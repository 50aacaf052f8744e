"""The package's layers, read from its imports (issue 11; docs/design-notes.md, "Layers").

Rules: a lower layer never imports a higher one (errors < core < io < the analyses <
report < the command line); an analysis imports another analysis only along the edges
listed in ``ANALYSIS_EDGES`` (public functions, never a circle); no module reaches itself
through the package's imports, inside a subpackage either; no module is over about 1,200
lines. Imports inside functions count too.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "csat_toolkit"
RANKS = {"errors": 0, "core": 1, "io": 2, "trends": 3, "drivers": 3, "revenue": 3, "ops": 3,
         "comments": 3,
         "report": 4, "cli": 5, "__main__": 5, "__init__": 5}
# An analysis may use another's public functions along these edges only (ops forecasts
# weekly volume with the trends forecaster).
ANALYSIS_EDGES = {("ops", "trends")}
MAX_LINES = 1200


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """Package-relative names an ``from ... import`` statement reaches."""
    base = module.split(".") if module != "__init__" else []
    if not is_package:
        base = base[:-1]
    if node.level == 0:
        if not (node.module or "").startswith("csat_toolkit"):
            return []
        target = node.module.split(".")[1:]
    else:
        target = (base[: len(base) - (node.level - 1)] if node.level > 1 else base)
        target = target + (node.module.split(".") if node.module else [])
    prefix = ".".join(target)
    if node.module:
        return [prefix] if prefix else []
    return [f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names]


@functools.cache
def package_imports() -> dict[str, frozenset[str]]:
    """Module -> the package modules (or subpackages) it imports, at any depth."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = {}
    for path in paths:
        name = _module_name(path)
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                for target in _resolve(name, path.name == "__init__.py", node):
                    while target and target not in modules:  # a name inside a module
                        target = target.rpartition(".")[0]
                    if target and target != name:
                        found.add(target)
        graph[name] = frozenset(found)
    return graph


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_a_lower_layer_never_imports_a_higher_one():
    upward = []
    for module, targets in package_imports().items():
        for target in targets:
            source_layer, target_layer = _layer(module), _layer(target)
            if module == "__init__" or source_layer == target_layer:
                continue
            if RANKS[target_layer] > RANKS[source_layer]:
                upward.append(f"{module} -> {target}")
            elif RANKS[target_layer] == RANKS[source_layer] == 3 and \
                    (source_layer, target_layer) not in ANALYSIS_EDGES:
                upward.append(f"{module} -> {target} (analysis to analysis)")
    assert upward == [], "imports against the layers:\n" + "\n".join(sorted(upward))


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def test_no_import_circles():
    # Subpackage __init__ files are nodes too: importing one runs every module it imports.
    graph = package_imports()
    circles = sorted(name for name in graph if name in _reaches(graph, name))
    assert circles == [], f"modules in an import circle: {circles}"


def test_modules_never_import_a_subpackage_init_of_their_own_layer():
    # `from . import stats` inside core is fine (a module); `from ..core import stats`
    # outside core goes through core/__init__, which imports every core module: allowed
    # for lower layers only, never for a module's own subpackage (that is a circle).
    own = [f"{m} -> {t}" for m, ts in package_imports().items() for t in ts
           if t == _layer(m) and "." in m]
    assert own == [], own


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: _module_name(p))
def test_no_module_over_about_1200_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines:,} lines: " \
                               f"split it along its seams (issue 11)."


def test_the_rules_see_real_imports():
    # The reader itself: it must find the imports it is meant to judge.
    graph = package_imports()
    assert "core.stats" in graph["core.metrics"]
    assert "io.loaded" in graph["io.tables"]
    assert "report.style" in graph["report.driverplots"]
    assert "core.text" in graph["ops.response"]


# --- notebooks only show (issue 11) --------------------------------------------------------

NOTEBOOKS = sorted((PACKAGE.parent / "notebooks").glob("*.ipynb"))
DECISIONS = (ast.If, ast.IfExp, ast.For, ast.While, ast.Try, ast.With, ast.FunctionDef)


def _code_cells(path: Path):
    import nbformat

    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code":
            yield index, cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_cells_only_call_and_show(path):
    # Every cell, the parameter cells included (split into 'defaults' cells and the
    # 'parameters' cell), is at most 15 lines and holds no if/for/while/try/with/def:
    # decisions live in report.sections.
    problems = []
    for index, source in _code_cells(path):
        lines = source.splitlines()
        if len(lines) > 15:
            problems.append(f"cell {index}: {len(lines)} lines")
        code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
        found = sorted({type(node).__name__ for node in ast.walk(ast.parse(code))
                        if isinstance(node, DECISIONS)})
        if found:
            problems.append(f"cell {index}: {', '.join(found)}")
    assert problems == [], f"{path.name}: " + "; ".join(problems)


def test_the_notebook_rule_sees_a_decision(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("if x:\n    y()")])
    nbformat.write(notebook, tmp_path / "x.ipynb")
    with pytest.raises(AssertionError, match="cell 0: If"):
        test_notebook_cells_only_call_and_show(tmp_path / "x.ipynb")


def test_notebook_defaults_are_the_parameters_cell_and_unknown_names_are_named():
    from csat_toolkit.errors import ParameterError
    from csat_toolkit.report.runner import notebook_parameters
    from csat_toolkit.report.sections import notebook_defaults

    for path in NOTEBOOKS:
        cell = {k: v["default"] for k, v in notebook_parameters(path).items()}
        defaults = notebook_defaults(path.stem)
        assert defaults.keys() == cell.keys()
        for name, value in defaults.items():
            if name.endswith("_path") and isinstance(cell[name], str):
                assert value == str((path.parent / cell[name]).resolve())
                assert Path(value).exists(), value  # the bundled sample files
            else:
                assert value == cell[name]
    with pytest.raises(ParameterError, match="No notebook '06_nothing'.*'01_metrics'"):
        notebook_defaults("06_nothing")
