"""The `listbuilder` command line: a thin layer over the library.

Each command lives in its own module and registers itself on ``main``. Library
errors (``ListbuilderError``) become one line on stderr and exit status 2.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from listbuilder import __version__
from listbuilder.errors import EXIT_ERROR, ListbuilderError


class _Group(click.Group):
    """A group that turns user errors into one red line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        # SIGTERM unwinds like Ctrl-C, so temporary files are removed and no
        # half-written output is left behind.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except ListbuilderError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(EXIT_ERROR)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="listbuilder")
def main() -> None:
    """Turn purchased B2B company lists into a ranked, deduplicated target list.

    Example: listbuilder build list.csv --profile filters/b2b_saas.toml --out out/
    """


# Command modules register themselves on `main` when imported.
from listbuilder.cli import (  # noqa: E402,F401
    backtest_cmds,
    build_cmd,
    dedupe_cmd,
    http_cmds,
    inspect_cmd,
    profile_cmds,
)
