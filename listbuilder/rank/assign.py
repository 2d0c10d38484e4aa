"""Split the selected accounts among SDRs by territory, balanced by count and tier.

The reps file is a small CSV, one rep a line::

    rep,capacity,countries,states,regions,industries,size_bands,owned_domains
    ana@example.com,400,US,CA;OR;WA,,,,acme.com;globex.com
    ben@example.com,400,,,DACH;UKI,Software;SaaS,200-2000,

List cells are separated by `;`. An empty cell means "any". Geography is the
intersection of what is given: `countries=US` plus `states=CA;OR` covers US
accounts in California and Oregon; `regions` (see `normalize.geo.REGIONS`) add
countries. Accounts whose domain a rep owns stay with that rep. Every other
account, in rank order, goes to the eligible rep with spare capacity holding the
fewest accounts of its tier (relative to capacity), then the fewest accounts,
then the first name alphabetically, so no rep gets all the A-tier.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from listbuilder.errors import ConfigError
from listbuilder.normalize.geo import REGIONS

REPS_COLUMNS = (
    "rep",
    "capacity",
    "countries",
    "states",
    "regions",
    "industries",
    "size_bands",
    "owned_domains",
)

_COUNTRY_ALIASES = {"UK": "GB", "USA": "US"}
_BAND = re.compile(r"^(\d[\d,]*)\s*(?:-|–|to)\s*(\d[\d,]*)$|^(\d[\d,]*)\s*\+$")

UNASSIGNED_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "name": pl.String(),
    "domain": pl.String(),
    "country": pl.String(),
    "state": pl.String(),
    "industry": pl.String(),
    "employees": pl.Int64(),
    "tier": pl.String(),
    "score": pl.Float64(),
    "reason": pl.String(),
    "detail": pl.String(),
}


@dataclass(frozen=True)
class Rep:
    """One SDR: capacity (None = unlimited) and territory; empty sets mean any."""

    name: str
    capacity: int | None = None
    countries: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    size_bands: tuple[tuple[int, int | None], ...] = ()
    owned_domains: frozenset[str] = frozenset()

    def covers_country(self, country: str | None) -> bool:
        return not self.countries or (country or "").upper() in self.countries

    def covers_state(self, state: str | None) -> bool:
        return not self.states or (state or "").upper() in self.states

    def covers_industry(self, industry: str | None) -> bool:
        return not self.industries or (industry or "").casefold() in self.industries

    def covers_size(self, employees: int | None) -> bool:
        if not self.size_bands:
            return True
        if employees is None:
            return False
        return any(
            lo <= employees and (hi is None or employees <= hi) for lo, hi in self.size_bands
        )


@dataclass
class Assignment:
    """`selected` with an `owner` column (null when unassigned), why the rest are
    unassigned, and one summary row per rep."""

    selected: pl.DataFrame
    unassigned: pl.DataFrame
    summary: pl.DataFrame = field(default_factory=pl.DataFrame)


def _cells(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _domain(value: str) -> str:
    d = re.sub(r"^[a-z]+://", "", value.strip().lower())
    d = d.split("/")[0].split("@")[-1]
    return d.removeprefix("www.")


def read_reps(path: str | Path) -> list[Rep]:
    """Read and validate a reps CSV; every problem is listed in one ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"reps file {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"reps file {path}: not UTF-8 text; save it as UTF-8 CSV") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ConfigError(f"reps file {path}: empty; expected a header {','.join(REPS_COLUMNS)}")
    header = [h.strip().lower() for h in rows[0]]
    problems: list[str] = []
    unknown = [h for h in header if h not in REPS_COLUMNS]
    if unknown:
        problems.append(
            f"unknown column(s) {', '.join(unknown)} (valid: {', '.join(REPS_COLUMNS)})"
        )
    if "rep" not in header:
        problems.append("no `rep` column")
    reps: list[Rep] = []
    owners: dict[str, str] = {}
    for lineno, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        rec = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}
        where = f"line {lineno}"
        name = rec.get("rep", "")
        if not name:
            problems.append(f"{where}: empty `rep`")
            continue
        capacity: int | None = None
        cap = rec.get("capacity", "").replace(",", "")
        if cap:
            if not cap.isdigit():
                problems.append(f"{where}: capacity {cap!r} is not a whole number ≥ 0")
            else:
                capacity = int(cap)
        countries: set[str] = set()
        for c in _cells(rec.get("countries")):
            code = _COUNTRY_ALIASES.get(c.upper(), c.upper())
            if not re.fullmatch(r"[A-Z]{2}", code):
                problems.append(f"{where}: country {c!r} is not a two-letter ISO code (e.g. US)")
            countries.add(code)
        for r in _cells(rec.get("regions")):
            key = r.upper().replace(" ", "_")
            if key not in REGIONS:
                problems.append(f"{where}: unknown region {r!r} (valid: {', '.join(REGIONS)})")
            else:
                countries.update(REGIONS[key])
        bands: list[tuple[int, int | None]] = []
        for b in _cells(rec.get("size_bands")):
            m = _BAND.match(b.replace(" ", ""))
            if not m:
                problems.append(f"{where}: size band {b!r} should read like 200-2000 or 5000+")
                continue
            lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), None)
            lo_i, hi_i = int(lo.replace(",", "")), (int(hi.replace(",", "")) if hi else None)
            if hi_i is not None and hi_i < lo_i:
                problems.append(f"{where}: size band {b!r} has its minimum above its maximum")
            bands.append((lo_i, hi_i))
        owned = frozenset(_domain(d) for d in _cells(rec.get("owned_domains")))
        for d in sorted(owned):
            if d in owners and owners[d] != name:
                problems.append(f"{where}: {d} is already owned by {owners[d]}")
            owners.setdefault(d, name)
        if any(r.name == name for r in reps):
            problems.append(f"{where}: rep {name!r} is listed twice")
        reps.append(
            Rep(
                name=name,
                capacity=capacity,
                countries=frozenset(countries),
                states=frozenset(s.upper() for s in _cells(rec.get("states"))),
                industries=frozenset(i.casefold() for i in _cells(rec.get("industries"))),
                size_bands=tuple(bands),
                owned_domains=owned,
            )
        )
    if not reps and not problems:
        problems.append("no reps listed")
    if problems:
        raise ConfigError(f"reps file {path}: " + "; ".join(problems))
    return reps


def _why_not(row: dict, reps: Sequence[Rep]) -> tuple[list[Rep], str | None]:
    """The reps whose territory covers the account, or the first reason none does."""
    country, state = row.get("country"), row.get("state")
    ok = [r for r in reps if r.covers_country(country)]
    if not ok:
        return [], f"no rep covers country {country or 'unknown'}"
    ok = [r for r in ok if r.covers_state(state)]
    if not ok:
        return [], f"no rep covers state {state or 'unknown'} in {country or 'unknown country'}"
    ok = [r for r in ok if r.covers_industry(row.get("industry"))]
    if not ok:
        return [], f"no rep covers industry {row.get('industry') or 'unknown'}"
    ok = [r for r in ok if r.covers_size(row.get("employees"))]
    if not ok:
        emp = row.get("employees")
        return [], "no rep covers size " + (f"{emp:,} employees" if emp is not None else "unknown")
    return ok, None


def assign_reps(selected: pl.DataFrame, reps: str | Path | Iterable[Rep]) -> Assignment:
    """Give each selected account an `owner` (owned accounts first, then balanced by territory)."""
    rep_list = read_reps(reps) if isinstance(reps, str | Path) else list(reps)
    if not rep_list:
        raise ConfigError("reps: no reps given; list at least one rep in the reps file")
    caps = [r.capacity for r in rep_list if r.capacity]
    default_weight = max(caps) if caps else 1
    weight = {r.name: (r.capacity or default_weight) or 1 for r in rep_list}
    by_domain = {d: r for r in rep_list for d in r.owned_domains}

    cols = ["rank", "name", "domain", "country", "state", "industry", "employees", "tier", "score"]
    view = selected.select(
        pl.col(c) if c in selected.columns else pl.lit(None).alias(c) for c in cols
    )
    rows = view.to_dicts()
    owners: list[str | None] = [None] * len(rows)
    total: Counter[str] = Counter()
    owned: Counter[str] = Counter()
    per_tier: dict[str, Counter[str]] = {r.name: Counter() for r in rep_list}
    # A plain dict, not a Counter: Counter is typed for int counts and these are float sums.
    score_sum: dict[str, float] = dict.fromkeys(per_tier, 0)

    def give(i: int, rep: Rep) -> None:
        owners[i] = rep.name
        total[rep.name] += 1
        per_tier[rep.name][rows[i]["tier"]] += 1
        score_sum[rep.name] += rows[i]["score"] or 0.0

    for i, row in enumerate(rows):
        owner = by_domain.get((row["domain"] or "").lower())
        if owner is not None:
            give(i, owner)
            owned[owner.name] += 1

    unassigned: list[dict] = []
    detail: str | None
    for i, row in enumerate(rows):
        if owners[i] is not None:
            continue
        eligible, reason = _why_not(row, rep_list)
        if reason is None:
            free = [r for r in eligible if r.capacity is None or total[r.name] < r.capacity]
            if not free:
                reason = "all eligible reps at capacity"
                detail = ", ".join(f"{r.name} ({total[r.name]}/{r.capacity})" for r in eligible)
            else:
                best = min(
                    free,
                    key=lambda r: (
                        per_tier[r.name][row["tier"]] / weight[r.name],
                        total[r.name] / weight[r.name],
                        r.name,
                    ),
                )
                give(i, best)
                continue
        else:
            detail = f"rank {row['rank']}" if row["rank"] is not None else None
        unassigned.append({**row, "reason": reason, "detail": detail})

    out = selected.with_columns(pl.Series("owner", owners, dtype=pl.String))
    summary = pl.DataFrame(
        {
            "rep": [r.name for r in rep_list],
            "capacity": [r.capacity for r in rep_list],
            "accounts": [total[r.name] for r in rep_list],
            "owned": [owned[r.name] for r in rep_list],
            "tier_mix": [
                "; ".join(
                    f"{t or 'untiered'} {n}"
                    for t, n in sorted(per_tier[r.name].items(), key=_tier_key)
                )
                for r in rep_list
            ],
            "score_total": [round(score_sum[r.name], 1) for r in rep_list],
        },
        schema={
            "rep": pl.String,
            "capacity": pl.Int64,
            "accounts": pl.Int64,
            "owned": pl.Int64,
            "tier_mix": pl.String,
            "score_total": pl.Float64,
        },
    )
    return Assignment(
        selected=out,
        unassigned=pl.DataFrame(unassigned, schema=UNASSIGNED_SCHEMA)
        if unassigned
        else pl.DataFrame(schema=UNASSIGNED_SCHEMA),
        summary=summary,
    )


def _tier_key(item: tuple[str | None, int]) -> tuple[int, str]:
    tier = item[0]
    return (1, "") if tier is None else (0, str(tier))
