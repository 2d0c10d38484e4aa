"""Write what a team works from: targets (csv/xlsx/parquet/json), rejects, CRM imports,
briefs, funnel.json and report.html.

Everything is rendered in memory first, then written into a staging folder beside
the output folder, which is swapped in whole (`export.folder`): a template or writer
error, an interrupt or a kill never leaves a folder that mixes two runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.errors import ConfigError
from listbuilder.export.briefs import brief_contexts, brief_stem
from listbuilder.export.crm import CRM_FILES, HUBSPOT_COLUMNS, SALESFORCE_COLUMNS, crm_frame
from listbuilder.export.files import csv_bytes, neutralise, write_atomic
from listbuilder.export.folder import check_output_dir, is_build_output, staged_output
from listbuilder.export.render import Templates
from listbuilder.export.report import priority_matrix, report_context, selection_summary
from listbuilder.export.tables import (
    FORMATS,
    json_bytes,
    parquet_bytes,
    rejects_frame,
    targets_frame,
    xlsx_bytes,
)

BRIEF_FORMATS = ("md", "html")

__all__ = [
    "BRIEF_FORMATS",
    "CRM_FILES",
    "FORMATS",
    "HUBSPOT_COLUMNS",
    "SALESFORCE_COLUMNS",
    "Templates",
    "brief_stem",
    "check_output_dir",
    "csv_bytes",
    "neutralise",
    "selection_summary",
    "targets_frame",
    "write_atomic",
    "write_outputs",
]


def _check(kind: str, given: Sequence[str], valid: Sequence[str]) -> list[str]:
    out: list[str] = []
    for g in given:
        if g not in valid:
            raise ConfigError(f"unknown {kind} {g!r}: use one of {', '.join(valid)}")
        if g not in out:
            out.append(g)
    return out


def write_outputs(
    out_dir: str | Path,
    *,
    selected: pl.DataFrame,
    rejects: pl.DataFrame,
    funnel: dict,
    profiles_info: Sequence[Any],
    as_of: date,
    formats: Sequence[str] = ("csv",),
    crm: Sequence[str] = (),
    brief_formats: Sequence[str] = ("md",),
    templates_dir: str | Path | None = None,
    unassigned: pl.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> dict[str, Path]:
    """Render and write every output under `out_dir`; returns {relative path: path}.

    `profiles_info` holds, per profile, a dict `{name, personas, talking_points}` or
    the `Profile` itself. `funnel` is rendered as given (never recomputed); funnel.json adds the
    selection's summary under `"selection"`. `progress(done, total)` is called
    as briefs are rendered (for a progress bar). `extra_files` ({relative path: bytes})
    are written with the run (the pipeline's `signals_unmatched.csv`).

    The folder afterwards holds exactly this run: outputs of an earlier run with other
    options are gone, files that are not outputs (a user's notes) are kept.
    """
    formats = _check("format", formats, FORMATS)
    crm = _check("CRM", crm, tuple(CRM_FILES))
    brief_formats = _check("brief format", brief_formats, BRIEF_FORMATS)
    out = Path(out_dir)
    templates = Templates(templates_dir)

    # 1. Render everything in memory.
    files = _table_files(
        selected, rejects, unassigned, funnel=funnel, formats=formats, crm=crm, as_of=as_of
    )
    summary = selection_summary(selected)
    full_funnel = {**funnel, "selection": summary}
    files["funnel.json"] = (json.dumps(full_funnel, indent=2, ensure_ascii=False) + "\n").encode()
    briefs = brief_contexts(selected, profiles_info=profiles_info, as_of=as_of)
    index_ctx = {"briefs": briefs, "as_of": as_of.isoformat(), "funnel": funnel}
    files.update(_brief_files(templates, briefs, brief_formats, index_ctx, progress))
    brief_ext = "html" if "html" in brief_formats else ("md" if brief_formats else None)
    report = report_context(full_funnel, summary, briefs, brief_ext=brief_ext)
    report["matrix"] = priority_matrix(selected)
    files["report.html"] = templates.render("report.html.j2", report).encode()
    files.update(extra_files or {})

    # 2. Write into a staging folder, then swap it in whole.
    with staged_output(out, owned=is_build_output) as staging:
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return {rel: out / rel for rel in sorted(files)}


def _table_files(
    selected: pl.DataFrame,
    rejects: pl.DataFrame,
    unassigned: pl.DataFrame | None,
    *,
    funnel: dict,
    formats: Sequence[str],
    crm: Sequence[str],
    as_of: date,
) -> dict[str, bytes]:
    """targets.<format> per format, rejects.csv, unassigned.csv and the CRM imports."""
    files: dict[str, bytes] = {}
    targets = targets_frame(selected)
    writers = {
        "csv": lambda: csv_bytes(targets),
        "xlsx": lambda: xlsx_bytes(targets, funnel, as_of=as_of),
        "parquet": lambda: parquet_bytes(targets),
        "json": lambda: json_bytes(targets),
    }
    for fmt in formats:
        files[f"targets.{fmt}"] = writers[fmt]()
    files["rejects.csv"] = csv_bytes(rejects_frame(rejects))
    if unassigned is not None:
        files["unassigned.csv"] = csv_bytes(unassigned)
    for name in crm:
        files[CRM_FILES[name]] = csv_bytes(crm_frame(targets, name))
    return files


def _brief_files(
    templates: Templates,
    briefs: list[dict[str, Any]],
    brief_formats: Sequence[str],
    index_ctx: dict[str, Any],
    progress: Callable[[int, int], None] | None,
) -> dict[str, bytes]:
    """One brief per account and an index, per brief format; `progress(done, total)`."""
    files: dict[str, bytes] = {}
    total, done = len(briefs) * len(brief_formats), 0
    for fmt in brief_formats:
        for ctx in briefs:
            files[f"briefs/{ctx['stem']}.{fmt}"] = templates.render(f"brief.{fmt}.j2", ctx).encode()
            done += 1
            if progress is not None:
                progress(done, total)
        files[f"briefs/index.{fmt}"] = templates.render(
            f"index.{fmt}.j2", {**index_ctx, "ext": fmt}
        ).encode()
    return files
