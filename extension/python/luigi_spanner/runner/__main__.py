"""``python -m luigi_spanner.runner``: see the package docstring."""

from .cli import run

if __name__ == "__main__":
    run()
