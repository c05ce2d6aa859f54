"""Lets `python -m kelisim` behave exactly like the `kelisim` console script."""

from kelisim.cli import main

if __name__ == "__main__":  # not when a worker process (spawn) imports this module
    main()
