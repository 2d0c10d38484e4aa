"""The targets table and its tabular formats: CSV, XLSX, Parquet, JSON."""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time
from typing import Any

import polars as pl
import xlsxwriter

# The one CSV writer lives in files.py; re-exported here, where it always was.
from listbuilder.export.files import UTF8_BOM as UTF8_BOM
from listbuilder.export.files import csv_bytes as csv_bytes
from listbuilder.export.files import flat_text, neutralise
from listbuilder.formatting import thousands_text
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA

TARGET_COLUMNS: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "name": pl.String(),
    "domain": pl.String(),
    "website": pl.String(),
    "score": pl.Float64(),
    "fit_score": pl.Float64(),
    "signal_score": pl.Float64(),
    "confidence": pl.Float64(),  # the share of the criteria's weight with data (0-1)
    "tier": pl.String(),
    "priority": pl.String(),
    "profile": pl.String(),
    "why": pl.String(),
    "why_now": pl.String(),
    "owner": pl.String(),
    "crm_possible_match": pl.String(),  # an ambiguous CRM name match: check before calling
    "quality": pl.String(),  # data-quality flags (listbuilder.quality): check before calling
    "employees": pl.Int64(),
    "revenue": pl.Float64(),
    "industry": pl.String(),
    "country": pl.String(),
    "state": pl.String(),
    "city": pl.String(),
    "funding_stage": pl.String(),
    "technologies": pl.String(),
    "departments": pl.String(),
    "duplicate_count": pl.Int64(),
    "source_rows": pl.String(),
}

# With a profile's [lookalike] table: resemblance to the seeds, beside fit and timing
# (listbuilder.lookalike); written after the fixed columns, only when present.
LOOKALIKE_COLUMNS: dict[str, pl.DataType] = {
    "lookalike_score": pl.Float64(),  # 0-100
    "lookalike_points": pl.Float64(),  # what it added to `score`
    "nearest_seeds": pl.String(),  # the closest seeds, nearest first
    "lookalike_why": pl.String(),
}

# Columns produced by the pipeline itself: never passed through as vendor columns.
PIPELINE_COLUMNS = frozenset(
    {*LINEAGE_SCHEMA, *COMPANY_SCHEMA, *DERIVED_SCHEMA, *TARGET_COLUMNS, *LOOKALIKE_COLUMNS}
    | {
        "cluster_id", "fit_tier", "fit_unknown", "breakdown", "signals", "last_signal_date",
        "timing_tier", "fit_reachable", "employees_band",
    }
)  # fmt: skip

FORMATS = ("csv", "xlsx", "parquet", "json")
_SCORES = ("score", "fit_score", "signal_score")


_as_text = flat_text


def criteria(df: pl.DataFrame) -> list[str]:
    """Criterion names in the breakdowns, in order of first appearance."""
    if "breakdown" not in df.columns or df.height == 0:
        return []
    names = (
        df.select(pl.col("breakdown").list.eval(pl.element().struct.field("criterion")))
        .explode("breakdown")
        .drop_nulls()
        .unique(maintain_order=True)
    )
    return names.to_series().to_list()


def passthrough_columns(df: pl.DataFrame) -> list[str]:
    """Vendor columns no alias mapped, in input order."""
    return [c for c in df.columns if c not in PIPELINE_COLUMNS and not c.startswith("_")]


def targets_frame(selected: pl.DataFrame) -> pl.DataFrame:
    """The selection as the flat targets table: fixed columns, `pts: <criterion>`, passthrough."""
    exprs: list[pl.Expr] = []
    schema = selected.schema  # once: DataFrame.schema is rebuilt on every access
    for col, dtype in TARGET_COLUMNS.items():
        if col not in selected.columns:
            exprs.append(pl.lit(None, dtype).alias(col))
        elif col in _SCORES:
            exprs.append(pl.col(col).cast(pl.Float64).round(1))
        elif col == "confidence":
            exprs.append(pl.col(col).cast(pl.Float64).round(2))
        else:
            exprs.append(_as_text(col, schema[col]).cast(dtype).alias(col))
    for col, dtype in LOOKALIKE_COLUMNS.items():
        if col in selected.columns:
            exprs.append(pl.col(col).cast(dtype).alias(col))
    for name in criteria(selected):
        pts = pl.element().filter(pl.element().struct.field("criterion") == name)
        exprs.append(
            pl.col("breakdown")
            .list.eval(pts.struct.field("points"))
            .list.first()
            .cast(pl.Float64)
            .round(1)
            .alias(f"pts: {name}")
        )
    for col in passthrough_columns(selected):
        exprs.append(_as_text(col, schema[col]).alias(col))
    out = selected.select(exprs)
    return out.sort("rank", nulls_last=True, maintain_order=True)


def rejects_frame(rejects: pl.DataFrame) -> pl.DataFrame:
    """The rejects in `REJECT_SCHEMA` column order and dtypes."""
    return rejects.select(
        (pl.col(c) if c in rejects.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in REJECT_SCHEMA.items()
    )


def parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd", statistics=False)
    return buf.getvalue()


def json_bytes(df: pl.DataFrame) -> bytes:
    """A JSON array of row objects."""
    return (df.write_json() + "\n").encode("utf-8")


def _cell_width(value: Any) -> int:
    return len(thousands_text(value) if isinstance(value, int) else str(value))


# Excel number formats by column: money and counts with thousands separators, scores with
# one decimal, so a cell reads "183,632,000" rather than 183632000 in General format.
_NUMBER_FORMATS: dict[str, str] = {
    "revenue": "#,##0",
    "total_funding": "#,##0",
    "employees": "#,##0",
    "duplicate_count": "#,##0",
    "score": "0.0",
    "fit_score": "0.0",
    "signal_score": "0.0",
    "lookalike_score": "0.0",
    "lookalike_points": "0.0",
    "confidence": "0.00",
    "in": "#,##0",
    "out": "#,##0",
    "dropped": "#,##0",
    "count": "#,##0",
}


def _number_format(header: str) -> str | None:
    return _NUMBER_FORMATS.get(header) or ("0.0" if header.startswith("pts: ") else None)


def _write_sheet(wb: Any, name: str, header: list[str], rows: list[list[Any]]) -> None:
    bold = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    number_formats: dict[str, Any] = {}
    cell_formats = []
    for h in header:
        fmt = _number_format(h)
        if fmt is not None and fmt not in number_formats:
            number_formats[fmt] = wb.add_format({"num_format": fmt})
        cell_formats.append(number_formats.get(fmt) if fmt else None)
    ws = wb.add_worksheet(name)
    widths = [len(h) for h in header]
    for j, h in enumerate(header):
        ws.write_string(0, j, neutralise(h), bold)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(i, j, value)
            elif isinstance(value, int | float) and math.isfinite(value):
                ws.write_number(i, j, value, cell_formats[j])
            else:
                ws.write_string(i, j, neutralise(str(value)))
            if i <= 500:
                widths[j] = max(widths[j], _cell_width(value))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w + 2, 6), 60))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), max(len(header) - 1, 0))


def xlsx_bytes(targets: pl.DataFrame, funnel: dict, *, as_of: date) -> bytes:
    """A workbook with sheets `targets` and `funnel`; header, frozen pane, autofilter."""
    buf = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    wb = xlsxwriter.Workbook(buf, options)
    # Fixed metadata so the bytes only depend on the data.
    wb.set_properties({"created": datetime.combine(as_of, time()), "author": "listbuilder"})
    flat = targets.select(_as_text(c, t).alias(c) for c, t in targets.schema.items())
    _write_sheet(wb, "targets", flat.columns, [list(r) for r in flat.iter_rows()])
    _write_sheet(wb, "funnel", ["stage", "label", "in", "out", "dropped", "reason", "count"],
                 funnel_rows(funnel))  # fmt: skip
    wb.close()
    return buf.getvalue()


def funnel_rows(funnel: dict) -> list[list[Any]]:
    """The funnel as sheet rows: one per stage, then one per (stage, reason)."""
    rows: list[list[Any]] = [["read", "rows read", None, funnel.get("read"), None, None, None]]
    for st in funnel.get("stages", []):
        rows.append(
            [st.get("stage"), st.get("label"), st.get("in"), st.get("out"), st.get("dropped"),
             None, None]
        )  # fmt: skip
    for st in funnel.get("stages", []):
        for reason, count in (st.get("reasons") or {}).items():
            rows.append([st.get("stage"), st.get("label"), None, None, None, reason, count])
    rows.append(["selected", "accounts selected", None, funnel.get("selected"), None, None, None])
    return rows
