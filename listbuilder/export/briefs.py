"""One-page account briefs: the context each template sees, and the file names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from listbuilder.export.callprep import (
    choose_personas,
    rank_contacts,
    signal_entries,
)
from listbuilder.export.callprep import talking_points as call_points
from listbuilder.export.crm import _country_names
from listbuilder.export.naming import display_name
from listbuilder.rank import priority_label
from listbuilder.score.compile import VALUE_WIDTH, shown_cell

# Columns the briefs read; missing ones are null.
BRIEF_COLUMNS: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "row_id": pl.Int64(),
    "source": pl.String(),
    "line": pl.Int64(),
    "name": pl.String(),
    "domain": pl.String(),
    "website": pl.String(),
    "description": pl.String(),
    "industry": pl.String(),
    "employees": pl.Int64(),
    "employees_min": pl.Int64(),
    "employees_max": pl.Int64(),
    "employees_band": pl.String(),  # the vendor's band as scoring reads it (score_companies)
    "revenue": pl.Float64(),
    "country": pl.String(),
    "state": pl.String(),
    "city": pl.String(),
    "founded_year": pl.Int64(),
    "funding_stage": pl.String(),
    "total_funding": pl.Float64(),
    "last_funding_date": pl.Date(),
    "technologies": pl.List(pl.String()),
    "departments": pl.List(pl.String()),
    "linkedin_url": pl.String(),
    "parent_company": pl.String(),
    "phone": pl.String(),
    "score": pl.Float64(),
    "fit_score": pl.Float64(),
    "signal_score": pl.Float64(),
    "confidence": pl.Float64(),
    "tier": pl.String(),
    "fit_tier": pl.String(),
    "timing_tier": pl.Int64(),
    "priority": pl.String(),
    "profile": pl.String(),
    "why": pl.String(),
    "why_now": pl.String(),
    "owner": pl.String(),
    "duplicate_count": pl.Int64(),
    "crm_possible_match": pl.String(),
    "quality": pl.String(),
    # funding fields filled from an events file's rounds (signals.funding.derive_funding)
    "derived": pl.String(),
    # a profile's [lookalike] table (null without one)
    "lookalike_score": pl.Float64(),
    "lookalike_points": pl.Float64(),
    "nearest_seeds": pl.String(),
    "lookalike_why": pl.String(),
}


STEM_SLUG_MAX = 80  # characters of the domain or name in a brief's file name


def brief_stem(rank: int | None, domain: str | None, name: str | None) -> str:
    """`0012-acme.com`: rank, then the domain or else the slugified name.

    A slug longer than `STEM_SLUG_MAX` is cut and followed by 8 hex digits of the SHA-1
    of the full value, so names stay short (every file system takes them), unique and
    the same from run to run.
    """
    if domain:
        full = domain
        slug = re.sub(r"[^a-z0-9.-]+", "-", domain.lower()).strip("-.")
    else:
        full = name or ""
        slug = re.sub(r"[^a-z0-9]+", "-", full.lower()).strip("-")
    if len(slug) > STEM_SLUG_MAX:
        digest = hashlib.sha1(full.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        slug = f"{slug[:STEM_SLUG_MAX].rstrip('-.')}-{digest}"
    return f"{rank or 0:04d}-{slug or 'account'}"


def _url(value: str | None) -> str | None:
    if not value or "@" in value or " " in value.strip():
        return None
    value = value.strip().replace("(", "%28").replace(")", "%29")
    return value if re.match(r"^https?://", value, re.I) else "https://" + value


def _source_rows(row: dict[str, Any], raw: Any) -> list[str]:
    if isinstance(raw, list):
        items = [str(x) for x in raw if x is not None]
    elif isinstance(raw, str):
        items = [s.strip() for s in raw.split(";") if s.strip()]
    else:
        items = []
    if not items and row.get("source"):
        items = [f"{row['source']}:{row['line']}" if row.get("line") else row["source"]]
    return items


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def profile_brief_info(profile: Any) -> dict[str, Any]:
    """Name, personas and talking points of a profile (a dict or a `Profile`), normalised:
    personas as dicts {title, department, why, cares_about}, talking points as lists of
    texts, `fields` as {criterion name: the field it reads}."""
    personas = []
    for p in _get(profile, "personas") or ():
        cares = _get(p, "cares_about") or ()
        personas.append(
            {
                "title": _get(p, "title"),
                "department": _get(p, "department"),
                "why": _get(p, "why"),
                "cares_about": [cares] if isinstance(cares, str) else list(cares),
                "departments": list(_get(p, "departments") or ()),
                "min_employees": _get(p, "min_employees"),
                "max_employees": _get(p, "max_employees"),
                "titles": _get(p, "titles"),
            }
        )
    points: dict[str, list[str]] = {}
    for key, value in (_get(profile, "talking_points") or {}).items():
        texts = [value] if isinstance(value, str) else [str(v) for v in value or ()]
        points[str(key)] = texts
    fields = {
        str(_get(c, "name")): _get(_get(c, "condition"), "field")
        for c in _get(profile, "criteria") or ()
    }
    days = _get(profile, "live_signal_days", 120)
    return {
        "name": _get(profile, "name"),
        "personas": personas,
        "talking_points": points,
        "fields": fields,  # criterion name -> the field it reads
        "live_signal": float(_get(profile, "live_signal", 3.0) or 0.0),
        "live_signal_days": days,
    }


def _profile_info(profiles_info: Sequence[dict], profile: str | None) -> dict:
    for info in profiles_info:
        if info.get("name") == profile:
            return info
    return profiles_info[0] if len(profiles_info) == 1 else {}


def brief_context(
    row: dict[str, Any], *, profiles_info: Sequence[dict], as_of: date, countries: dict[str, str]
) -> dict[str, Any]:
    """Everything a brief template can use for one account (see templates/brief.md.j2).

    `profiles_info` entries are normalised by `profile_brief_info`. `account.name` is the
    name to show: the domain (else the website's host) when the source list had none,
    with `account.name_missing` set. Each `fit` entry adds `shown`, its Value cell."""
    info = _profile_info(profiles_info, row.get("profile"))
    sources = _source_rows(row, row.get("source_rows"))
    # The list row a value was read from: the surviving row (the first source row of a
    # merged company); a field filled from an events round cites the event line.
    row_source = (
        f"{row['source']}:{row['line']}" if row.get("source") and row.get("line") else None
    ) or (sources[0] if sources else None)
    derived = _derived(row.get("derived"))
    fit = _fit_entries(row, info.get("fields") or {}, derived, row_source)
    signals = _signals(row, info)
    personas, personas_skipped = choose_personas(
        info.get("personas") or [],
        departments=list(row.get("departments") or []) or None,
        employees=row.get("employees"),
        signals=signals,
        source=row_source,
    )
    account = _account(row, countries)
    return {
        "account": account,
        "rank": row.get("rank"),
        "score": row.get("score"),
        "fit_score": row.get("fit_score"),
        "signal_score": row.get("signal_score"),
        "tier": row.get("tier"),
        "fit_tier": row.get("fit_tier"),
        "timing_tier": row.get("timing_tier"),
        "priority": row.get("priority"),
        "action": priority_label(row.get("priority")),
        "owner": row.get("owner"),
        "profile": row.get("profile"),
        "why": row.get("why"),
        "why_now": row.get("why_now"),
        "crm_possible_match": row.get("crm_possible_match"),
        "lookalike_score": row.get("lookalike_score"),
        "lookalike_points": row.get("lookalike_points"),
        "closest_seeds": row.get("nearest_seeds"),
        "lookalike_why": row.get("lookalike_why"),
        "confidence": row.get("confidence"),
        "quality": [q for q in (row.get("quality") or "").split("; ") if q],
        "fit": fit,
        # unknown for want of data / unknown because a vendor band straddles the bounds
        "unknown": [
            f["criterion"] for f in fit if f.get("status") == "unknown" and not f.get("value")
        ],
        "unsure": [
            f"{f['criterion']} ({f['value']})"
            for f in fit
            if f.get("status") == "unknown" and f.get("value")
        ],
        "signals": signals,
        "live_signals": [s for s in signals if s["live"]],
        "personas": personas,
        "personas_skipped": personas_skipped,
        "contacts": rank_contacts(list(row.get("_contacts") or []), personas),
        "has_contacts_file": row.get("_contacts") is not None,
        "talking_points": call_points(info.get("talking_points") or {}, fit, signals),
        "derived": [f"{k} {v[0]} from {v[1]}" for k, v in derived.items()],
        "row_source": row_source,
        "sources": sources,
        "duplicate_count": row.get("duplicate_count"),
        "as_of": as_of.isoformat(),
    }


def _fit_entries(
    row: dict[str, Any],
    fields: dict[str, str],
    derived: dict[str, tuple[str, str]],
    row_source: str | None,
) -> list[dict[str, Any]]:
    """The breakdown scoring wrote, each entry with its Value cell (`shown`, clipped), the
    row it was read from (`source`) and whether an events round filled it (`derived`)."""
    fit = [dict(b) for b in (row.get("breakdown") or [])]
    for entry in fit:
        entry["shown"] = shown_cell(entry, VALUE_WIDTH)
        field = fields.get(str(entry.get("criterion")))
        entry["derived"] = field in derived
        entry["source"] = derived[field][1] if field in derived else row_source
        if field in derived and entry.get("shown"):
            entry["shown"] = f"{entry['shown']} (derived from a funding round)"
    return fit


def _signals(row: dict[str, Any], info: dict[str, Any]) -> list[dict[str, Any]]:
    """The account's boosts as brief entries (live or background, with their age)."""
    return signal_entries(
        [
            {
                "kind": s.get("kind"),
                "label": s.get("label"),
                "date": s.get("date"),
                "age_days": s.get("age_days"),
                "boost": s.get("boost"),
                "source": s.get("source"),
            }
            for s in (row.get("signals") or [])
            if s and (s.get("kind") or s.get("label") or s.get("date"))
        ],
        live_points=float(info.get("live_signal", 0.0) or 0.0),
        live_days=info.get("live_signal_days"),
    )


def _account(row: dict[str, Any], countries: dict[str, str]) -> dict[str, Any]:
    """The snapshot fields of the account, with its display name, place and links."""
    country = row.get("country")
    place = [row.get("city"), row.get("state"), countries.get((country or "").upper(), country)]
    account = {
        k: row.get(k)
        for k in (
            "name", "domain", "website", "description", "industry", "employees", "revenue",
            "country", "state", "city", "founded_year", "funding_stage", "total_funding",
            "last_funding_date", "linkedin_url", "parent_company", "phone",
        )
    }  # fmt: skip
    name, name_missing = display_name(row.get("name"), row.get("domain"), row.get("website"))
    account.update(
        name=name,
        name_missing=name_missing,
        technologies=list(row.get("technologies") or []),
        departments=list(row.get("departments") or []),
        location=", ".join(p for p in place if p) or None,
        # the vendor's band ("1,001–5,000") as scoring read it; None for a count
        employees_band=row.get("employees_band"),
        url=_url(row.get("website")) or _url(row.get("domain")),
        linkedin=_url(row.get("linkedin_url")),
        parent_company=parent_name(row.get("parent_company")),
    )
    return account


def parent_name(value: str | None) -> str | None:
    """The parent company as a brief names it: None for an id (`107784390`, `#1042-7`),
    which is not a name, whatever column it came from."""
    return None if value is None or not re.search(r"[^\W\d_]", value) else value


def _derived(value: str | None) -> dict[str, tuple[str, str]]:
    """`derived` cell -> {field: (value, event line)}."""
    out: dict[str, tuple[str, str]] = {}
    for part in (value or "").split("; "):
        field, sep, rest = part.partition("=")
        match = re.match(r"^(.*) \((.+)\)$", rest)
        if sep and match:
            out[field] = (match.group(1), match.group(2))
    return out


def brief_rows(selected: pl.DataFrame) -> list[dict[str, Any]]:
    """The selection in rank order as Python dicts (one per brief; ~capacity rows)."""
    extra = [
        c for c in ("breakdown", "signals", "source_rows", "_contacts") if c in selected.columns
    ]
    cols = [
        pl.col(c) if c in selected.columns else pl.lit(None, t).alias(c)
        for c, t in BRIEF_COLUMNS.items()
    ]
    frame = selected.select(*cols, *extra).sort("rank", nulls_last=True, maintain_order=True)
    return frame.to_dicts()


def brief_contexts(
    selected: pl.DataFrame, *, profiles_info: Sequence[Any], as_of: date
) -> list[dict[str, Any]]:
    """One template context per selected account, in rank order, with its file `stem`."""
    countries = _country_names()
    infos = [profile_brief_info(p) for p in profiles_info]
    out = []
    for row in brief_rows(selected):
        ctx = brief_context(row, profiles_info=infos, as_of=as_of, countries=countries)
        ctx["stem"] = brief_stem(row.get("rank"), row.get("domain"), row.get("name"))
        out.append(ctx)
    return out
