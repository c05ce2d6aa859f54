"""Write docs/cli-reference.md from the CLI's own --help, so the reference cannot drift.

Run `python scripts/cli_reference.py` after changing a command; tests/unit/test_docs.py fails
when the committed file differs from what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main
from click.testing import CliRunner

from kelisim.cli import app

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli-reference.md"
HEADER = ("# CLI reference\n\nGenerated from `kelisim --help` by `scripts/cli_reference.py`; "
          "do not edit by hand.\n")


def commands(group: Any, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    for name in sorted(group.commands):
        command = group.commands[name]
        if hasattr(command, "commands"):
            found.extend(commands(command, [*prefix, name]))
        else:
            found.append([*prefix, name])
    return found


def render() -> str:
    """Every command's help, from one click tree built once (typer rebuilds it per invoke)."""
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path in commands(root, []):
        result = runner.invoke(root, [*path, "--help"], prog_name="kelisim",
                               env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
        title = " ".join(["kelisim", *path])
        body = "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())
        parts.append(f"\n## `{title}`\n\n```text\n{body}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.read_text() == text else 1)
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
