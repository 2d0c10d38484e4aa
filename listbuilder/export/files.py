"""Atomic file writes, and the one formula-neutralising CSV writer every command uses.

Neutralising is one rule, applied to every text cell and every header cell of every
CSV and XLSX listbuilder writes: a cell a spreadsheet would run as a formula (it
starts with ``= + - @``, a tab or a carriage return) gets a leading ``'``. So that
the quote can be taken off again exactly (``unneutralise``, for values read back
from our own files, e.g. before a CRM push), a cell that already starts with quotes
followed by such a character gets one more quote: ``'=x`` is written ``''=x``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

# A text cell starting with one of these is read as a formula by Excel/Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^'*[=+\-@\t\r]"
_NEUTRALISED_RE = r"^'+[=+\-@\t\r]"
_FORMULA = re.compile(_FORMULA_RE)
_NEUTRALISED = re.compile(_NEUTRALISED_RE)
# Excel on Windows reads a CSV without a byte-order mark in the ANSI code page, mangling
# "Conceição", "✓" and "·"; with it, Excel, HubSpot, Salesforce, polars and pandas read UTF-8.
UTF8_BOM = b"\xef\xbb\xbf"
TMP_SUFFIX = ".tmp"


def neutralise(value: str) -> str:
    """Prefix `'` to a text cell that a spreadsheet would run as a formula."""
    return "'" + value if _FORMULA.match(value) else value


def unneutralise(value: str) -> str:
    """Undo `neutralise`: the value as it was before our writer quoted it."""
    return value[1:] if _NEUTRALISED.match(value) else value


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Neutralise every String column and every column name; numbers are left untouched."""
    exprs = [
        pl.when(pl.col(c).str.contains(_FORMULA_RE))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in df.schema.items()
        if dtype == pl.String
    ]
    out = df.with_columns(exprs) if exprs else df
    renames = {c: neutralise(c) for c in out.columns if neutralise(c) != c}
    return out.rename(renames) if renames else out


def unneutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Undo `neutralise_frame` on a frame read back from one of our files (names too)."""
    renames = {c: unneutralise(c) for c in df.columns if unneutralise(c) != c}
    df = df.rename(renames) if renames else df
    exprs = [
        pl.when(pl.col(c).str.contains(_NEUTRALISED_RE))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in df.schema.items()
        if dtype == pl.String
    ]
    return df.with_columns(exprs) if exprs else df


def flat_text(col: str, dtype: pl.DataType) -> pl.Expr:
    """A scalar-per-cell rendering of any column: lists joined with `; `, structs as JSON."""
    if isinstance(dtype, pl.List | pl.Array):
        joined = pl.col(col).list.eval(pl.element().cast(pl.String)).list.join("; ")
        return pl.when(joined != "").then(joined).otherwise(None).alias(col)
    if isinstance(dtype, pl.Struct):
        return pl.col(col).struct.json_encode()
    return pl.col(col)


_WHOLE_MAX = 1e15  # floats below this print exactly as integers


def people_numbers(df: pl.DataFrame) -> pl.DataFrame:
    """Floats as a person writes them: a whole value without `.0` (`183632000`, `100`),
    others as they are (`87.5`). Excel and every CSV reader still read them as numbers.
    Applied after neutralising: these cells are numbers, never text to neutralise."""
    exprs = []
    for name, dtype in df.schema.items():
        if dtype in (pl.Float32, pl.Float64):
            x = pl.col(name)
            whole = x.is_finite() & (x == x.round(0)) & (x.abs() < _WHOLE_MAX)
            exprs.append(
                pl.when(whole)
                .then(x.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(x.cast(pl.String))
                .alias(name)
            )
    return df.with_columns(exprs) if exprs else df


def csv_bytes(df: pl.DataFrame, *, bom: bool = True) -> bytes:
    """The CSV every command writes: lists flattened, text and header cells neutralised,
    UTF-8 (with a byte-order mark for Excel), `\\n` line endings, ISO dates, whole
    numbers without `.0` (`people_numbers`)."""
    flat = df.select(flat_text(c, t) for c, t in df.schema.items())
    text = people_numbers(neutralise_frame(flat)).write_csv(date_format="%Y-%m-%d")
    return (UTF8_BOM if bom else b"") + text.encode("utf-8")


def write_csv_file(path: str | Path, df: pl.DataFrame, *, bom: bool = True) -> Path:
    """``csv_bytes(df)`` written straight into ``path`` (a new file, e.g. in a staging
    folder): no copy of the whole text in memory, which for a million rows is ~1 GB."""
    flat = people_numbers(
        neutralise_frame(df.select(flat_text(c, t) for c, t in df.schema.items()))
    )
    with open(path, "wb") as handle:
        if bom:
            handle.write(UTF8_BOM)
        flat.write_csv(handle, date_format="%Y-%m-%d")
    return Path(path)


def write_csv_atomic(path: str | Path, df: pl.DataFrame, *, bom: bool = True) -> Path:
    """Write `df` through `csv_bytes` to `path`, atomically."""
    return write_bytes_atomic(Path(path), csv_bytes(df, bom=bom))


def _file_mode() -> int:
    """The mode a plain `open(path, "w")` would give (mkstemp makes files 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs (ours counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


def remove_orphan_tmp(folder: Path, *, name: str | None = None) -> list[Path]:
    """Remove temporary files that a killed run of ours left in `folder` (their writer's
    process id is in the name and that process is gone); only those of `name` if given."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        m = _TMP_NAME.match(path.name)
        if not m or (name is not None and m["name"] != name):
            continue
        if not pid_alive(int(m["pid"])) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Run `write(tmp)` on a temporary file next to `path`, then rename it into place.

    Whatever `write` returns (e.g. a byte count) is ignored. If `write` raises, the
    temporary file is removed and `path` is left as it was. The temporary name carries
    the process id (`.targets.csv.<pid>.<random>.tmp`), so that the next write of the
    same file removes what a run killed with SIGKILL left behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_tmp(path.parent, name=path.name)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 `text` to `path` atomically, with `\\n` line endings on every platform."""
    return write_bytes_atomic(path, text.encode("utf-8"))
