"""read_deals: a CRM deals export (HubSpot, Salesforce or plain) as one row per deal.

Deal columns are found with `map_headers` over `DEAL_ALIASES`; firmographic
columns in the same file go through `read_companies` with the company aliases,
so `Employees`, `Industry`, `Technologies`... parse exactly as in a purchased
list. With `companies=`, each deal's account is joined to a company list on
the registrable domain, then by fuzzy name with the dedupe matcher (as
suppression does), and the list's firmographics win over the file's own.

A deal row that cannot be used goes to the rejects (stage `ingest`) with the
reason: no account, no or bad created date, unknown stage, a close date before
the created date, an amount that is not a number, or (with a company list) an
account found neither in the list nor described in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from listbuilder.dedupe.matcher import link_to_list
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.errors import InputError
from listbuilder.ingest import Ingested, map_headers, read_companies, read_raw
from listbuilder.ingest import values as V
from listbuilder.ingest.aliases import ColumnMatch
from listbuilder.normalize import normalize_companies
from listbuilder.schema import COMPANY_SCHEMA, REJECT_SCHEMA

# deal field -> headers (HubSpot, Salesforce, plain), strongest first.
DEAL_ALIASES: dict[str, tuple[str, ...]] = {
    "deal_name": ("Deal Name", "Opportunity Name", "Deal", "Opportunity", "Name of Deal"),
    "account": (
        "Company name",
        "Associated Company",
        "Account Name",
        "account",
        "Company",
        "Account",
        "Organization",
        "Customer",
    ),
    "domain": (
        "Company domain",
        "Company domain name",
        "Website",
        "domain",
        "Account Website",
        "Company Website",
        "URL",
    ),
    "created": (
        "Create Date",
        "CreatedDate",
        "created",
        "Created",
        "Created Date",
        "Created At",
        "Date Created",
        "Opened",
    ),
    "closed": (
        "Close Date",
        "CloseDate",
        "closed",
        "Closed",
        "Closed Date",
        "Closed At",
        "Date Closed",
    ),
    "stage": ("Deal Stage", "StageName", "Stage", "Opportunity Stage", "Pipeline Stage"),
    "outcome": ("outcome", "Result", "Won/Lost", "Status", "Deal Outcome"),
    "is_won": ("IsWon", "Won", "Is Won"),
    "is_closed": ("IsClosed", "Is Closed"),
    "amount": (
        "Amount",
        "acv",
        "ACV",
        "Annual Contract Value",
        "ARR",
        "Deal Value",
        "Value",
        "Amount (USD)",
        "Deal Amount",
    ),
    "churned": (
        "Churned Date",
        "churned",
        "Churn Date",
        "Churned At",
        "Cancellation Date",
        "Churned",
    ),
    "renewed": ("Renewed", "renewed", "Renewal", "Is Renewed"),
    "expansion": (
        "Expansion Amount",
        "expansion",
        "Expansion",
        "Expansion Revenue",
        "Upsell Amount",
        "Expansion ARR",
    ),
}
DEAL_FIELDS = tuple(DEAL_ALIASES)

# Columns read_deals adds (besides lineage, canonical and derived company columns).
DEAL_SCHEMA: dict[str, pl.DataType] = {
    "deal_name": pl.String(),
    "stage": pl.String(),  # as written in the file
    "outcome": pl.String(),  # won | lost | open
    "created": pl.Date(),
    "closed": pl.Date(),
    "amount": pl.Float64(),
    "churned": pl.Date(),
    "renewed": pl.Boolean(),
    "expansion": pl.Float64(),
    "cycle_days": pl.Int64(),  # closed - created, closed deals only
}

_RAW = "__deal_"
# Longest review window: a century. Longer ones reach past the dates a deal can carry.
MAX_WINDOW_DAYS = 36_500
_DATE_SPAN = f"{V.DATE_RANGE[0]} to {V.DATE_RANGE[1]}"
_TRUE = ("true", "yes", "y", "1", "x", "t", "won", "renewed")
_FALSE = ("false", "no", "n", "0", "f", "lost", "churned")
_WON = r"\bwon\b|\bwin\b|closed.?won|^signed$|^customer$"
_LOST = r"\blost\b|\blose\b|closed.?lost|disqualified|no.?decision|^churned$|^dead$"


@dataclass(frozen=True)
class Deals:
    """Deals read from a file: one row per usable deal, the rejected rows, the header mapping."""

    deals: pl.DataFrame
    rejects: pl.DataFrame
    mapping: list[ColumnMatch]
    source: str
    has_retention: bool = False  # the file had a churned or renewed column
    has_expansion: bool = False
    matched: int | None = None  # deals joined to --companies (None without a company list)
    notes: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date | None:
        """The latest date the file knows of (created or closed, not in the future of created)."""
        created = self.deals["created"].max()
        return created if isinstance(created, dt.date) else None

    def require_closed(self) -> None:
        """Raise InputError (one line) when there is nothing to learn from: no usable deal,
        or none won or lost yet. `learn`, `backtest` and `review` call it before any work."""
        if self.deals.height == 0:
            if self.rejects.height:
                first = self.rejects.row(0, named=True)
                why = (
                    f"all {self.rejects.height} deal rows were rejected (line {first['line']}: "
                    f"{first['reason']})"
                )
            else:
                why = "the file has a header but no deal rows"
            raise InputError(
                f"{self.source}: no usable deals: {why}; there is nothing to learn from"
            )
        closed = int((self.deals["outcome"] != "open").sum())
        if closed == 0:
            raise InputError(
                f"{self.source}: all {self.deals.height} deals are still open; there is nothing "
                "to learn from until some are won or lost"
            )


def outcome_expr(
    stage: pl.Expr, is_won: pl.Expr | None = None, is_closed: pl.Expr | None = None
) -> pl.Expr:
    """won / lost / open from a stage name (and Salesforce's IsWon / IsClosed when given)."""
    s = stage.str.strip_chars().str.to_lowercase()
    by_stage = (
        pl.when(s.str.contains(_WON))
        .then(pl.lit("won"))
        .when(s.str.contains(_LOST))
        .then(pl.lit("lost"))
        .when(s.is_not_null() & (s != ""))
        .then(pl.lit("open"))
        .otherwise(None)
    )
    if is_won is None:
        return by_stage
    won = is_won.str.strip_chars().str.to_lowercase()
    closed = (
        is_closed.str.strip_chars().str.to_lowercase().is_in(_TRUE)
        if is_closed is not None
        else pl.lit(False)
    )
    return (
        pl.when(won.is_in(_TRUE))
        .then(pl.lit("won"))
        .when(won.is_in(_FALSE) & (closed | (by_stage == "lost") | s.str.contains("closed")))
        .then(pl.lit("lost"))
        .when(won.is_in(_FALSE) & by_stage.is_null())
        .then(pl.lit("open"))
        .otherwise(by_stage)
    )


def _bool_expr(expr: pl.Expr) -> pl.Expr:
    s = expr.str.strip_chars().str.to_lowercase()
    return pl.when(s.is_in(_TRUE)).then(True).when(s.is_in(_FALSE)).then(False).otherwise(None)


def map_deal_headers(headers: Sequence[str], source: str) -> dict[str, str]:
    """deal field -> header; InputError naming the missing columns when unusable."""
    matches = map_headers(headers, DEAL_ALIASES)
    found = {m.field: m.header for m in matches if m.field}
    missing = []
    if "account" not in found and "domain" not in found:
        missing.append('the account (e.g. "Company name" or "Account Name") or its domain')
    if "created" not in found:
        missing.append('the created date (e.g. "Create Date" or "CreatedDate")')
    if not {"stage", "outcome", "is_won"} & set(found):
        missing.append('the outcome (e.g. "Deal Stage", "StageName" or "outcome")')
    if missing:
        raise InputError(
            f"{source}: no column for {'; '.join(missing)} (headers: {', '.join(headers)}); "
            "rename the column or export the deal properties that hold it"
        )
    return found


def read_deals(
    path: str | Path,
    *,
    companies: str | Path | Sequence[str | Path] | None = None,
    settings: DedupeSettings | None = None,
) -> Deals:
    """Read a deals export; with `companies`, firmographics come from that list (domain, name)."""
    source = str(path)
    found = map_deal_headers(read_raw(path).headers, source)
    ingested, frame = _ingest_deal_file(path, found)
    frame = _deal_problems(_parse_deal_columns(frame, found))
    kept, no_id = normalize_companies(frame)
    rejects = [ingested.rejects, no_id.with_columns(reason=pl.lit("no account name or domain"))]
    bad = kept.filter(pl.col("_reason").is_not_null())
    rejects.append(_rejects(bad, pl.col("_reason"), pl.col("_detail")))
    kept = kept.filter(pl.col("_reason").is_null()).drop("_reason", "_detail")
    matched = None
    if companies is not None:
        kept, unmatched, matched = join_companies(kept, companies, settings=settings)
        rejects.append(unmatched)
    passthrough = [c for c in kept.columns if c.startswith(_RAW)]
    deals = kept.drop(passthrough).select(
        pl.exclude(*DEAL_SCHEMA), *[pl.col(c).cast(d) for c, d in DEAL_SCHEMA.items()]
    )
    all_rejects = pl.concat(
        [
            r.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
            for r in rejects
        ]
    ).sort("line")
    mapping = [ColumnMatch(h, f, 100, "alias") for f, h in found.items()]
    return Deals(
        deals=deals,
        rejects=all_rejects,
        mapping=mapping,
        source=source,
        has_retention=bool({"churned", "renewed"} & set(found)),
        has_expansion="expansion" in found,
        matched=matched,
    )


def _ingest_deal_file(path: str | Path, found: dict[str, str]) -> tuple[Ingested, pl.DataFrame]:
    """The file read as a company list (account -> name, domain -> website, the other deal
    columns skipped) and its rows with the deal columns parked under private names, so
    `outcome`, `created`... can be computed."""
    overrides: dict[str, str] = {h: "-" for f, h in found.items() if f not in ("account", "domain")}
    if "account" in found:
        overrides[found["account"]] = "name"
    if "domain" in found:
        overrides[found["domain"]] = "website"
    ingested = read_companies(path, column_map=overrides)
    # deal columns pass through under their header (`input_<header>` when it names one of
    # our columns)
    renamed = ingested.reports[0].renamed
    raw_names = {}
    for name, header in found.items():
        if name in ("account", "domain"):
            continue
        raw_names[renamed.get(header, header)] = f"{_RAW}{name}"
    return ingested, ingested.companies.rename(raw_names)


def _parse_deal_columns(frame: pl.DataFrame, found: dict[str, str]) -> pl.DataFrame:
    """The deal columns parsed (stage, outcome, dates, amounts, cycle_days), with the raw
    text of the dates and amounts kept for the rejects."""

    def text(name: str) -> pl.Expr:
        column = f"{_RAW}{name}"
        if column in frame.columns:
            return V.clean_text(pl.col(column))
        return pl.lit(None, dtype=pl.String)

    stage = pl.coalesce(text("stage"), text("outcome"))
    outcome = outcome_expr(
        stage,
        text("is_won") if "is_won" in found else None,
        text("is_closed") if "is_closed" in found else None,
    )
    frame = frame.with_columns(
        deal_name=text("deal_name"),
        stage=stage,
        outcome=outcome,
        created=V.parse_date(text("created")),
        closed=V.parse_date(text("closed")),
        amount=V.parse_money(text("amount")),
        churned=V.parse_date(text("churned")),
        renewed=_bool_expr(text("renewed")),
        expansion=V.parse_money(text("expansion")),
        _created_raw=text("created"),
        _closed_raw=text("closed"),
        _amount_raw=text("amount"),
        _expansion_raw=text("expansion"),
    )
    return frame.with_columns(
        cycle_days=pl.when(pl.col("outcome") != "open")
        .then((pl.col("closed") - pl.col("created")).dt.total_days())
        .cast(pl.Int64)
    )


def _deal_problems(frame: pl.DataFrame) -> pl.DataFrame:
    """`_reason` (why the deal cannot be used, null when it can) and `_detail` (the raw
    value at fault) in place of the raw text columns."""
    reason = (
        pl.when(pl.col("_created_raw").is_null())
        .then(pl.lit("no created date"))
        .when(pl.col("created").is_null() & V.date_out_of_range(pl.col("_created_raw")))
        .then(pl.lit(f"created date out of range ({_DATE_SPAN})"))
        .when(pl.col("created").is_null())
        .then(pl.lit("created date is not a date"))
        .when(pl.col("outcome").is_null())
        .then(pl.lit("no deal stage or outcome"))
        .when(pl.col("closed").is_null() & V.date_out_of_range(pl.col("_closed_raw")))
        .then(pl.lit(f"close date out of range ({_DATE_SPAN})"))
        .when(pl.col("_closed_raw").is_not_null() & pl.col("closed").is_null())
        .then(pl.lit("close date is not a date"))
        .when(pl.col("closed") < pl.col("created"))
        .then(pl.lit("close date before created date"))
        .when(pl.col("_amount_raw").is_not_null() & pl.col("amount").is_null())
        .then(pl.lit("amount is not a number"))
        .when(pl.col("_expansion_raw").is_not_null() & pl.col("expansion").is_null())
        .then(pl.lit("expansion amount is not a number"))
        .otherwise(None)
    )
    reason_col = pl.col("_reason")
    detail = (
        pl.when(reason_col.str.starts_with("created"))
        .then(pl.col("_created_raw"))
        .when(reason_col.str.starts_with("close"))
        .then(pl.col("_closed_raw"))
        .when(reason_col.str.starts_with("amount"))
        .then(pl.col("_amount_raw"))
        .when(reason_col.str.starts_with("expansion"))
        .then(pl.col("_expansion_raw"))
        .otherwise(None)
    )
    frame = frame.with_columns(_reason=reason).with_columns(_detail=detail)
    return frame.drop("_created_raw", "_closed_raw", "_amount_raw", "_expansion_raw")


def _rejects(frame: pl.DataFrame, reason: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        stage=pl.lit("ingest"),
        reason=reason,
        name=pl.col("name").cast(pl.String),
        domain=pl.col("domain").cast(pl.String),
        detail=detail.cast(pl.String),
    )


_FIRMOGRAPHICS = [f for f in COMPANY_SCHEMA if f not in ("name", "website")]


def join_companies(
    deals: pl.DataFrame,
    paths: str | Path | Sequence[str | Path],
    *,
    settings: DedupeSettings | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Fill each deal's firmographics from a company list: same domain first, then fuzzy name.

    Returns (deals, rejects for deals found nowhere and described by no column of their
    own, number of deals matched).
    """
    settings = settings or DedupeSettings()
    listed, _ = normalize_companies(read_companies(paths).companies)
    n0 = deals.height
    best = link_to_list(deals, listed, settings)
    firmo = listed.select(_FIRMOGRAPHICS).with_row_index("_c", offset=n0)
    joined = (
        deals.with_row_index("_r")
        .join(best.select("_r", "_c"), on="_r", how="left")
        .join(firmo, on="_c", how="left", suffix="__list")
    )
    joined = joined.with_columns(
        pl.coalesce(pl.col(f"{f}__list"), pl.col(f)).alias(f) for f in _FIRMOGRAPHICS
    )
    own = pl.any_horizontal(pl.col(f).is_not_null() for f in ("employees", "industry", "country"))
    unmatched = joined.filter(pl.col("_c").is_null() & ~own)
    rejects = _rejects(
        unmatched, pl.lit("account not found in the company list"), pl.lit(None, dtype=pl.String)
    )
    kept = joined.filter(pl.col("_c").is_not_null() | own)
    matched = int(kept["_c"].is_not_null().sum())
    kept = kept.drop("_r", "_c", *[f"{f}__list" for f in _FIRMOGRAPHICS])
    return kept, rejects, matched
