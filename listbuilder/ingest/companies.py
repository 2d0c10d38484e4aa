"""read_companies: vendor files in, one frame in the canonical schema out.

Each file is read with `read_raw`, its headers mapped with `map_headers`, and
every mapped column parsed with the expressions of `values` (on the column's
unique values, joined back, so a 1M-row list costs as much as its distinct
values). Parse statistics per column land in a `FileReport`; values that did
not parse are kept in the lineage column `unparsed` as `field=raw` pairs.

Folding rules: `employees` is the exact count, else the parsed
`employees_range` (`employees_min` / `employees_max` keep the band of whichever
value was used, null for an exact count); `revenue` likewise with `revenue_range`. A `location`
column (`San Francisco, California, United States`; the first of several
`;`-separated locations) fills `city`, `state` and `country` where the file
has no column of their own. Money columns honour the header's units
(`(in 000s USD)` multiplies by 1000). US postal codes that lost their leading
zero in Excel (`2134`) are padded back to five digits.

Unmapped columns pass through under their header. A header that would collide
with a column listbuilder adds itself (lineage, canonical and derived columns, and
every column a later stage writes: `cluster_id`, `score`, `rank`, `priority`...,
see ``RESERVED_COLUMNS``), or that starts with `_` (the stages' scratch columns),
is renamed `input_<header>`, and the report says so: re-reading our own
`companies.csv` or `targets.csv` works, and no input value can pose as ours.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from listbuilder.errors import InputError
from listbuilder.ingest import values as V
from listbuilder.ingest.aliases import (
    COMPANY_ALIASES,
    ColumnMatch,
    header_units,
    map_headers,
    parse_column_map,
)
from listbuilder.ingest.readers import RawTable, read_raw
from listbuilder.schema import (
    COMPANY_SCHEMA,
    DERIVED_SCHEMA,
    LINEAGE_SCHEMA,
    REJECT_SCHEMA,
)

# Columns the stages after ingest add (dedupe, suppress, quality, score, signals, rank,
# assign, rejects): an input column of one of these names would collide with ours.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "cluster_id",
    "duplicate_count",
    "source_rows",
    "crm_possible_match",
    "quality",
    "fit_score",
    "signal_score",
    "score",
    "confidence",
    "fit_tier",
    "fit_unknown",
    "fit_reachable",
    "best_confidence",
    "breakdown",
    "tier",
    "timing_tier",
    "priority",
    "profile",
    "why",
    "why_now",
    "derived",
    "signals",
    "last_signal_date",
    "rank",
    "owner",
    "stage",
    "reason",
    "detail",
)
RESERVED_COLUMNS: frozenset[str] = frozenset(
    {*LINEAGE_SCHEMA, *COMPANY_SCHEMA, *DERIVED_SCHEMA, *OUTPUT_COLUMNS}
)
# Per-criterion and per-profile output columns: `pts: <criterion>`, `fit_score__<slug>`.
_RESERVED_PREFIXES = ("_", "pts:", "fit_score__", "signal_score__", "tier__", "score__")
Parser = Callable[[pl.Expr], pl.Expr]


@dataclass
class FieldStats:
    """Parse outcome of one mapped column."""

    header: str
    field: str
    filled: int  # non-blank cells
    parsed: int
    placeholders: int
    unparsed: int
    # up to 3 raw values that did not parse
    examples: list[str] = dataclasses.field(default_factory=list)

    @property
    def parse_rate(self) -> float | None:
        """Share of real (non-placeholder) values that parsed, or None when there were none."""
        total = self.parsed + self.unparsed
        return self.parsed / total if total else None


@dataclass
class FileReport:
    """What ingest understood of one file: format, encoding, mapping and parse stats."""

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    compression: str | None
    rows: int  # rows kept (rejected rows not included)
    rejected: int
    mapping: list[ColumnMatch]
    fields: list[FieldStats]
    notes: list[str] = dataclasses.field(default_factory=list)
    # passthrough header -> the column it was renamed to (it collided with one of ours)
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def placeholders(self) -> int:
        """Placeholders and Excel errors nulled across all mapped columns."""
        return sum(stats.placeholders for stats in self.fields)


@dataclass
class Ingested:
    """Result of read_companies: canonical rows, ingest rejects, one report per file."""

    companies: pl.DataFrame
    rejects: pl.DataFrame
    reports: list[FileReport]


def _money(header: str) -> Parser:
    scale, currency = header_units(header)
    return lambda e: V.parse_money(e, scale=scale, currency=currency)


def _parser(target: str, header: str) -> Parser | None:
    """The parser of a field; None for free text (cleaned only, never 'unparsed')."""
    simple: dict[str, Parser] = {
        "employees": V.parse_employees,
        "employees_range": V.parse_employees,
        "locations": V.parse_employees,  # a count, written like one ("12", "1,200", "10+")
        "founded_year": V.parse_year,
        "funding_stage": V.parse_funding_stage,
        "last_funding_date": V.parse_date,
        "technologies": V.parse_list,
        "departments": V.parse_list,
        "sic": V.parse_code,
        "naics": V.parse_code,
        "country": V.parse_country,
        "location": V.parse_location,
    }
    if target in ("revenue", "revenue_range", "total_funding"):
        return _money(header)
    return simple.get(target)


def _check_overrides(overrides: dict[str, str | None], tables: list[RawTable]) -> None:
    present = {h for table in tables for h in table.headers}
    missing = [h for h in overrides if h not in present]
    if missing:
        header = missing[0]
        files = ", ".join(t.path for t in tables)
        headers = ", ".join(dict.fromkeys(h for t in tables for h in t.headers))
        raise InputError(
            f"--map '{header}={overrides[header] or '-'}': no column {header!r} in {files} "
            f"(headers: {headers}); copy the header exactly"
        )


def _ingest_one(
    table: RawTable, overrides: dict[str, str | None]
) -> tuple[pl.DataFrame, FileReport]:
    frame = table.frame
    matches = _map_table(table, overrides)
    by_field = {m.field: m.header for m in matches if m.field}
    parsed, stats, unparsed = _parse_columns(frame, [m for m in matches if m.field])
    columns = _canonical_columns(frame, by_field, parsed)
    out = _canonical_frame(frame, columns, unparsed, table.path)
    mapped = {m.header for m in matches if m.field}
    out, renamed = _add_passthrough(out, frame, [h for h in table.headers if h not in mapped])
    report = FileReport(
        path=table.path,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        compression=table.compression,
        rows=out.height,
        rejected=table.rejects.height,
        mapping=matches,
        fields=stats,
        notes=_file_notes(table, matches, renamed),
        renamed=renamed,
    )
    return out, report


def _map_table(table: RawTable, overrides: dict[str, str | None]) -> list[ColumnMatch]:
    """The file's header mapping; refused when nothing names the company."""
    own = {h: f for h, f in overrides.items() if h in table.headers}
    matches = map_headers(table.headers, COMPANY_ALIASES, overrides=own)
    fields = {m.field for m in matches if m.field}
    if "name" not in fields and "website" not in fields:
        raise InputError(
            f"{table.path}: no column for the company name or website "
            f"(headers: {', '.join(table.headers)}); use --map 'Header=name'"
        )
    return matches


def _parse_columns(
    frame: pl.DataFrame, mapped: list[ColumnMatch]
) -> tuple[dict[str, pl.Series], list[FieldStats], pl.Series]:
    """Every mapped column parsed: header -> values, their stats, and the lineage column
    `unparsed` (`field=raw` pairs joined with `; `, "" where every value parsed)."""

    def process(m: ColumnMatch) -> tuple[pl.Series, FieldStats, pl.Series | None]:
        assert m.field is not None
        parser = _parser(m.field, m.header)
        if parser is None:
            return (*_text_column(frame, m.header, m.field), None)
        return _parsed_column(frame[m.header], m.field, parser)

    # Columns are independent and polars releases the GIL: parse them side by side.
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        results = list(pool.map(process, mapped))
    parsed = {m.header: values for m, (values, _, _) in zip(mapped, results, strict=True)}
    stats = [field_stats for _, field_stats, _ in results]
    unparsed_parts = [
        pl.when(pl.col(m.header).is_in(bad.implode())).then(
            pl.format(f"{m.field}={{}}", pl.col(m.header))
        )
        for m, (_, _, bad) in zip(mapped, results, strict=True)
        if bad is not None and len(bad)
    ]
    unparsed = (
        frame.select(pl.concat_str(unparsed_parts, separator="; ", ignore_nulls=True)).to_series()
        if unparsed_parts
        else pl.Series([None] * frame.height, dtype=pl.String)
    )
    return parsed, stats, unparsed


def _canonical_columns(
    frame: pl.DataFrame, by_field: dict[str, str], parsed: dict[str, pl.Series]
) -> dict[str, pl.Series | None]:
    """Canonical field -> its values (None: no column), with the folding rules applied
    (employee and revenue ranges, the employee band, the parts of a `location`)."""

    def col(target: str) -> pl.Series | None:
        header = by_field.get(target)
        return parsed.get(header) if header else None

    def loc(part: str) -> pl.Series | None:
        header = by_field.get("location")
        return parsed[header].struct.field(part) if header else None

    columns: dict[str, pl.Series | None] = {target: col(target) for target in COMPANY_SCHEMA}
    bounds = _employee_bounds(frame, by_field, columns["employees"])
    columns["employees_min"] = None if bounds is None else bounds.struct.field("min")
    columns["employees_max"] = None if bounds is None else bounds.struct.field("max")
    for target, helper in (("employees", "employees_range"), ("revenue", "revenue_range")):
        columns[target] = _coalesce(columns[target], col(helper))
    for part in ("city", "state", "country"):
        columns[part] = _coalesce(columns[part], loc(part))
    return columns


def _employee_bounds(
    frame: pl.DataFrame, by_field: dict[str, str], employees: pl.Series | None
) -> pl.Series | None:
    """The band behind the employee value, from whichever column supplied it (an exact
    count in `employees` wins over `employees_range`, so its bounds stay null)."""
    bounds = None
    for source in ("employees", "employees_range"):
        header = by_field.get(source)
        if header is None:
            continue
        these = frame.select(V.parse_employee_bounds(pl.col(header))).to_series()
        if bounds is None:
            bounds = these
        else:
            bounds = pl.select(
                pl.when(pl.lit(employees).is_null()).then(pl.lit(these)).otherwise(pl.lit(bounds))
            ).to_series()
    return bounds


def _canonical_frame(
    frame: pl.DataFrame, columns: dict[str, pl.Series | None], unparsed: pl.Series, path: str
) -> pl.DataFrame:
    """Lineage then canonical columns in schema order: state codes for US/CA, US postal
    codes padded back to five digits."""
    out = pl.DataFrame({"line": frame["line"]}).hstack(
        [
            pl.repeat(None, frame.height, dtype=dtype, eager=True).alias(t)
            if columns[t] is None
            else columns[t].alias(t)  # type: ignore[union-attr]
            for t, dtype in COMPANY_SCHEMA.items()
        ]
    )
    state_codes = V.map_unique(
        out["state"], lambda uniques: uniques.select(V.parse_state(pl.col("v"))).to_series()
    )
    out = out.with_columns(
        state=pl.when(pl.col("country").is_null() | pl.col("country").is_in(["US", "CA"]))
        .then(pl.lit(state_codes))
        .otherwise(pl.col("state")),
        postal_code=pl.when(
            (pl.col("country") == "US") & pl.col("postal_code").str.contains(r"^\d{3,4}$")
        )
        .then(pl.col("postal_code").str.zfill(5))
        .otherwise(pl.col("postal_code")),
    )
    out = out.with_columns(
        row_id=pl.lit(0, pl.Int64),
        source=pl.lit(path),
        unparsed=pl.when(unparsed != "").then(pl.lit(unparsed)),
    )
    return out.select(
        [pl.col(c).cast(d) for c, d in LINEAGE_SCHEMA.items()]
        + [pl.col(c).cast(d) for c, d in COMPANY_SCHEMA.items()]
    )


def _add_passthrough(
    out: pl.DataFrame, frame: pl.DataFrame, passthrough: list[str]
) -> tuple[pl.DataFrame, dict[str, str]]:
    """``out`` with the unmapped columns, and those renamed for colliding with ours."""
    names = passthrough_names(passthrough)
    if passthrough:
        out = out.with_columns(frame.select(pl.col(h).alias(names[h]) for h in passthrough))
    return out, {h: c for h, c in names.items() if h != c}


def _file_notes(table: RawTable, matches: list[ColumnMatch], renamed: dict[str, str]) -> list[str]:
    """The reader's notes, then renamed columns and money columns scaled by their header."""
    notes = list(table.notes)
    if renamed:
        shown = ", ".join(f"{h!r} -> {c!r}" for h, c in list(renamed.items())[:8])
        more = f" and {len(renamed) - 8} more" if len(renamed) > 8 else ""
        notes.append(f"columns named like listbuilder's own renamed: {shown}{more}")
    for m in matches:
        if m.field in ("revenue", "revenue_range", "total_funding"):
            scale, _ = header_units(m.header)
            if scale != 1:
                notes.append(f"{m.header}: values without a unit multiplied by {scale:g}")
    return notes


def is_reserved(header: str) -> bool:
    """True for a header that names one of listbuilder's own columns (see the module doc)."""
    return header in RESERVED_COLUMNS or header.startswith(_RESERVED_PREFIXES)


def passthrough_names(headers: Sequence[str]) -> dict[str, str]:
    """Header -> output column for unmapped headers: `input_<header>` for a reserved name,
    made unique against the other headers (`input_score_2` if `input_score` is taken)."""
    taken = set(headers)
    names: dict[str, str] = {}
    for header in headers:
        name = header
        if is_reserved(header):
            base = name = f"input_{header}"
            n = 2
            while name in taken or is_reserved(name):
                name, n = f"{base}_{n}", n + 1
            taken.add(name)
        names[header] = name
    return names


def _text_column(frame: pl.DataFrame, header: str, target: str) -> tuple[pl.Series, FieldStats]:
    """Free text: trimmed, blanks and placeholders nulled; never 'unparsed'."""
    raw = frame[header]
    value = frame.select(V.clean_text(pl.col(header))).to_series()
    nulled = raw.filter(value.is_null() & raw.is_not_null())
    blank = int((nulled.str.strip_chars() == "").sum())
    filled = len(raw) - raw.null_count() - blank
    kept = len(value) - value.null_count()
    return value, FieldStats(header, target, filled, kept, filled - kept, 0)


def _parsed_column(
    raw: pl.Series, target: str, parser: Parser
) -> tuple[pl.Series, FieldStats, pl.Series]:
    """Parse a column on its distinct values; stats weighted by counts; the unparsed values."""
    counts = raw.rename("raw").value_counts(name="len").filter(pl.col("raw").is_not_null())
    values = counts.select(parser(pl.col("raw"))).to_series()
    if isinstance(values.dtype, pl.Struct):  # location: usable when it gave a city or country
        ok = (
            values.struct.field("city").is_not_null() | values.struct.field("country").is_not_null()
        )
    else:
        ok = values.is_not_null()
    counts = counts.with_columns(
        ok=ok,
        filled=pl.col("raw").str.strip_chars() != "",
    ).with_columns(placeholder=pl.col("filled") & V.is_placeholder(pl.col("raw")))
    bad = pl.col("filled") & ~pl.col("placeholder") & ~pl.col("ok")
    totals = counts.select(
        filled=pl.col("len").filter(pl.col("filled")).sum(),
        placeholders=pl.col("len").filter(pl.col("placeholder")).sum(),
        parsed=pl.col("len").filter(pl.col("ok")).sum(),
        unparsed=pl.col("len").filter(bad).sum(),
    ).row(0, named=True)
    bad_values = counts.filter(bad)["raw"]
    examples: list[str] = []
    if len(bad_values):
        examples = (
            raw.filter(raw.is_in(bad_values.implode()))
            .unique(maintain_order=True)
            .head(3)
            .to_list()
        )
    index = raw.replace_strict(
        counts["raw"], pl.int_range(counts.height, dtype=pl.UInt32, eager=True), default=None
    )
    stats = FieldStats(
        raw.name,
        target,
        totals["filled"],
        totals["parsed"],
        totals["placeholders"],
        totals["unparsed"],
        examples,
    )
    return values.gather(index).rename(raw.name), stats, bad_values


def _coalesce(first: pl.Series | None, second: pl.Series | None) -> pl.Series | None:
    if first is None or second is None:
        return first if second is None else second
    return pl.select(pl.coalesce(pl.lit(first), pl.lit(second))).to_series()


def _named_rejects(table: RawTable, report: FileReport) -> pl.DataFrame:
    """The reader's rejects with `name` filled from the column mapped to the name."""
    header = next((m.header for m in report.mapping if m.field == "name"), None)
    rows = table.rejected_rows
    if header is None or rows is None or table.rejects.height == 0:
        return table.rejects
    names = rows.select("line", pl.col(header).str.strip_chars().alias("_name"))
    return (
        table.rejects.join(names, on="line", how="left", maintain_order="left")
        .with_columns(name=pl.coalesce("name", "_name"))
        .select(list(REJECT_SCHEMA))
    )


def read_companies(
    paths: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    encoding: str | None = None,
    column_map: Mapping[str, str] | Sequence[str] | None = None,
) -> Ingested:
    """Read one or more company lists into the canonical schema (lineage columns first).

    `column_map` overrides header mapping (`["Org=name"]` or {"Org": "name"}); raises
    InputError for files that cannot be read or mapped.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    overrides = parse_column_map(column_map)
    tables = [read_raw(p, format=format, encoding=encoding) for p in paths]
    _check_overrides(overrides, tables)
    frames, reports = [], []
    for table in tables:
        frame, report = _ingest_one(table, overrides)
        frames.append(frame)
        reports.append(report)
    companies = (
        pl.concat(frames, how="diagonal")
        if frames
        else pl.DataFrame(schema={**LINEAGE_SCHEMA, **COMPANY_SCHEMA})
    )
    companies = companies.with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64))
    rejects = pl.concat(
        [pl.DataFrame(schema=REJECT_SCHEMA)]
        + [_named_rejects(t, r) for t, r in zip(tables, reports, strict=True)],
        how="vertical",
    )
    return Ingested(companies=companies, rejects=rejects, reports=reports)
