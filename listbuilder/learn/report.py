"""Write the backtest: backtest.md, backtest.html (inline SVG, no script), backtest.json,
and the rejected deal rows; every file written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.export.files import neutralise_frame, write_atomic, write_text_atomic
from listbuilder.export.render import Templates
from listbuilder.learn.backtest import Backtest, pct, times

CHART_WIDTH = 420  # px of a 100% bar


def _bar(
    label: str, rate: float | None, low: float | None, high: float | None, n: int, y: int
) -> dict[str, Any]:
    return {
        "label": label,
        "n": n,
        "y": y,
        "rate": pct(rate),
        "width": round((rate or 0) * CHART_WIDTH, 1),
        "low": None if low is None else round(low * CHART_WIDTH, 1),
        "high": None if high is None else round(high * CHART_WIDTH, 1),
    }


def chart_rows(groups: list[dict[str, Any]], *, row: int = 30) -> list[dict[str, Any]]:
    """Win-rate bars with Wilson whiskers, one per group, in px."""
    return [
        _bar(
            g["label"],
            g["win_rate"],
            g["win_rate_low"],
            g["win_rate_high"],
            g["closed"],
            8 + i * row,
        )
        for i, g in enumerate(groups)
    ]


def criterion_rows(criteria: list[dict[str, Any]], *, row: int = 26) -> list[dict[str, Any]]:
    """Per criterion: its name on a line of its own, then a matched and a not-matched bar."""
    bars = []
    y = 8
    for c in criteria:
        title = {"title": c["criterion"], "title_y": y + 12}
        y += 18
        matched = _bar(
            "matched", c["matched_rate"], c["matched_low"], c["matched_high"], c["matched"], y
        )
        bars.append({**matched, **title, "matched": True})
        bars.append(
            {
                **_bar(
                    "not matched",
                    c["other_rate"],
                    c["other_low"],
                    c["other_high"],
                    c["other"],
                    y + row,
                ),
                "matched": False,
            }
        )
        y += 2 * row + 8
    return bars


def backtest_context(result: Backtest) -> dict[str, Any]:
    groups = [result.in_icp, result.out_icp]
    return {
        "bt": result.to_dict(),
        "groups": groups,
        "segments": result.segments,
        "lifts": result.lifts,
        "criteria": result.criteria,
        "icp_bars": chart_rows(groups),
        "segment_bars": chart_rows(result.segments),
        "criterion_bars": criterion_rows(result.criteria),
        "chart_width": CHART_WIDTH,
        "pct": pct,
        "times": times,
    }


def render_backtest(
    result: Backtest, *, templates: Templates | None = None
) -> tuple[str, str, str]:
    """(markdown, html, json) of a backtest."""
    env = templates or Templates()
    context = backtest_context(result)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return env.render("backtest.md.j2", context), env.render("backtest.html.j2", context), text


def write_rejects(path: Path, rejects: pl.DataFrame) -> Path:
    """The rejected deal rows as CSV (cells neutralised against formula injection)."""
    return write_atomic(path, lambda tmp: neutralise_frame(rejects).write_csv(tmp))


def write_backtest(
    out_dir: str | Path,
    result: Backtest,
    rejects: pl.DataFrame | None = None,
    *,
    templates: Templates | None = None,
) -> list[Path]:
    """backtest.md, backtest.html, backtest.json (and deals_rejects.csv) in `out_dir`."""
    out = Path(out_dir)
    md, html, text = render_backtest(result, templates=templates)
    written = [
        write_text_atomic(out / "backtest.md", md),
        write_text_atomic(out / "backtest.html", html),
        write_text_atomic(out / "backtest.json", text),
    ]
    if rejects is not None:
        written.append(write_rejects(out / "deals_rejects.csv", rejects))
    return written
