"""Signal boosts per account: match events, apply the rules, decay, combine, explain.

``score_signals`` returns one row per account with at least one boosting
signal. Per rule, an account's signals combine by the rule's ``combine``
(``strongest``: the largest decayed boost; ``sum``: all of them, at most
``cap``); the account's ``signal_score`` is the sum over rules, rounded to 0.1 (halves up).
The total cap (``score = min(cap, fit + signal)``) is the pipeline's.

Events may come from files (``read_signals``: matched to accounts by domain and
name) and from the list itself (``events_from_companies``: keyed by ``row_id``,
no matching). A list round that an events file also holds (same account, both
``funding``, same round type or one unknown, dates at most ``DUPLICATE_DAYS``
apart) is dropped: the file's event has the amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from listbuilder.errors import InputError
from listbuilder.profile.model import SignalRule
from listbuilder.signals.derive import CANDIDATE_SCHEMA, SOURCE_KIND, rule_candidates, stage_expr
from listbuilder.signals.match import match_events
from listbuilder.signals.read import EVENT_SCHEMA, Events, empty_events

SIGNAL_STRUCT = pl.Struct(
    {
        "kind": pl.String(),
        "label": pl.String(),
        "date": pl.Date(),
        "age_days": pl.Int64(),
        "raw_boost": pl.Float64(),
        "boost": pl.Float64(),
        # where it was read: "events.csv:12" (one event), "events.csv lines 3, 9, 12 +4 more"
        # (a spike or a growth summarises several rows), "companies.csv:349" (the list's round)
        "source": pl.String(),
    }
)
# The latest funding round of each account in the events files: what fills an empty
# `funding_stage` / `last_funding_date` (`derive_funding`).
FUNDING_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.Int64(),
    "round_stage": pl.String(),
    "round_date": pl.Date(),
    "round_source": pl.String(),
}
CITED_LINES = 3  # event lines a summarised signal names before "+N more"
SCORES_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.Int64(),
    "signal_score": pl.Float64(),
    "why_now": pl.String(),
    "signals": pl.List(SIGNAL_STRUCT),
    "last_signal_date": pl.Date(),
}
WHY_NOW_SIGNALS = 3  # how many signals the why_now line names
DUPLICATE_DAYS = 7  # a list round this close to a file round of the same account is the same
_POINT_KINDS = ("funding", "exec_hire", "tech_change", "announcement")
_ACCOUNT_COLUMNS = ("row_id", "name_key", "domain", "domain_is_platform")


@dataclass
class SignalScores:
    """Boosts per account (``.scores``), events matched to no account (``.unmatched``)."""

    scores: pl.DataFrame
    unmatched: pl.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    matches: pl.DataFrame | None = None  # (event_id, row_id, match): how each event matched
    funding: pl.DataFrame | None = None  # FUNDING_SCHEMA: each account's latest file round


EventsLike = Events | pl.DataFrame


def score_signals(
    accounts: pl.DataFrame,
    events: EventsLike | Sequence[EventsLike] | None,
    rules: Sequence[SignalRule],
    *,
    as_of: date | str,
    fuzzy: bool = True,
) -> SignalScores:
    """Match ``events`` to ``accounts`` and turn them into decayed boosts as of ``as_of``.

    ``events``: an ``Events``, an events frame, or a list of them (e.g.
    ``[read_signals(paths), events_from_companies(accounts)]``); ``event_id`` is the
    row's position in them, in order. Events with a ``row_id`` are the account's own
    (no matching); the others are matched by domain and name.

    ``counts``: ``read`` (all events), ``from_list`` (of them, with a ``row_id``),
    ``future`` (dated after as_of, ignored), ``matched``, ``unmatched``, ``duplicates``
    (list rounds dropped for the same round in a file), ``too_old`` (older than
    ``max_age_days`` of every rule that would use them), ``used`` (events behind at
    least one boost).
    """
    from listbuilder.pipeline import as_date

    as_of = as_date(as_of)  # "2013-10-17" as the CLI takes it
    frame = _numbered_events(_events_frame(events), accounts)
    read = frame.height
    listed = frame.filter(pl.col("row_id").is_not_null())
    future = frame.filter(pl.col("date") > as_of)
    frame = frame.filter(pl.col("date") <= as_of)
    pairs, unmatched_ids, own = _match_all(accounts, frame, fuzzy=fuzzy)
    unmatched = (
        frame.join(unmatched_ids, on="event_id")
        .sort("event_id")
        .select("source", "line", "domain", "company_name", "kind", "date", "reason")
    )
    matched = (
        frame.drop("row_id")
        .join(pairs.select("event_id", "row_id"), on="event_id")
        .with_columns(pl.col("event_id").is_in(own["event_id"].implode()).alias("listed"))
    )
    matched, duplicates = _drop_list_duplicates(matched)
    wanted = {SOURCE_KIND[r.kind] for r in rules}
    matched = matched.filter(pl.col("kind").is_in(sorted(wanted)))
    candidates = _candidates(matched, rules, as_of)
    signals = _cite(_combine(candidates.filter(~pl.col("too_old")), rules), frame, matched)
    counts = {
        "read": read,
        "from_list": listed.height,
        "future": future.height,
        "matched": pairs["event_id"].n_unique(),
        "unmatched": unmatched.height,
        "duplicates": duplicates,
        "too_old": _count_too_old(candidates),
        "used": signals.filter(pl.col("event_id").is_not_null())["event_id"].n_unique(),
    }
    return SignalScores(
        scores=_summarise(signals),
        unmatched=unmatched,
        counts=counts,
        matches=pairs,
        funding=_latest_rounds(matched),
    )


def _numbered_events(frame: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """The events in EVENT_SCHEMA with ``event_id`` (their position); refuses accounts not
    normalized and events not read with ``read_signals``."""
    missing = [c for c in _ACCOUNT_COLUMNS if c not in accounts.columns]
    if missing:
        raise InputError(f"accounts lack {', '.join(missing)}: normalize the companies first")
    absent = [c for c in ("domain", "company_name", "kind", "date") if c not in frame.columns]
    if absent:
        raise InputError(f"events lack {', '.join(absent)}: read them with read_signals")
    return (
        frame.with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in EVENT_SCHEMA.items()
            if name not in frame.columns
        )
        .cast({n: d for n, d in EVENT_SCHEMA.items() if n != "source"})  # type: ignore[arg-type]
        .with_row_index("event_id")
        .with_columns(pl.col("event_id").cast(pl.Int64))
    )


def _match_all(
    accounts: pl.DataFrame, frame: pl.DataFrame, *, fuzzy: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(event_id, row_id, match)`` pairs, the unmatched ``(event_id, reason)``, and the
    list's own events: file events are matched by domain and name, the list's by row_id."""
    files = frame.filter(pl.col("row_id").is_null())
    pairs, unmatched_ids = match_events(accounts, files, fuzzy=fuzzy)
    own = frame.filter(pl.col("row_id").is_not_null())
    known = own.join(accounts.select(pl.col("row_id").cast(pl.Int64)).unique(), on="row_id")
    pairs = pl.concat(
        [pairs, known.select("event_id", "row_id", pl.lit("list").alias("match"))]
    ).sort("event_id", "row_id")
    unmatched_ids = pl.concat(
        [
            unmatched_ids,
            own.join(known.select("event_id"), on="event_id", how="anti").select(
                "event_id", pl.lit("no account with this row_id").alias("reason")
            ),
        ]
    ).sort("event_id")
    return pairs, unmatched_ids, own


def _candidates(matched: pl.DataFrame, rules: Sequence[SignalRule], as_of: date) -> pl.DataFrame:
    """Every signal each rule yields (CANDIDATE_SCHEMA), with its age and decayed boost."""
    candidates = pl.concat(
        [rule_candidates(i, r, matched, as_of=as_of) for i, r in enumerate(rules)]
        or [pl.DataFrame(schema=CANDIDATE_SCHEMA)]
    )
    return _decay(candidates, rules, as_of)


def _count_too_old(candidates: pl.DataFrame) -> int:
    """Events older than ``max_age_days`` of every rule that would use them."""
    return (
        candidates.filter(pl.col("event_id").is_not_null())
        .group_by("event_id")
        .agg(pl.col("too_old").all())
        .filter(pl.col("too_old"))
        .height
    )


def _cite(signals: pl.DataFrame, frame: pl.DataFrame, matched: pl.DataFrame) -> pl.DataFrame:
    """Add `source`: the event line behind each signal, or the lines a derived one sums up."""
    lines = frame.select(
        "event_id", pl.format("{}:{}", pl.col("source"), pl.col("line")).alias("source")
    )
    point = signals.join(lines, on="event_id", how="left")
    kinds = {k: v for k, v in SOURCE_KIND.items()}
    rows = (
        matched.sort("line")
        .group_by("row_id", "kind", "source")
        .agg(pl.col("line").cast(pl.String).alias("lines"))
        .with_columns(
            pl.format(
                "{} line{} {}{}",
                pl.col("source"),
                pl.when(pl.col("lines").list.len() > 1).then(pl.lit("s")).otherwise(pl.lit("")),
                pl.col("lines").list.head(CITED_LINES).list.join(", "),
                pl.when(pl.col("lines").list.len() > CITED_LINES)
                .then(pl.format(" +{} more", pl.col("lines").list.len() - CITED_LINES))
                .otherwise(pl.lit("")),
            ).alias("_many")
        )
        .group_by("row_id", "kind")
        .agg(pl.col("_many").sort().str.join("; "))
        .rename({"kind": "_event_kind"})
    )
    return (
        point.with_columns(
            pl.col("kind").replace_strict(kinds, default=pl.col("kind")).alias("_event_kind")
        )
        .join(rows, on=["row_id", "_event_kind"], how="left")
        .with_columns(pl.coalesce("source", "_many").alias("source"))
        .drop("_event_kind", "_many")
    )


def _latest_rounds(matched: pl.DataFrame) -> pl.DataFrame:
    """Each account's latest funding round in the events files (FUNDING_SCHEMA): the stage
    of the latest round that names one, the date of the latest round, and its line."""
    rounds = matched.filter((pl.col("kind") == "funding") & ~pl.col("listed")).with_columns(
        stage_expr(pl.col("round_type")).alias("round_stage"),
        pl.format("{}:{}", pl.col("source"), pl.col("line")).alias("round_source"),
    )
    if not rounds.height:
        return pl.DataFrame(schema=FUNDING_SCHEMA)
    ordered = rounds.sort(["row_id", "date", "event_id"], descending=[False, True, False])
    latest = ordered.group_by("row_id", maintain_order=True).agg(
        pl.col("round_stage").drop_nulls().first(),
        pl.col("date").first().alias("round_date"),
        pl.col("round_source").filter(pl.col("round_stage").is_not_null()).first(),
        pl.col("round_source").first().alias("_date_source"),
    )
    return (
        latest.with_columns(pl.coalesce("round_source", "_date_source").alias("round_source"))
        .select(list(FUNDING_SCHEMA))
        .cast(FUNDING_SCHEMA)  # type: ignore[arg-type]
    )


def _events_frame(events: EventsLike | Sequence[EventsLike] | None) -> pl.DataFrame:
    """One events frame from an ``Events``, a frame, or a list of them (in order)."""
    if events is None:
        return empty_events()
    parts = [events] if isinstance(events, Events | pl.DataFrame) else list(events)
    frames = [e.events if isinstance(e, Events) else e for e in parts]
    if not frames:
        return empty_events()
    if len(frames) == 1:
        return frames[0]
    return pl.concat(
        [
            f.with_columns(
                pl.lit(None, dtype=dtype).alias(name)
                for name, dtype in EVENT_SCHEMA.items()
                if name not in f.columns
            ).cast({n: d for n, d in EVENT_SCHEMA.items() if n in f.columns})  # type: ignore[arg-type]
            for f in frames
        ],
        how="diagonal",
    )


def _drop_list_duplicates(matched: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop list rounds that a file event of the same account already reports.

    Same account, both ``funding``, the same stage (or either unknown), dates at most
    ``DUPLICATE_DAYS`` apart: the file's event is kept (it has the amount).
    """
    funding = matched.filter(pl.col("kind") == "funding").with_columns(
        stage_expr(pl.col("round_type")).alias("_stage")
    )
    from_list = funding.filter(pl.col("listed")).select("event_id", "row_id", "date", "_stage")
    from_files = funding.filter(~pl.col("listed")).select("row_id", "date", "_stage")
    if not from_list.height or not from_files.height:
        return matched, 0
    same = (
        from_list.join(from_files, on="row_id", suffix="_file")
        .filter(
            ((pl.col("date") - pl.col("date_file")).dt.total_days().abs() <= DUPLICATE_DAYS)
            & (
                pl.col("_stage").is_null()
                | pl.col("_stage_file").is_null()
                | (pl.col("_stage") == pl.col("_stage_file"))
            )
        )
        .select("event_id", "row_id")
        .unique()
    )
    kept = matched.join(same, on=["event_id", "row_id"], how="anti")
    return kept, same["event_id"].n_unique()


def _decay(candidates: pl.DataFrame, rules: Sequence[SignalRule], as_of: date) -> pl.DataFrame:
    """Add ``age_days``, ``too_old`` and the decayed ``boost`` (unrounded) per candidate."""
    half_life = pl.Series([r.half_life_days for r in rules], dtype=pl.Float64)
    max_age = pl.Series([r.max_age_days for r in rules], dtype=pl.Float64)
    age = (pl.lit(as_of) - pl.col("date")).dt.total_days().cast(pl.Int64)
    hl = pl.col("rule").replace_strict(range(len(rules)), half_life, default=None)
    limit = pl.col("rule").replace_strict(range(len(rules)), max_age, default=None)
    return candidates.with_columns(age.alias("age_days")).with_columns(
        (pl.col("age_days") > limit).fill_null(False).alias("too_old"),
        pl.when(hl.is_null())
        .then(pl.col("raw_boost"))
        .otherwise(pl.col("raw_boost") * pl.lit(0.5).pow(pl.col("age_days") / hl))
        .alias("boost"),
    )


def _combine(candidates: pl.DataFrame, rules: Sequence[SignalRule]) -> pl.DataFrame:
    """Apply each rule's combine: strongest keeps one signal, sum keeps all and caps."""
    order = ["row_id", "rule", "boost", "date", "label", "event_id"]
    ranked = candidates.filter(pl.col("boost") > 0).sort(
        order, descending=[False, False, True, True, False, False], nulls_last=True
    )
    strongest = [i for i, r in enumerate(rules) if r.combine == "strongest"]
    caps = pl.Series([r.cap for r in rules], dtype=pl.Float64)
    kept = ranked.filter(
        ~pl.col("rule").is_in(strongest) | (pl.int_range(pl.len()).over("row_id", "rule") == 0)
    )
    cap = pl.col("rule").replace_strict(range(len(rules)), caps, default=None)
    total = pl.col("boost").sum().over("row_id", "rule")
    return kept.with_columns(
        pl.when(cap.is_not_null() & (total > cap)).then(cap).otherwise(total).alias("rule_total")
    )


def _age_text(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age == 0)
        .then(pl.lit("today"))
        .when(age == 1)
        .then(pl.lit("1 day ago"))
        .otherwise(pl.format("{} days ago", age))
    )


def _summarise(signals: pl.DataFrame) -> pl.DataFrame:
    """One row per account: score, why_now, the signals strongest first, last date."""
    if not signals.height:
        return pl.DataFrame(schema=SCORES_SCHEMA)
    per_rule = signals.group_by("row_id", "rule").agg(pl.col("rule_total").first())
    score = per_rule.group_by("row_id").agg(
        pl.col("rule_total").sum().round(1, mode="half_away_from_zero").alias("signal_score")
    )
    ordered = signals.sort(
        ["row_id", "boost", "date", "kind", "label", "rule"],
        descending=[False, True, True, False, False, False],
        nulls_last=True,
    ).with_columns(
        pl.format("{}, {}", pl.col("label"), _age_text(pl.col("age_days"))).alias("phrase"),
        pl.col("boost").round(2, mode="half_away_from_zero"),
    )
    listed = ordered.group_by("row_id", maintain_order=True).agg(
        pl.col("phrase").head(WHY_NOW_SIGNALS).str.join(" · ").alias("why_now"),
        pl.struct([f.name for f in SIGNAL_STRUCT.fields]).alias("signals"),
        pl.col("date").max().alias("last_signal_date"),
    )
    return (
        score.join(listed, on="row_id")
        .select(list(SCORES_SCHEMA))
        .sort("row_id")
        .cast(SCORES_SCHEMA)  # type: ignore[arg-type]
    )
