"""Commands registered on the `listbuilder` group (filled in by its owner)."""

from listbuilder.cli import main  # noqa: F401
