"""Read trigger-event files (CSV, JSON, NDJSON, Parquet) into one events frame.

The unified format has one event per row: ``domain, company_name, kind, date,
round_type, amount_usd, investors, person, title, department, headcount,
technology, change, text`` (and optionally ``country``, which tells accounts
sharing a name apart). Per-kind files without a ``kind`` column (the
Crunchbase rounds export, a job-postings dump, headcount snapshots) are read
through header aliases and their kind is inferred from their columns. Rows
without a usable date or without a domain or company name go to ``rejects``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.schema import REJECT_SCHEMA

# Dates outside ingest's DATE_RANGE (year 1, 9999): a reasoned reject, never an overflow later.
_OUT_OF_RANGE = "event date out of range (1800-01-01 to 2199-12-31)"

EVENT_KINDS: tuple[str, ...] = (
    "funding",
    "exec_hire",
    "job_posting",
    "headcount",
    "tech_change",
    "announcement",
)

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "line": pl.Int64(),
    "domain": pl.String(),  # as given (URL, host or domain)
    "company_name": pl.String(),
    "country": pl.String(),  # ISO 3166-1 alpha-2, when the file gives one
    "kind": pl.String(),  # one of EVENT_KINDS
    "date": pl.Date(),
    "round_type": pl.String(),
    "amount_usd": pl.Float64(),
    "investors": pl.String(),
    "person": pl.String(),
    "title": pl.String(),
    "department": pl.String(),
    "headcount": pl.Int64(),
    "technology": pl.String(),
    "change": pl.String(),  # "added" / "removed"
    "text": pl.String(),
    # The company's id in the vendor's own key (Crunchbase `company_permalink`, a UUID):
    # matched exactly against the list's id column when both carry one (`match.ID_COLUMNS`).
    "company_id": pl.String(),
    # The account the event is about, when known without matching (events taken from the
    # list itself, `events_from_companies`); null for events read from files.
    "row_id": pl.Int64(),
}

# normalised header -> event field
HEADER_ALIASES: dict[str, str] = {
    **{
        h: "domain"
        for h in (
            "domain",
            "website",
            "homepage_url",
            "homepage",
            "url",
            "company_domain",
            "company_website",
            "company_domain_name",
        )
    },
    **{
        h: "company_name"
        for h in (
            "company_name",
            "company",
            "name",
            "organization",
            "organization_name",
            "account",
            "account_name",
        )
    },
    **{
        h: "country"
        for h in (
            "country",
            "country_code",
            "company_country",
            "company_country_code",
            "hq_country",
            "headquarters_country",
        )
    },
    **{h: "kind" for h in ("kind", "event_kind", "event_type", "signal", "type")},
    **{
        h: "date"
        for h in (
            "date",
            "event_date",
            "funded_at",
            "announced_on",
            "announced_at",
            "posted_at",
            "posting_date",
            "posted_on",
            "hired_at",
            "start_date",
            "snapshot_date",
            "as_of",
            "changed_at",
            "published_at",
        )
    },
    **{
        h: "round_type"
        for h in (
            "round_type",
            "funding_round_type",
            "round",
            "investment_type",
            "funding_type",
            "series",
        )
    },
    **{
        h: "amount_usd"
        for h in (
            "amount_usd",
            "raised_amount_usd",
            "amount",
            "raised_amount",
            "money_raised_usd",
            "money_raised",
        )
    },
    **{h: "investors" for h in ("investors", "investor_names", "lead_investors")},
    **{h: "person" for h in ("person", "person_name", "full_name", "executive")},
    **{h: "title" for h in ("title", "job_title", "position", "role")},
    **{h: "department" for h in ("department", "dept", "function", "team")},
    **{h: "headcount" for h in ("headcount", "employees", "head_count", "employee_count")},
    **{h: "technology" for h in ("technology", "tech", "tool", "product")},
    **{h: "change" for h in ("change", "action", "tech_change")},
    **{h: "text" for h in ("text", "description", "headline", "summary")},
    **{
        h: "company_id"
        for h in (
            "company_permalink",
            "permalink",
            "company_id",
            "company_uuid",
            "organization_uuid",
            "org_uuid",
        )
    },
}

_KIND_ALIASES: dict[str, str] = {
    "funding": "funding",
    "funding_round": "funding",
    "round": "funding",
    "investment": "funding",
    "exec_hire": "exec_hire",
    "executive_hire": "exec_hire",
    "hire": "exec_hire",
    "new_hire": "exec_hire",
    "leadership_hire": "exec_hire",
    "job_posting": "job_posting",
    "posting": "job_posting",
    "job": "job_posting",
    "job_postings": "job_posting",
    "jobs": "job_posting",
    "headcount": "headcount",
    "headcount_snapshot": "headcount",
    "snapshot": "headcount",
    "tech_change": "tech_change",
    "technology": "tech_change",
    "technology_change": "tech_change",
    "announcement": "announcement",
    "news": "announcement",
    "press_release": "announcement",
}
_CHANGE_ALIASES: dict[str, str] = {
    **{w: "added" for w in ("added", "add", "adopted", "installed", "new", "detected")},
    **{w: "removed" for w in ("removed", "remove", "dropped", "churned", "uninstalled", "lost")},
}


@dataclass
class Events:
    """Events read from one or more files: ``.events`` (EVENT_SCHEMA), ``.rejects``."""

    events: pl.DataFrame
    rejects: pl.DataFrame
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.events.height


def empty_events() -> pl.DataFrame:
    """An empty frame with the events schema."""
    return pl.DataFrame(schema=EVENT_SCHEMA)


def read_signals(paths: str | Path | Sequence[str | Path], *, kind: str | None = None) -> Events:
    """Read event files into one frame; ``kind`` forces the kind of per-kind files."""
    if isinstance(paths, str | Path):
        paths = [paths]
    if kind is not None and _KIND_ALIASES.get(_norm(kind)) is None:
        raise InputError(f"unknown event kind {kind!r}: use one of {', '.join(EVENT_KINDS)}")
    frames, rejects, files = [], [], []
    for path in paths:
        raw, unreadable = _read_table(Path(path))
        events, bad = _to_events(raw, str(path), kind)
        bad = pl.concat([unreadable.cast(REJECT_SCHEMA), bad]).sort("line")  # type: ignore[arg-type]
        frames.append(events)
        rejects.append(bad)
        files.append(
            {
                "source": str(path),
                "rows": raw.height + unreadable.height,
                "events": events.height,
                "rejected": bad.height,
            }
        )
    return Events(
        events=pl.concat(frames) if frames else empty_events(),
        rejects=pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA),
        files=files,
    )


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z+]+", "_", header.strip().lstrip("\ufeff").casefold()).strip("_")


def _read_table(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Any tabular file as all-String columns plus ``line``, and its unreadable rows."""
    from listbuilder.ingest.readers import read_raw  # lazy: rules must import without ingest

    table = read_raw(path)
    return table.frame, table.rejects


def _infer_kind(fields: set[str]) -> str | None:
    for kind, keys in (
        ("funding", ("round_type", "amount_usd", "investors")),
        ("headcount", ("headcount",)),
        ("tech_change", ("technology",)),
        ("exec_hire", ("person",)),
        ("job_posting", ("title", "department")),
        ("announcement", ("text",)),
    ):
        if fields & set(keys):
            return kind
    return None


def _to_events(
    raw: pl.DataFrame, source: str, kind: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A raw table as events (EVENT_SCHEMA) and its rejected rows (REJECT_SCHEMA)."""
    mapping = _map_headers(raw)
    forced = _file_kind(raw, set(mapping.values()), source, kind)
    values = _values()
    df = _prepared(raw, mapping, source, forced, values)
    df = df.with_columns(_reject_reason(values).alias("_reason"))
    return _accepted(df, values), _rejected(df)


def _map_headers(raw: pl.DataFrame) -> dict[str, str]:
    """Header -> event field (the first header of each field wins)."""
    mapping: dict[str, str] = {}
    for header in raw.columns:
        target = HEADER_ALIASES.get(_norm(header))
        if header != "line" and target and target not in mapping.values():
            mapping[header] = target
    return mapping


def _file_kind(raw: pl.DataFrame, fields: set[str], source: str, kind: str | None) -> str | None:
    """The kind of every event of the file (None: a `kind` column says it per row); refuses
    a file without a date or without a domain or company name."""
    if not fields & {"date"}:
        raise InputError(
            f"{source}: no date column among {', '.join(c for c in raw.columns if c != 'line')}"
            " — name it date (or funded_at, posted_at, ...)"
        )
    if not fields & {"domain", "company_name"}:
        raise InputError(f"{source}: no domain or company_name column — add one to key events")
    forced = _KIND_ALIASES[_norm(kind)] if kind else None
    if forced is None and "kind" not in fields:
        forced = _infer_kind(fields)
        if forced is None:
            raise InputError(
                f"{source}: cannot tell which kind of events these are — add a kind column "
                f"({', '.join(EVENT_KINDS)}) or pass kind="
            )
    return forced


def _prepared(
    raw: pl.DataFrame, mapping: dict[str, str], source: str, forced: str | None, values: Any
) -> pl.DataFrame:
    """Every event field (trimmed, empty = null), plus `source`, `_kind` and `_date`."""
    df = raw.select(pl.col("line"), *(pl.col(h).alias(f) for h, f in mapping.items()))
    df = df.with_columns(
        pl.lit(None, dtype=pl.String).alias(f)
        for f in EVENT_SCHEMA
        if f not in df.columns and f not in ("source", "line", "row_id")
    ).with_columns(
        pl.col(f).str.strip_chars().replace("", None)
        for f in EVENT_SCHEMA
        if f not in ("source", "line", "row_id")
    )
    kind_expr = (
        pl.lit(forced)
        if forced
        else pl.col("kind")
        .str.to_lowercase()
        .str.replace_all(r"[^0-9a-z]+", "_")
        .replace_strict(_KIND_ALIASES, default=None)
    )
    return df.with_columns(
        pl.lit(source).alias("source"),
        kind_expr.alias("_kind"),
        values.parse_date(pl.col("date")).alias("_date"),
    )


def _reject_reason(values: Any) -> pl.Expr:
    """Why a row is no usable event (null: it is one)."""
    return (
        pl.when(pl.col("date").is_null())
        .then(pl.lit("event has no date"))
        .when(pl.col("_date").is_null() & values.date_out_of_range(pl.col("date")))
        .then(pl.lit(_OUT_OF_RANGE))
        .when(pl.col("_date").is_null())
        .then(pl.lit("event date did not parse"))
        .when(pl.col("domain").is_null() & pl.col("company_name").is_null())
        .then(pl.lit("event has no domain or company name"))
        .when(pl.col("_kind").is_null())
        .then(pl.lit("unknown event kind"))
        .when((pl.col("_kind") == "headcount") & pl.col("headcount").is_null())
        .then(pl.lit("headcount snapshot has no headcount"))
        .when(
            (pl.col("_kind") == "headcount") & values.parse_employees(pl.col("headcount")).is_null()
        )
        .then(pl.lit(f"headcount is not a count from 0 to {values.MAX_COUNT:,}"))
    )


def _rejected(df: pl.DataFrame) -> pl.DataFrame:
    """The rows with a `_reason`, as rejects: the reason and the value behind it."""
    rejects = df.filter(pl.col("_reason").is_not_null()).select(
        pl.col("source"),
        pl.col("line"),
        pl.lit("ingest").alias("stage"),
        ("event: " + pl.col("_reason")).alias("reason"),
        pl.col("company_name").alias("name"),
        pl.col("domain"),
        pl.when(pl.col("_reason") == "unknown event kind")
        .then("kind=" + pl.col("kind"))
        .when(pl.col("_reason").is_in(["event date did not parse", _OUT_OF_RANGE]))
        .then("date=" + pl.col("date"))
        .when(pl.col("_reason").str.starts_with("headcount is not"))
        .then("headcount=" + pl.col("headcount"))
        .otherwise(None)
        .alias("detail"),
    )
    return rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def _accepted(df: pl.DataFrame, values: Any) -> pl.DataFrame:
    """The rows without a `_reason`, as events: values parsed, in EVENT_SCHEMA."""
    events = df.filter(pl.col("_reason").is_null()).select(
        pl.col("source"),
        pl.col("line"),
        pl.col("domain"),
        pl.col("company_name"),
        _country(pl.col("country")).alias("country"),
        pl.col("_kind").alias("kind"),
        pl.col("_date").alias("date"),
        pl.col("round_type"),
        values.parse_money(pl.col("amount_usd")).alias("amount_usd"),
        pl.col("investors"),
        pl.col("person"),
        pl.col("title"),
        pl.col("department"),
        values.parse_employees(pl.col("headcount")).alias("headcount"),
        pl.col("technology"),
        pl.col("change")
        .str.to_lowercase()
        .replace_strict(_CHANGE_ALIASES, default=None)
        .alias("change"),
        pl.col("text"),
        pl.col("company_id").str.to_lowercase(),
        pl.lit(None, dtype=pl.Int64).alias("row_id"),
    )
    return events.cast(EVENT_SCHEMA)  # type: ignore[arg-type]


def _country(expr: pl.Expr) -> pl.Expr:
    """Country names and ISO2/ISO3/IOC codes as ISO2 (``normalize.geo``); null when unknown."""
    from listbuilder.normalize.geo import parse_country  # lazy: rules must import without it

    return parse_country(expr)


def events_from_companies(companies: pl.DataFrame) -> pl.DataFrame:
    """The list's own funding rounds as events (``EVENT_SCHEMA``), one per account with a
    ``last_funding_date``: kind ``funding``, round type = ``funding_stage``, amount unknown.

    Keyed by the account's ``row_id``, so ``score_signals`` needs no matching for them; the
    account's ``source`` and ``line`` say where the round was read. ``score_signals`` drops
    one when the events files hold the same round (``signals.score.DUPLICATE_DAYS``).
    """
    needed = ("row_id", "last_funding_date")
    if any(c not in companies.columns for c in needed):
        return empty_events()

    def column(name: str) -> pl.Expr:
        if name in companies.columns:
            return pl.col(name).cast(EVENT_SCHEMA[name])
        return pl.lit(None, dtype=EVENT_SCHEMA[name]).alias(name)

    return (
        companies.filter(pl.col("last_funding_date").is_not_null() & pl.col("row_id").is_not_null())
        .select(
            column("source"),
            column("line"),
            column("domain"),
            pl.col("name").cast(pl.String).alias("company_name")
            if "name" in companies.columns
            else pl.lit(None, dtype=pl.String).alias("company_name"),
            column("country"),
            pl.lit("funding").alias("kind"),
            pl.col("last_funding_date").cast(pl.Date).alias("date"),
            pl.col("funding_stage").cast(pl.String).alias("round_type")
            if "funding_stage" in companies.columns
            else pl.lit(None, dtype=pl.String).alias("round_type"),
            *(
                pl.lit(None, dtype=EVENT_SCHEMA[f]).alias(f)
                for f in (
                    "amount_usd",
                    "investors",
                    "person",
                    "title",
                    "department",
                    "headcount",
                    "technology",
                    "change",
                    "text",
                    "company_id",
                )
            ),
            pl.col("row_id").cast(pl.Int64),
        )
        .select(list(EVENT_SCHEMA))
        .cast(EVENT_SCHEMA)  # type: ignore[arg-type]
    )


def _values():  # type: ignore[no-untyped-def]
    from listbuilder.ingest import values  # lazy: rules must import without ingest

    return values
