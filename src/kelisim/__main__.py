"""Lets `python -m kelisim` behave exactly like the `kelisim` console script."""

from kelisim.cli import main

main()
