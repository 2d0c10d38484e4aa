"""Read any tabular export into all-String columns plus the line each record starts on.

Format: `format=` if given, else the file's magic bytes (gzip is unwrapped first,
within a bound on its expansion, so a gzip bomb is refused rather than exhausting memory;
`PK` is XLSX, `PAR1` Parquet, OLE2 legacy XLS), else the extension (`.json`,
`.ndjson`/`.jsonl`), else the first character (`[` JSON, `{` NDJSON), else
delimited text with the delimiter sniffed from `, ; TAB |`.

Encoding of text: `encoding=` if given, else a BOM (UTF-8, UTF-16), else strict
UTF-8, else Windows-1252, else Latin-1. The BOM never reaches the first header.

Lines (`line`, 1-based, header = 1): CSV counts physical lines, so a record
after a quoted field with embedded newlines gets the line it starts on; blank
lines are skipped (and counted in the notes) without shifting later numbers.
XLSX: the sheet row (only the first sheet is read; its header is row 1). JSON,
NDJSON and Parquet: the record's index + 1. Non-text values in XLSX, JSON and
Parquet are turned into text (lists joined with `; `, structs as JSON) so the
value parsers see one kind of input.

Line terminators: `\n`, `\r\n` and lone `\r` (old Mac and Excel exports) each end a
record, also mixed in one file; a lone `\r` inside a quoted field becomes `\n`.

Ragged CSV rows: a row with fewer fields than the header is padded with nulls
(no value is lost; polars cannot tell a short row from trailing empty fields);
a row with more non-empty fields than the header is rejected with the reason
``ragged row: 15 fields, header has 13`` and the raw record as detail. Extra
fields that are all empty (a trailing comma) are harmless and ignored. Only the
first three fields past the header are inspected: a row whose first three
extra fields are empty but a later one is not is not detected.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from listbuilder.errors import InputError
from listbuilder.schema import REJECT_SCHEMA

FORMATS: tuple[str, ...] = ("csv", "tsv", "xlsx", "parquet", "json", "ndjson")
_DELIMITERS = (",", ";", "\t", "|")
_EXTRA_FIELDS = 3  # columns read beyond the header to detect (and measure) long rows
_SAMPLE = 1 << 16
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x7fELF", b"MZ", b"BM")
_EXPORT_HINT = "export the list as CSV, XLSX, Parquet or JSON"
# Vendor exports carry tens of columns, CRM exports a few hundred custom fields at most.
MAX_COLUMNS = 1_000
# Bound on gzip expansion: a real list compresses 3-20x; a bomb 1000x and more.
_GUNZIP_RATIO = 100
_GUNZIP_FLOOR = 256 << 20  # small files may expand to this whatever their ratio
_GUNZIP_MAX = 4 << 30


@dataclass
class RawTable:
    """A file read as text: `frame` has `line` (Int64) then one String column per header."""

    frame: pl.DataFrame
    path: str
    format: str
    encoding: str | None
    delimiter: str | None = None
    compression: str | None = None
    headers: list[str] = field(default_factory=list)
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    notes: list[str] = field(default_factory=list)
    # The rejected rows' first fields under their headers (`line` + headers), for callers
    # that want to name the company in the reject.
    rejected_rows: pl.DataFrame | None = None


def read_raw(
    path: str | Path, *, format: str | None = None, encoding: str | None = None
) -> RawTable:
    """Read a CSV/TSV/XLSX/Parquet/JSON/NDJSON file as all-String columns plus `line`.

    Raises InputError (one line, naming the file and the fix) when it cannot be read.
    """
    source = str(path)
    if format is not None and format.lower() not in FORMATS:
        raise InputError(f"--format {format!r}: unknown format; use one of {', '.join(FORMATS)}")
    fmt = format.lower() if format else None
    file = Path(path)
    if not file.exists():
        raise InputError(f"{source}: no such file")
    if file.is_dir():
        raise InputError(f"{source}: is a directory, not a file; give the path of the list")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if _is_blank(data):
        raise InputError(f"{source}: empty file; export the list with a header row")
    compression = None
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, source)
        compression = "gzip"
        if _is_blank(data):
            raise InputError(f"{source}: empty file; export the list with a header row")
    fmt = fmt or _sniff_binary_format(data)
    if fmt == "xlsx":
        table = _read_excel(data, source)
    elif fmt == "parquet":
        table = _read_parquet(data, source)
    else:
        text_encoding, payload, sample = _decode(data, source, encoding, lazy=True)
        fmt = fmt or _sniff_text_format(file, sample)
        if fmt in ("json", "ndjson"):
            if text_encoding in _UNVALIDATED:
                text_encoding, payload, sample = _decode(data, source, encoding)
            table = _read_json(payload, source, fmt)
        else:
            try:
                table = _read_delimited(payload, sample, source, tab=fmt == "tsv")
            except _NotUtf8:
                text_encoding, payload, sample = _decode(data, source, encoding)
                table = _read_delimited(payload, sample, source, tab=fmt == "tsv")
        table.encoding = text_encoding
    table.compression = compression
    _check_width(len(table.headers), source)
    return table


def _check_width(columns: int, source: str) -> None:
    if columns > MAX_COLUMNS:
        raise InputError(
            f"{source}: {columns:,} columns, more than any company list (the limit is "
            f"{MAX_COLUMNS:,}); export only the columns you need"
        )


def _gunzip(data: bytes, source: str) -> bytes:
    """Decompress, reading at most the expansion bound: a gzip bomb is refused, not expanded."""
    limit = min(_GUNZIP_MAX, max(_GUNZIP_FLOOR, len(data) * _GUNZIP_RATIO))
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{source}: damaged gzip file ({exc}); compress it again") from None
    if len(out) > limit:
        raise InputError(
            f"{source}: expands past {limit >> 20} MiB ({len(data):,} bytes compressed), more "
            "than any real list; refused as a possible gzip bomb (decompress it yourself if "
            "it is real)"
        )
    return out


def _is_blank(data: bytes) -> bool:
    return not data[:_SAMPLE].strip() and not data.strip()


def _sniff_binary_format(data: bytes) -> str | None:
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return True
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return control > len(head) // 20


_UNVALIDATED = ("utf-8", "utf-8-sig")


class _NotUtf8(Exception):
    """polars found invalid UTF-8 in a payload `_decode` did not fully validate."""


def _decode(
    data: bytes, source: str, encoding: str | None, *, lazy: bool = False
) -> tuple[str, bytes, str]:
    """Return (encoding name, UTF-8 payload without BOM, decoded sample).

    `lazy`: when the first 64 KiB are valid UTF-8, skip validating the rest here and let
    polars do it while parsing (it raises, and the caller retries with `lazy=False`).
    """
    if _looks_binary(data[:8192]):
        raise InputError(f"{source}: not a text file (looks binary); {_EXPORT_HINT}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(
                f"--encoding {encoding!r}: unknown encoding; use e.g. utf-8, cp1252 or latin-1"
            ) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{source}: not valid {encoding} (byte {exc.start}); try --encoding cp1252"
            ) from None
        text = text.removeprefix("\ufeff")
        return encoding, text.encode("utf-8"), text[:_SAMPLE]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise InputError(
                f"{source}: not valid UTF-16 despite its byte-order mark; save it as UTF-8 CSV"
            ) from None
        return "utf-16", text.encode("utf-8"), text[:_SAMPLE]
    body, name = data, "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        body, name = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    if lazy and len(body) > _SAMPLE:
        head = body[:_SAMPLE].decode("utf-8", errors="replace")
        if "\ufffd" not in head[:-3]:  # the cut may split one multi-byte character
            return name, body, body[:_SAMPLE].decode("utf-8", errors="ignore")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return name, body, body[:_SAMPLE].decode("utf-8", errors="ignore")
    for fallback in ("cp1252", "latin-1"):
        try:
            text = body.decode(fallback)
        except UnicodeDecodeError:
            continue
        return fallback, text.encode("utf-8"), text[:_SAMPLE]
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


def _sniff_text_format(file: Path, sample: str) -> str:
    suffixes = [s.lower() for s in file.suffixes]
    if ".json" in suffixes:
        return "json"
    if ".ndjson" in suffixes or ".jsonl" in suffixes:
        return "ndjson"
    if ".tsv" in suffixes or ".tab" in suffixes:
        return "tsv"
    start = sample.lstrip()[:1]
    if start == "[":
        return "json"
    if start == "{":
        return "ndjson"
    return "csv"


def _sniff_delimiter(sample: str) -> str:
    """The candidate that splits the first records into the most consistent >1 fields."""
    lines = sample.splitlines()
    if len(sample) >= _SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    text = "\n".join(lines[:50])
    best, best_key = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            continue
        rows = [row for row in rows if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(row) == width for row in rows) / len(rows)
        key = (consistency, width)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _unique_headers(names: list[str]) -> list[str]:
    """Blank headers become `column_<n>`, repeats get `_2`, `_3`; `line` is reserved
    (`input_line`). Any BOM is dropped, not only one at the very start."""
    out: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(names):
        name = (raw or "").replace("\ufeff", "").strip() or f"column_{index + 1}"
        if name == "line":
            name = "input_line"
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name}_{n}", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _read_delimited(payload: bytes, sample: str, source: str, *, tab: bool) -> RawTable:
    if b"\r" in payload and payload.count(b"\r") != payload.count(b"\r\n"):
        # Lone carriage returns (classic Mac / Excel line endings, alone or mixed with \n):
        # each ends a record, or two records would merge into one ragged row.
        payload = payload.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        sample = sample.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = "\t" if tab else _sniff_delimiter(sample)
    headers, header_lines = _read_header(sample, delimiter, source)
    width = len(headers)
    names = [f"_c{i}" for i in range(width + _EXTRA_FIELDS)]
    frame = _parse_records(payload, delimiter, names, source)
    line = _record_lines(payload, frame, names, header_lines)
    notes: list[str] = []
    blank = frame.select(pl.all_horizontal(pl.col(n).is_null() for n in names)).to_series()
    if blank.any():
        notes.append(f"{blank.sum()} blank line(s) skipped")
        frame, line = frame.filter(~blank), line.filter(~blank)
    frame, line, rejects, rejected_rows = _split_long_rows(
        frame, line, names, headers, delimiter, source
    )
    if rejected_rows is not None:
        notes.append(f"{rejected_rows.height} ragged row(s) with extra fields rejected")
    frame = frame.select(
        pl.col(n).alias(h) for n, h in zip(names, headers, strict=False)
    ).insert_column(0, line)
    fmt = "tsv" if delimiter == "\t" else "csv"
    return RawTable(
        frame=frame,
        path=source,
        format=fmt,
        encoding=None,
        delimiter=delimiter,
        headers=headers,
        rejects=rejects,
        notes=notes,
        rejected_rows=rejected_rows,
    )


def _read_header(sample: str, delimiter: str, source: str) -> tuple[list[str], int]:
    """The header row's unique names and the physical lines it spans (quoted newlines)."""
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(f"{source}: cannot read the header row ({exc}); check the file") from None
    if not any(cell.strip() for cell in header):
        raise InputError(f"{source}: the first line is empty; put the header row on line 1")
    headers = _unique_headers(header)
    _check_width(len(headers), source)
    return headers, 1 + sum(cell.count("\n") for cell in header)


def _parse_records(payload: bytes, delimiter: str, names: list[str], source: str) -> pl.DataFrame:
    """The records under the header as String columns ``names`` (the header's width plus
    ``_EXTRA_FIELDS``: short rows padded, longer ones cut). Raises ``_NotUtf8`` for a
    payload that is not UTF-8 after all."""
    try:
        return pl.read_csv(
            payload,
            has_header=False,
            separator=delimiter,
            schema={name: pl.String for name in names},
            missing_columns="insert",
            truncate_ragged_lines=True,
            infer_schema=False,
            raise_if_empty=False,
        ).slice(1)
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().splitlines()[0]
        if "utf-8" in reason.lower() or "utf8" in reason.lower():
            raise _NotUtf8 from None
        raise InputError(
            f"{source}: cannot parse as delimited text ({reason}); check the file or pass --format"
        ) from None


def _record_lines(
    payload: bytes, frame: pl.DataFrame, names: list[str], header_lines: int
) -> pl.Series:
    """The physical line each record starts on (records spanning several lines push later
    records down: their embedded newlines are counted)."""
    # `line` stays a separate Series until the end: adding it to the many-chunk frame
    # early would force a costly rechunk of every column.
    if payload.count(b"\n") > frame.height + header_lines:
        spans = frame.select(
            pl.sum_horizontal(
                pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names
            )
        ).to_series()
        line = (spans + 1).cum_sum() - (spans + 1) + header_lines + 1
    else:
        line = pl.int_range(header_lines + 1, frame.height + header_lines + 1, eager=True)
    return line.cast(pl.Int64).alias("line")


def _split_long_rows(
    frame: pl.DataFrame,
    line: pl.Series,
    names: list[str],
    headers: list[str],
    delimiter: str,
    source: str,
) -> tuple[pl.DataFrame, pl.Series, pl.DataFrame, pl.DataFrame | None]:
    """Rows with a non-empty field past the header taken out: (rows kept, their lines,
    the rejects ``ragged row: N fields, header has M``, the rejected rows under their
    headers, or None when there were none)."""
    width = len(headers)
    extras = names[width:]
    if sum(frame.select(pl.col(extras).null_count()).row(0)) >= frame.height * len(extras):
        return frame, line, pl.DataFrame(schema=REJECT_SCHEMA), None
    is_long = frame.select(pl.any_horizontal(pl.col(n).is_not_null() for n in extras)).to_series()
    long_rows = (
        frame.filter(is_long)
        .with_columns(
            pl.max_horizontal(
                pl.when(pl.col(n).is_not_null()).then(width + i + 1) for i, n in enumerate(extras)
            ).alias("_fields")
        )
        .insert_column(0, line.filter(is_long))
    )
    rejected_rows = long_rows.select(
        "line", *(pl.col(n).alias(h) for n, h in zip(names, headers, strict=False))
    )
    at_least = pl.when(pl.col("_fields") == width + _EXTRA_FIELDS).then(pl.lit("at least "))
    rejects = long_rows.select(
        pl.lit(source).alias("source"),
        pl.col("line"),
        pl.lit("ingest").alias("stage"),
        pl.format(
            "ragged row: {}{} fields, header has {}",
            at_least.otherwise(pl.lit("")),
            pl.col("_fields"),
            pl.lit(width),
        ).alias("reason"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.String).alias("domain"),
        pl.concat_str([pl.col(n).fill_null("") for n in names], separator=delimiter)
        .str.strip_chars_end(delimiter)
        .alias("detail"),
    )
    return frame.filter(~is_long), line.filter(~is_long), rejects, rejected_rows


def _stringify(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as String: lists joined with `; `, structs as JSON, dates ISO."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(col)
        elif isinstance(dtype, pl.List | pl.Array):
            inner = col.cast(pl.List(dtype.inner)) if isinstance(dtype, pl.Array) else col
            exprs.append(inner.list.eval(pl.element().cast(pl.String)).list.join("; ").alias(name))
        elif isinstance(dtype, pl.Struct):
            exprs.append(col.struct.json_encode())
        elif dtype == pl.Null:
            exprs.append(col.cast(pl.String))
        else:
            exprs.append(col.cast(pl.String, strict=False))
    try:
        return frame.select(exprs)
    except pl.exceptions.PolarsError:
        return frame.select(pl.col(c).cast(pl.String, strict=False) for c in frame.columns)


def _finish(frame: pl.DataFrame, source: str, fmt: str, *, first_line: int) -> RawTable:
    frame = _stringify(frame)
    headers = _unique_headers(["" if c.startswith("__UNNAMED__") else c for c in frame.columns])
    frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    frame = frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("line")
    ).select("line", *headers)
    notes = []
    if headers:
        blank = pl.all_horizontal(
            pl.col(h).is_null() | (pl.col(h).str.strip_chars() == "") for h in headers
        )
        blanks = frame.select(blank.sum()).item()
        if blanks:
            notes.append(f"{blanks} blank row(s) skipped")
            frame = frame.filter(~blank)
    return RawTable(
        frame=frame, path=source, format=fmt, encoding=None, headers=headers, notes=notes
    )


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _read_excel(data: bytes, source: str) -> RawTable:
    try:
        frame = pl.read_excel(
            data,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # fastexcel raises its own exception types
        raise InputError(
            f"{source}: cannot read as XLSX ({_first_line(exc)}); {_EXPORT_HINT}"
        ) from None
    assert isinstance(frame, pl.DataFrame)
    return _finish(frame, source, "xlsx", first_line=2)


def _read_parquet(data: bytes, source: str) -> RawTable:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise InputError(
            f"{source}: cannot read as Parquet ({_first_line(exc)}); {_EXPORT_HINT}"
        ) from None
    return _finish(frame, source, "parquet", first_line=1)


def _read_json(payload: bytes, source: str, fmt: str) -> RawTable:
    try:
        if fmt == "json":
            frame = pl.read_json(payload, infer_schema_length=None)
        else:
            frame = pl.read_ndjson(payload, infer_schema_length=None)
    except Exception as exc:
        expect = "an array of objects" if fmt == "json" else "one JSON object per line"
        raise InputError(
            f"{source}: cannot read as {fmt.upper()} ({_first_line(exc)}); expected {expect}"
        ) from None
    return _finish(frame, source, fmt, first_line=1)
