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
    rows = _read_rows(path)
    header = [h.strip().lower() for h in rows[0]]
    problems = _header_problems(header)
    reps: list[Rep] = []
    owners: dict[str, str] = {}
    for lineno, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        rec = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}
        where = f"line {lineno}"
        rep = _parse_rep(rec, where, problems)
        if rep is None:
            continue
        for d in sorted(rep.owned_domains):
            if d in owners and owners[d] != rep.name:
                problems.append(f"{where}: {d} is already owned by {owners[d]}")
            owners.setdefault(d, rep.name)
        if any(r.name == rep.name for r in reps):
            problems.append(f"{where}: rep {rep.name!r} is listed twice")
        reps.append(rep)
    if not reps and not problems:
        problems.append("no reps listed")
    if problems:
        raise ConfigError(f"reps file {path}: " + "; ".join(problems))
    return reps


def _read_rows(path: Path) -> list[list[str]]:
    """The CSV rows of a reps file, the header first; a ConfigError when it cannot be read
    or has no header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"reps file {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"reps file {path}: not UTF-8 text; save it as UTF-8 CSV") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ConfigError(f"reps file {path}: empty; expected a header {','.join(REPS_COLUMNS)}")
    return rows


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    unknown = [h for h in header if h not in REPS_COLUMNS]
    if unknown:
        problems.append(
            f"unknown column(s) {', '.join(unknown)} (valid: {', '.join(REPS_COLUMNS)})"
        )
    if "rep" not in header:
        problems.append("no `rep` column")
    return problems


def _parse_rep(rec: dict[str, str], where: str, problems: list[str]) -> Rep | None:
    """One line of the reps file as a Rep (None without a `rep`); problems appended."""
    name = rec.get("rep", "")
    if not name:
        problems.append(f"{where}: empty `rep`")
        return None
    capacity: int | None = None
    cap = rec.get("capacity", "").replace(",", "")
    if cap:
        if not cap.isdigit():
            problems.append(f"{where}: capacity {cap!r} is not a whole number ≥ 0")
        else:
            capacity = int(cap)
    return Rep(
        name=name,
        capacity=capacity,
        countries=frozenset(_parse_countries(rec, where, problems)),
        states=frozenset(s.upper() for s in _cells(rec.get("states"))),
        industries=frozenset(i.casefold() for i in _cells(rec.get("industries"))),
        size_bands=tuple(_parse_bands(rec.get("size_bands"), where, problems)),
        owned_domains=frozenset(_domain(d) for d in _cells(rec.get("owned_domains"))),
    )


def _parse_countries(rec: dict[str, str], where: str, problems: list[str]) -> set[str]:
    """The ISO codes of the `countries` cell (`UK` -> `GB`) plus those of its `regions`."""
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
    return countries


def _parse_bands(cell: str | None, where: str, problems: list[str]) -> list[tuple[int, int | None]]:
    """`200-2000;5000+` -> [(200, 2000), (5000, None)]."""
    bands: list[tuple[int, int | None]] = []
    for b in _cells(cell):
        m = _BAND.match(b.replace(" ", ""))
        if not m:
            problems.append(f"{where}: size band {b!r} should read like 200-2000 or 5000+")
            continue
        lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), None)
        lo_i, hi_i = int(lo.replace(",", "")), (int(hi.replace(",", "")) if hi else None)
        if hi_i is not None and hi_i < lo_i:
            problems.append(f"{where}: size band {b!r} has its minimum above its maximum")
        bands.append((lo_i, hi_i))
    return bands


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


@dataclass
class _Book:
    """Who holds what so far: per account its owner, per rep its counts and score sum."""

    reps: list[Rep]
    owners: list[str | None]
    total: Counter[str] = field(default_factory=Counter)
    owned: Counter[str] = field(default_factory=Counter)
    per_tier: dict[str, Counter[str]] = field(init=False)
    # A plain dict, not a Counter: Counter is typed for int counts and these are float sums.
    score_sum: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.per_tier = {r.name: Counter() for r in self.reps}
        self.score_sum = dict.fromkeys(self.per_tier, 0)

    def give(self, i: int, rep: Rep, row: dict) -> None:
        self.owners[i] = rep.name
        self.total[rep.name] += 1
        self.per_tier[rep.name][row["tier"]] += 1
        self.score_sum[rep.name] += row["score"] or 0.0


def assign_reps(selected: pl.DataFrame, reps: str | Path | Iterable[Rep]) -> Assignment:
    """Give each selected account an `owner` (owned accounts first, then balanced by territory)."""
    rep_list = read_reps(reps) if isinstance(reps, str | Path) else list(reps)
    if not rep_list:
        raise ConfigError("reps: no reps given; list at least one rep in the reps file")
    cols = ["rank", "name", "domain", "country", "state", "industry", "employees", "tier", "score"]
    view = selected.select(
        pl.col(c) if c in selected.columns else pl.lit(None).alias(c) for c in cols
    )
    rows = view.to_dicts()
    book = _Book(rep_list, [None] * len(rows))
    _give_owned_accounts(rows, book)
    unassigned = _give_by_territory(rows, book)
    return Assignment(
        selected=selected.with_columns(pl.Series("owner", book.owners, dtype=pl.String)),
        unassigned=pl.DataFrame(unassigned, schema=UNASSIGNED_SCHEMA)
        if unassigned
        else pl.DataFrame(schema=UNASSIGNED_SCHEMA),
        summary=_summarize_reps(book),
    )


def _give_owned_accounts(rows: list[dict], book: _Book) -> None:
    """Accounts whose domain a rep owns go to that rep, whatever its territory or capacity."""
    by_domain = {d: r for r in book.reps for d in r.owned_domains}
    for i, row in enumerate(rows):
        owner = by_domain.get((row["domain"] or "").lower())
        if owner is not None:
            book.give(i, owner, row)
            book.owned[owner.name] += 1


def _give_by_territory(rows: list[dict], book: _Book) -> list[dict]:
    """The other accounts, in rank order, to the eligible rep with room holding the fewest
    of the account's tier, then the fewest accounts (relative to capacity), then by name;
    returns the accounts no rep could take, with the reason."""
    caps = [r.capacity for r in book.reps if r.capacity]
    default_weight = max(caps) if caps else 1
    weight = {r.name: (r.capacity or default_weight) or 1 for r in book.reps}
    total, per_tier = book.total, book.per_tier
    unassigned: list[dict] = []
    detail: str | None
    for i, row in enumerate(rows):
        if book.owners[i] is not None:
            continue
        eligible, reason = _why_not(row, book.reps)
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
                book.give(i, best, row)
                continue
        else:
            detail = f"rank {row['rank']}" if row["rank"] is not None else None
        unassigned.append({**row, "reason": reason, "detail": detail})
    return unassigned


def _summarize_reps(book: _Book) -> pl.DataFrame:
    """One row per rep: capacity, accounts, owned, tier mix (`A 12; B 30`), score total."""
    reps = book.reps
    return pl.DataFrame(
        {
            "rep": [r.name for r in reps],
            "capacity": [r.capacity for r in reps],
            "accounts": [book.total[r.name] for r in reps],
            "owned": [book.owned[r.name] for r in reps],
            "tier_mix": [
                "; ".join(
                    f"{t or 'untiered'} {n}"
                    for t, n in sorted(book.per_tier[r.name].items(), key=_tier_key)
                )
                for r in reps
            ],
            "score_total": [round(book.score_sum[r.name], 1) for r in reps],
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


def _tier_key(item: tuple[str | None, int]) -> tuple[int, str]:
    tier = item[0]
    return (1, "") if tier is None else (0, str(tier))
