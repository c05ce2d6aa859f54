"""The domain is plain Python: no web, no SQL, no CLI, and no reading of the wall clock.

Time is passed in (CONVENTIONS.md: "a clock passed in, never datetime.now() deep in the domain").
The one sanctioned reader of the wall clock is `kelisim.domain.clock.system_clock`, the default
clock that the wiring point passes in; it is named here explicitly so that no other function can
quietly join it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kelisim.domain

DOMAIN = Path(kelisim.domain.__file__).parent
FORBIDDEN_MODULES = ("fastapi", "starlette", "sqlalchemy", "alembic", "psycopg", "uvicorn",
                     "typer", "rich", "httpx", "http_message_signatures")
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("date", "today")}
SANCTIONED_CLOCK = {("clock.py", "system_clock")}


def forbidden_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in FORBIDDEN_MODULES or top.startswith("psycopg"):  # psycopg2, psycopg_pool
                found.append(f"line {node.lineno}: import {name}")
    return found


def clock_reads(source: str) -> list[tuple[str, str]]:
    """(enclosing function, call) for every datetime.now()/date.today()-like call."""
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                owner = child.func.value
                owner_name = (owner.id if isinstance(owner, ast.Name)
                              else owner.attr if isinstance(owner, ast.Attribute) else None)
                if (owner_name, child.func.attr) in CLOCK_READS:
                    found.append((function, f"line {child.lineno}: {owner_name}."
                                            f"{child.func.attr}()"))
            visit(child, inner)

    visit(ast.parse(source), "<module>")
    return found


DOMAIN_FILES = sorted(DOMAIN.rglob("*.py"))


def test_the_domain_has_modules_to_check() -> None:
    assert {p.name for p in DOMAIN_FILES} >= {"treaty.py", "instruments.py", "calendar.py",
                                              "ledger.py", "access.py", "accounts.py"}


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.name)
def test_a_domain_module_imports_no_web_sql_or_cli_library(path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.name)
def test_a_domain_module_does_not_read_the_wall_clock(path: Path) -> None:
    reads = [(function, call) for function, call in clock_reads(path.read_text(encoding="utf-8"))
             if (path.name, function) not in SANCTIONED_CLOCK]
    assert reads == []


@pytest.mark.parametrize(
    ("source", "imports", "reads"),
    [
        pytest.param("import fastapi", 1, 0, id="import-fastapi"),
        pytest.param("from sqlalchemy.orm import Session", 1, 0, id="from-sqlalchemy-orm"),
        pytest.param("import psycopg_pool", 1, 0, id="psycopg-family"),
        pytest.param("from rich.console import Console", 1, 0, id="rich"),
        pytest.param("import httpx", 1, 0, id="httpx"),
        pytest.param("import richardson", 0, 0, id="a-name-that-merely-starts-with-rich"),
        pytest.param("from datetime import date\ndef f():\n    return date.today()", 0, 1,
                     id="date-today"),
        pytest.param("import datetime as dt\nx = dt.datetime.now()", 0, 1,
                     id="dt-datetime-now-at-module-level"),
        pytest.param("from datetime import datetime\ndef f():\n    return datetime.utcnow()", 0, 1,
                     id="datetime-utcnow"),
        pytest.param("from .errors import KelisimError\nx = clock()", 0, 0,
                     id="relative-import-and-a-passed-in-clock-are-fine"),
    ],
)
def test_the_checks_catch_what_they_claim(source: str, imports: int, reads: int) -> None:
    assert len(forbidden_imports(source)) == imports
    assert len(clock_reads(source)) == reads
