"""The command line: `kelisim up` first, then the depositary's, ledger and account commands."""

from __future__ import annotations

import sys

# the modules imported for their side effect: they register their commands
from kelisim.cli import (  # noqa: F401
    accounts,
    amendments,
    attack,
    backup,
    certification,
    depositary,
    exchange,
    export,
    federation,
    gatherings,
    imports,
    subscriptions,
    system,
    treaties,
    workspace,
    workspace_contacts,
    workspace_disputes,
    workspace_documents,
)
from kelisim.cli.base import app, err, error_line

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning every known mistake and refusal into one line on
    stderr (`error: what — how to fix it`) and exit status 1; never a stack trace for those."""
    try:
        app()
    except Exception as error:
        line = error_line(error)
        if line is None:
            raise
        err.print(line, highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
