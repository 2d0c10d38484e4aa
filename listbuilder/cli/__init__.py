"""The `listbuilder` command line: a thin layer over the library.

Each command lives in its own module and registers itself on ``main``. Library
errors (``ListbuilderError``) become one line on stderr and exit status 2 (a
``ProfileError`` one line per problem).

The last line of defence: an operating-system error that escaped the library
(a file that cannot be read or written) becomes one line naming the file, exit 2;
any other exception is a bug and becomes one line ``internal error: ... — please
report`` with exit status 70, never a traceback. ``--debug`` (or the environment
variable ``LISTBUILDER_DEBUG=1``, which the test suite sets) lets it propagate
with its traceback instead.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from listbuilder import __version__
from listbuilder.errors import EXIT_ERROR, EXIT_INTERNAL, ListbuilderError, ProfileError


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
            from listbuilder.cli.terminal import visible

            click.secho(f"Error: {visible(_message(exc))}", fg="red", err=True)
            sys.exit(EXIT_ERROR)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug") or os.environ.get("LISTBUILDER_DEBUG", "") not in ("", "0"):
                raise
            from listbuilder.cli.terminal import visible

            if isinstance(exc, OSError) and exc.filename is not None:
                click.secho(f"Error: {visible(_os_error(exc))}", fg="red", err=True)
                sys.exit(EXIT_ERROR)
            line = f"internal error: {visible(_one_line(exc))} — please report"
            click.secho(line, fg="red", err=True)
            sys.exit(EXIT_INTERNAL)


def _message(exc: ListbuilderError) -> str:
    """A profile's problems one per line (by design); any other error on one line, even
    when a message it wraps (a polars or OS error) spans several."""
    if isinstance(exc, ProfileError):
        return str(exc)
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def _one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _os_error(exc: OSError) -> str:
    """`path: cause` for an error the operating system raised on a file."""
    return f"{exc.filename}: {exc.strerror or _one_line(exc)}"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="listbuilder")
@click.option(
    "--debug",
    is_flag=True,
    help="On an internal error, show the Python traceback instead of one line.",
)
def main(debug: bool) -> None:  # noqa: FBT001 (click passes options by keyword)
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
    lookalike_cmd,
    profile_cmds,
)
