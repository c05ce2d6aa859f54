"""Documentation that cannot drift: the CLI reference is the CLI's own --help."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_is_current() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "cli_reference.py"))
    current = (ROOT / "docs" / "cli-reference.md").read_text()
    assert current == script["render"](), "run: python scripts/cli_reference.py"


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python3 -m pip install . && kelisim up" in readme
    assert "bash scripts/test" in readme
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
