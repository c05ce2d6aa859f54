"""Fixtures of the integration suites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kelisim.cli import app, main

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


@pytest.fixture
def kelisim(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`kelisim ARGV...` through `main()`, as a shell runs it (no data folder or URL from the
    environment); returns (exit status, stdout, stderr)."""
    monkeypatch.delenv("KELISIM_DATA_DIR", raising=False)
    monkeypatch.delenv("KELISIM_DATABASE_URL", raising=False)

    def run(*argv: object) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["kelisim", *map(str, argv)])
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
