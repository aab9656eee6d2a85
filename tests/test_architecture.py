"""The house rules a reader relies on: areas are packages declared in one list, models do not
import Streamlit, pages hold no SQL, and no module of models/ imports itself round a cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from models import areas

PROJECT = Path(__file__).resolve().parents[1]
MODELS = PROJECT / "models"


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """The modules of models/ that ``path`` imports, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("models"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PROJECT / Path(*candidate.split("."))).with_suffix(".py").exists()
                found.add(candidate if is_module else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("models")}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def test_no_module_of_models_imports_itself_round_a_cycle():
    graph = {
        _module_name(path): _imports(path) - {_module_name(path)}
        for path in MODELS.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert "models.speakup.ideas" in graph  # the walk found the area packages
    assert _cycles(graph) == []


def test_a_cycle_is_found_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_models_do_not_import_streamlit():
    offenders = [
        path.name
        for path in MODELS.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+streamlit", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def test_pages_hold_no_sql():
    sql = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I | re.S)
    offenders = []
    for path in (PROJECT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and sql.search(node.value):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_every_area_is_a_package_and_its_demo_step_loads():
    for area in areas.AREAS:
        assert (MODELS / area.name / "__init__.py").exists(), area.name
        if area.demo_step is not None:
            assert callable(area.load_demo_step()), area.name
    assert [name for name, _ in areas.demo_steps()][0] == "people"  # the others build on the people


def test_every_computed_kpi_is_in_the_catalogue(db):
    codes = {row["code"] for row in db.query("SELECT code FROM kpis")}
    assert set(areas.computed_kpis()) <= codes


# An aggregate over the empty window "OVER ()" (count(*) OVER (), sum(x) OVER ()): DuckDB 1.5.5's
# parallel window operator now and then fails such a query with an internal error, and the error
# invalidates the whole database until the server restarts (duckdb issue 25713). row_number()
# OVER () numbers rows without an aggregate and is not affected.
_AGGREGATE_OVER_EMPTY_WINDOW = re.compile(r"\b(?!row_number\b)(\w+)\s*\((?:[^()]|\([^()]*\))*\)\s*OVER\s*\(\s*\)", re.I)


def _aggregates_over_the_empty_window(text: str) -> list[str]:
    return [match.group(0) for match in _AGGREGATE_OVER_EMPTY_WINDOW.finditer(text)]


def test_no_query_takes_an_aggregate_over_the_empty_window():
    found = {
        str(path.relative_to(PROJECT)): hits
        for folder in ("models", "pages", "ui")
        for path in sorted((PROJECT / folder).rglob("*.py"))
        if (hits := _aggregates_over_the_empty_window(path.read_text(encoding="utf-8")))
        and path.name != "paging.py"  # whose docstring names the shape it avoids
    }
    assert not found, found


def test_the_empty_window_check_finds_the_shapes_it_guards_against():
    assert _aggregates_over_the_empty_window("SELECT a, count(*) OVER () AS n")
    assert _aggregates_over_the_empty_window("count(*) / sum(count(*)) OVER () AS share")
    assert _aggregates_over_the_empty_window("sum(x) over() AS total")
    assert not _aggregates_over_the_empty_window("row_number() OVER () AS line")
    assert not _aggregates_over_the_empty_window("sum(x) OVER (ORDER BY d) AS running")
