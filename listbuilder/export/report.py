"""The selection summary in funnel.json and the context of report.html (funnel chart, mixes)."""

from __future__ import annotations

from typing import Any

import polars as pl

TOP_N = 10
TOP_ACCOUNTS = 25
TOP_REASONS = 12  # per stage; the rest are summed in one line
_BAR_W = 560  # px of the widest funnel bar
# what the report's top accounts show of each brief, besides its name and link
_TOP_FIELDS = ("score", "fit_score", "signal_score", "why_now", "tier", "priority", "owner", "why")


def _counts(selected: pl.DataFrame, col: str, *, top: int | None = None) -> list[dict]:
    if col not in selected.columns or selected.height == 0:
        return []
    counts = (
        selected.group_by(pl.col(col).cast(pl.String))
        .len("accounts")
        .sort(["accounts", col], descending=[True, False], nulls_last=True)
    )
    if top is not None:
        counts = counts.head(top)
    return [{col: r[col], "accounts": r["accounts"]} for r in counts.to_dicts()]


def _by_key(selected: pl.DataFrame, col: str) -> dict[str, int]:
    if col not in selected.columns:
        return {}
    counts = selected.group_by(pl.col(col).cast(pl.String)).len("n").sort(col, nulls_last=True)
    return {(k if k is not None else "none"): n for k, n in counts.iter_rows()}


def score_histogram(selected: pl.DataFrame, *, width: int = 10) -> list[dict[str, int]]:
    """Accounts per score band of `width` points, 0-100 (100 falls in the top band)."""
    edges = list(range(0, 100, width))
    counts = {e: 0 for e in edges}
    if "score" in selected.columns and selected.height:
        band = (pl.col("score").clip(0, 99.999) // width * width).cast(pl.Int64)
        for e, n in selected.select(band.alias("b")).group_by("b").len().iter_rows():
            if e is not None:
                counts[e] = n
    return [{"from": e, "to": min(e + width, 100), "accounts": counts[e]} for e in edges]


def selection_summary(selected: pl.DataFrame) -> dict[str, Any]:
    """The selection's tier mix, priorities, top industries and countries, score histogram."""
    summary: dict[str, Any] = {
        "accounts": selected.height,
        "tiers": _by_key(selected, "tier"),
        "priorities": _by_key(selected, "priority"),
        "top_industries": _counts(selected, "industry", top=TOP_N),
        "top_countries": _counts(selected, "country", top=TOP_N),
        "score_histogram": score_histogram(selected),
        "owners": _counts(selected, "owner"),
    }
    return summary


def funnel_steps(funnel: dict) -> list[dict[str, Any]]:
    """Bars of the funnel chart: rows read, then what each stage kept."""
    read = funnel.get("read") or 0
    steps: list[dict[str, Any]] = [
        {"stage": "read", "label": "rows read", "value": read, "dropped": 0}
    ]
    for st in funnel.get("stages", []):
        steps.append(
            {
                "stage": st.get("stage"),
                "label": st.get("label") or st.get("stage"),
                "value": st.get("out") or 0,
                "dropped": st.get("dropped") or 0,
            }
        )
    for i, step in enumerate(steps):
        step["width"] = round(_BAR_W * step["value"] / read, 1) if read else 0
        step["y"] = 10 + i * 34
    return steps


def priority_matrix(selected: pl.DataFrame) -> dict[str, Any]:
    """Fit tier x timing tier counts: rows are fit tiers, columns timing 1..3.

    `total` is the accounts counted (the selection, like the tier mix) and `tier_differs`
    how many have a tier (of the combined score) other than their fit tier (of the fit
    score alone): why the two tables group the same accounts differently.
    """
    if not {"fit_tier", "timing_tier"} <= set(selected.columns) or selected.height == 0:
        return {"rows": [], "timings": [1, 2, 3], "total": selected.height, "tier_differs": 0}
    differs = 0
    if "tier" in selected.columns:
        tier, fit = pl.col("tier").cast(pl.String), pl.col("fit_tier").cast(pl.String)
        differs = selected.select(tier.ne_missing(fit).sum()).item()
    counts = {
        (f, t): n for f, t, n in selected.group_by("fit_tier", "timing_tier").len().iter_rows()
    }
    fits = sorted({f for f, _ in counts}, key=lambda f: (f is None, f or ""))
    rows = [
        {
            "fit_tier": f if f is not None else "none",
            "counts": [counts.get((f, t), 0) for t in (1, 2, 3)],
        }
        for f in fits
    ]
    return {
        "rows": rows,
        "timings": [1, 2, 3],
        "total": selected.height,
        "tier_differs": int(differs),
    }


def report_context(
    funnel: dict, summary: dict, briefs: list[dict], *, brief_ext: str | None
) -> dict[str, Any]:
    """Everything report.html.j2 uses; numbers come from `funnel` as given."""
    return {
        "funnel": funnel,
        "coverage": _coverage_bars(funnel),
        "diagnosis": funnel.get("diagnosis"),
        "quality_flags": (funnel.get("quality") or {}).get("flagged") or {},
        "as_of": funnel.get("as_of"),
        "profiles": funnel.get("profiles") or [],
        "unknowns": funnel.get("unknowns") or {},
        "missing_data": missing_data(funnel),
        "assignment": funnel.get("assignment"),
        "steps": funnel_steps(funnel),
        "stages": _stage_reasons(funnel),
        "summary": summary,
        "histogram": _histogram_bars(summary["score_histogram"]),
        "top_accounts": [_top_account(b, brief_ext) for b in briefs[:TOP_ACCOUNTS]],
    }


def _stage_reasons(funnel: dict) -> list[dict[str, Any]]:
    """Each stage with its TOP_REASONS reasons (most rows first) and the rest summed."""
    stages = []
    for st in funnel.get("stages", []):
        reasons = sorted((st.get("reasons") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
        rest = reasons[TOP_REASONS:]
        stages.append(
            {
                **st,
                "reason_list": [{"reason": r, "count": n} for r, n in reasons[:TOP_REASONS]],
                "more_reasons": {"reasons": len(rest), "rows": sum(n for _, n in rest)},
            }
        )
    return stages


def _histogram_bars(hist: list[dict[str, int]]) -> list[dict[str, Any]]:
    """The score histogram's bars, the tallest 120 px high."""
    peak = max((h["accounts"] for h in hist), default=0) or 1
    return [
        {**h, "height": round(120 * h["accounts"] / peak, 1), "x": 10 + i * 52}
        for i, h in enumerate(hist)
    ]


def _top_account(brief: dict, brief_ext: str | None) -> dict[str, Any]:
    """One row of the report's top accounts, linking to its brief (in `brief_ext`)."""
    account = brief["account"]
    return {
        "rank": brief["rank"],
        "name": account["name"],
        "name_missing": account["name_missing"],
        "domain": account["domain"],
        **{k: brief[k] for k in _TOP_FIELDS},
        "href": f"briefs/{brief['stem']}.{brief_ext}" if brief_ext else None,
    }


def _coverage_bars(funnel: dict) -> list[dict[str, Any]]:
    """Per profile, its rules' and criteria's coverage lines with a bar width (200 px)."""
    return [
        {
            **cov,
            "lines": [
                {**x, "width": round(200 * float(x.get("share") or 0.0), 1)}
                for x in [*cov.get("rules", []), *cov.get("criteria", [])]
            ],
        }
        for cov in funnel.get("coverage") or []
    ]


def missing_data(funnel: dict) -> dict[str, Any]:
    """The report's "Missing data" section: selected accounts with an unknown criterion, and
    per profile and criterion the accounts without data (most first)."""
    unknowns = funnel.get("unknowns") or {}
    rows = [
        {"profile": profile, "criterion": criterion, "accounts": count}
        for profile, per in (unknowns.get("per_criterion") or {}).items()
        for criterion, count in per.items()
        if count
    ]
    rows.sort(key=lambda r: (-r["accounts"], r["profile"], r["criterion"]))
    return {"selected": unknowns.get("selected_with_unknown_criteria") or 0, "rows": rows}
