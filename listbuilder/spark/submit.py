"""The file to hand ``spark-submit``: the ``listbuilder`` command line, under Spark.

    spark-submit --master yarn "$(python -m listbuilder.spark.submit)" build LIST... --engine spark

Run as a module it prints its own path (for the command above); run as a script by
``spark-submit`` it runs ``listbuilder`` with the arguments after it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    if __spec__ is not None and __spec__.name == "listbuilder.spark.submit":  # python -m
        print(Path(__file__).resolve())
        return
    # a script's folder goes first on sys.path: this package's modules must not shadow
    # any other (nor the package be imported twice)
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != here]
    from listbuilder.cli import main as cli

    sys.argv[0] = "listbuilder"
    cli()


if __name__ == "__main__":
    main()
