"""The command line: `kelisim up` first, then the depositary's, ledger and account commands."""

from __future__ import annotations

import sys

# the modules imported for their side effect: they register their commands
from kelisim.cli import accounts, certification, depositary, exchange, system  # noqa: F401
from kelisim.cli.base import app, err
from kelisim.domain.errors import KelisimError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning refusals into one line on stderr and exit status 1."""
    try:
        app()
    except KelisimError as error:
        article = f" ({error.article})" if error.article else ""
        err.print(f"error: {error.reason}{article}", highlight=False, markup=False)
        sys.exit(1)
