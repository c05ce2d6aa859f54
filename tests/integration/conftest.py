"""Fixtures of the integration suites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kelisim.cli import app

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """`kelisim ...` in process on an initialized node; returns (exit code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["--database-url", database_url,
                                     "--data-dir", str(tmp_path), *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    run("init")
    return run
