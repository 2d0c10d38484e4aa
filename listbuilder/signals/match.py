"""Match events to accounts: registrable domain, then exact name key, then fuzzy name.

An event matches by name only when the event's domain and the account's domain
do not contradict each other (one of them is missing, or a platform domain).
Several accounts sharing the event's name key are told apart by the exact name
(casefolded, whitespace collapsed: "Echo Networks Limited" is not "Echo Networks
Ltd") when the event's name says more than its key (a legal form), then by the
country when the event gives one. A name that still fits several accounts equally
well is ambiguous and left unmatched, with the reason, rather than guessed.
"""

from __future__ import annotations

import polars as pl

FUZZY_THRESHOLD = 90.0  # rapidfuzz ratio (edit similarity, word order kept), 0-100
MAX_BLOCK = 2_000  # accounts sharing a first name token beyond which fuzzy matching skips


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """The shared name key (``normalize.names``), imported late so rules load without it."""
    from listbuilder.normalize.names import name_key_expr as shared

    return shared(expr)


def registrable_domains(values: pl.Series) -> pl.Series:
    """Registrable domains (``normalize.domains``, offline tldextract)."""
    from listbuilder.normalize.domains import registrable_domain_series

    return registrable_domain_series(values)


def platform_domains() -> frozenset[str]:
    """Domains that identify a platform (linkedin.com, angel.co ...), never a company."""
    from listbuilder.normalize.domains import PLATFORM_DOMAINS

    return frozenset(PLATFORM_DOMAINS)


def raw_name_expr(expr: pl.Expr) -> pl.Expr:
    """A company name as written, up to case and whitespace: the tie-breaker of name keys."""
    text = expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text != "").then(text)


# Columns of a list that hold the vendor's own company id; an event's `company_id`
# (read from `company_permalink`, `company_uuid`...) is matched against the first of them
# the list has, exactly (case-insensitive), before any domain or name.
ID_COLUMNS: tuple[str, ...] = (
    "permalink",
    "company_permalink",
    "company_id",
    "company_uuid",
    "organization_uuid",
    "uuid",
)


def account_id_column(accounts: pl.DataFrame) -> str | None:
    """The list's id column shared with events files (`ID_COLUMNS`), or None."""
    for name in ID_COLUMNS:
        if name in accounts.columns and accounts.schema[name] == pl.String:
            return name
    return None


def _id_pairs(accounts: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """`(event_id, row_id, match="id")` for events whose `company_id` is an account's id."""
    column = account_id_column(accounts)
    if column is None or "company_id" not in events.columns:
        return pl.DataFrame(schema={"event_id": pl.Int64, "row_id": pl.Int64, "match": pl.String})
    ids = (
        accounts.select(pl.col(column).str.strip_chars().str.to_lowercase().alias("_id"), "row_id")
        .drop_nulls()
        .unique("_id", keep="first", maintain_order=True)
    )
    return (
        events.filter(pl.col("company_id").is_not_null())
        .select("event_id", pl.col("company_id").str.strip_chars().str.to_lowercase().alias("_id"))
        .join(ids, on="_id")
        .select(
            pl.col("event_id").cast(pl.Int64),
            pl.col("row_id").cast(pl.Int64),
            pl.lit("id").alias("match"),
        )
    )


def match_events(
    accounts: pl.DataFrame, events: pl.DataFrame, *, fuzzy: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pairs ``(event_id, row_id, match)`` and the unmatched ``(event_id, reason)``.

    ``events`` needs ``event_id, domain, company_name`` (``country``, ISO2, optional);
    ``accounts`` needs ``row_id, name_key, domain, domain_is_platform`` (``name`` and
    ``country`` optional: they break ties between accounts sharing a name key). When both
    sides carry a company id (events ``company_id``, the list one of ``ID_COLUMNS``), an
    event whose id is an account's matches it by id (``match = "id"``) and nothing else.
    """
    by_id = _id_pairs(accounts, events)
    if by_id.height:
        events = events.join(by_id.select("event_id"), on="event_id", how="anti")
    if "country" not in events.columns:
        events = events.with_columns(pl.lit(None, dtype=pl.String).alias("country"))
    acc = _account_keys(accounts)
    # Everything below runs once per distinct (domain, company name, country), not per event.
    ev = _event_keys(events)
    by_domain = (
        ev.filter(pl.col("e_domain").is_not_null())
        .join(
            acc.filter(pl.col("a_domain").is_not_null()).select("row_id", "a_domain"),
            left_on="e_domain",
            right_on="a_domain",
        )
        .select("key_id", "row_id", pl.lit("domain").alias("match"))
    )
    rest = ev.join(by_domain.select("key_id").unique(), on="key_id", how="anti")
    by_name, reasons = _match_names(rest, acc, fuzzy=fuzzy)
    keyed = events.select("event_id", "domain", "company_name", "country").join(
        ev.select("key_id", "domain", "company_name", "country"),
        on=["domain", "company_name", "country"],
        nulls_equal=True,
    )
    pairs = pl.concat(
        [
            keyed.join(pl.concat([by_domain, by_name]), on="key_id").select(
                "event_id", pl.col("row_id").cast(pl.Int64), "match"
            ),
            by_id,
        ]
    ).sort("event_id", "row_id")
    unmatched = keyed.join(reasons, on="key_id").select("event_id", "reason").sort("event_id")
    return pairs, unmatched


def _account_keys(accounts: pl.DataFrame) -> pl.DataFrame:
    """What an account is matched on: name key, domain (not a platform's), raw name, country."""
    null = pl.lit(None, dtype=pl.String)
    return accounts.select(
        pl.col("row_id"),
        pl.col("name_key"),
        pl.when(pl.col("domain_is_platform").fill_null(False))
        .then(None)
        .otherwise(pl.col("domain"))
        .alias("a_domain"),
        (
            raw_name_expr(pl.col("name").cast(pl.String)) if "name" in accounts.columns else null
        ).alias("a_raw"),
        (pl.col("country").cast(pl.String) if "country" in accounts.columns else null).alias(
            "a_country"
        ),
    )


def _event_keys(events: pl.DataFrame) -> pl.DataFrame:
    """Each distinct (domain, company name, country) of the events (``key_id``) with what it
    is matched on: registrable domain (not a platform's), name key, raw name, country."""
    platforms = pl.Series(sorted(platform_domains()), dtype=pl.String)
    ev = events.select("domain", "company_name", "country").unique().with_row_index("key_id")
    domains = ev.select(pl.col("domain").drop_nulls().unique())
    domains = domains.with_columns(
        registrable_domains(domains["domain"]).alias("e_domain")
    ).with_columns(
        pl.when(pl.col("e_domain").is_in(platforms.implode()))
        .then(None)
        .otherwise(pl.col("e_domain"))
        .alias("e_domain")
    )
    names = ev.select(pl.col("company_name").drop_nulls().unique())
    names = names.with_columns(
        name_key_expr(pl.col("company_name")).alias("e_key"),
        raw_name_expr(pl.col("company_name")).alias("e_raw"),
    )
    return (
        ev.join(domains, on="domain", how="left")
        .join(names, on="company_name", how="left")
        .with_columns(pl.col("country").str.to_uppercase().alias("e_country"))
    )


def _match_names(
    rest: pl.DataFrame, acc: pl.DataFrame, *, fuzzy: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Event keys no domain matched: ``(key_id, row_id, match)`` by exact name key, then
    fuzzy name, and ``(key_id, reason)`` for the ones left unmatched."""
    # Exact name key, decided once per distinct (key, event domain, raw name, country).
    combos = rest.filter(pl.col("e_key").is_not_null()).select(*_COMBO).unique()
    exact = _compatible(
        combos.join(
            acc.filter(pl.col("name_key").is_not_null()), left_on="e_key", right_on="name_key"
        )
    )
    exact_choice = _decide(exact.with_columns(pl.lit(100.0).alias("score")), "name", ties=True)

    undecided = combos.join(
        exact_choice.select(*_COMBO), on=list(_COMBO), how="anti", nulls_equal=True
    )
    fuzzy_choice = _decide(_fuzzy_pairs(undecided, acc), "fuzzy") if fuzzy else exact_choice.clear()
    choice = pl.concat([exact_choice, fuzzy_choice])

    resolved = rest.join(choice, on=list(_COMBO), how="left", nulls_equal=True)
    by_name = resolved.filter(pl.col("row_id").is_not_null()).select("key_id", "row_id", "match")
    reasons = resolved.filter(pl.col("row_id").is_null()).select(
        "key_id",
        pl.when(pl.col("candidates") > 1)
        .then(pl.format("name matches {} accounts equally well", pl.col("candidates")))
        .when(pl.col("e_key").is_null() & pl.col("e_domain").is_null())
        .then(pl.lit("no usable domain or name"))
        .otherwise(pl.lit("no account with this domain or name"))
        .alias("reason"),
    )
    return by_name, reasons


# What a name match is decided on: the event's name key, domain, exact name and country.
_COMBO = ("e_key", "e_domain", "e_raw", "e_country")


def _compatible(pairs: pl.DataFrame) -> pl.DataFrame:
    """Drop name pairs whose event and account domains are both known and differ."""
    return pairs.filter(
        pl.col("e_domain").is_null()
        | pl.col("a_domain").is_null()
        | (pl.col("e_domain") == pl.col("a_domain"))
    )


def _decide(pairs: pl.DataFrame, how: str, *, ties: bool = False) -> pl.DataFrame:
    """Per name combo: the single best account, or none with a candidate count.

    With ``ties``, accounts tied on score are narrowed to those with the event's exact
    name (when any has it), then to those in the event's country (when it gives one):
    a single account left is the match.
    """
    group = list(_COMBO)
    best = pairs.filter(pl.col("score") == pl.col("score").max().over(group))
    if ties:
        # Only a name that says more than its key (a legal form: "Echo Networks Limited")
        # singles an account out: feeds drop legal forms, so a bare "Tolliver Provisions"
        # is as likely "Tolliver Provisions Ltd." as the account named exactly that.
        said = pl.col("e_raw").str.replace_all("&", " and ", literal=True)
        more = said.str.count_matches(r"[\p{L}\p{N}]+") > pl.col("e_key").str.count_matches(r"\S+")
        same_name = ((pl.col("a_raw") == pl.col("e_raw")) & more).fill_null(False)
        narrowed = best.filter(same_name | ~same_name.any().over(group))
        same_country = (pl.col("a_country") == pl.col("e_country")).fill_null(False)
        by_country = narrowed.filter(same_country)
        picked = pl.concat(
            [
                narrowed.filter(pl.len().over(group) == 1),
                by_country.filter(pl.len().over(group) == 1),
            ]
        ).unique(subset=group, keep="first", maintain_order=True)
    else:
        picked = best.filter(pl.len().over(group) == 1)
    counts = best.group_by(group).agg(pl.len().cast(pl.Int64).alias("candidates"))
    return counts.join(
        picked.select(*group, pl.col("row_id").cast(pl.Int64)),
        on=group,
        how="left",
        nulls_equal=True,
    ).select(*group, "row_id", pl.lit(how).alias("match"), "candidates")


def _first_token(expr: pl.Expr) -> pl.Expr:
    return expr.str.extract(r"^(\S+)", 1)


def _fuzzy_pairs(combos: pl.DataFrame, acc: pl.DataFrame) -> pl.DataFrame:
    """Candidate pairs blocked on the first token of the name key, scored with rapidfuzz."""
    schema = {
        **dict.fromkeys(_COMBO, pl.String),
        "row_id": pl.Int64,
        "score": pl.Float64,
    }
    queries = combos.filter(pl.col("e_key").is_not_null())
    if not queries.height:
        return pl.DataFrame(schema=schema)
    accounts = acc.filter(pl.col("name_key").is_not_null()).with_columns(
        _first_token(pl.col("name_key")).alias("token")
    )
    sizes = accounts.group_by("token").len()
    accounts = accounts.join(sizes.filter(pl.col("len") <= MAX_BLOCK).select("token"), on="token")
    pairs = _compatible(
        queries.with_columns(_first_token(pl.col("e_key")).alias("token")).join(
            accounts, on="token"
        )
    )
    if not pairs.height:
        return pl.DataFrame(schema=schema)
    import numpy as np  # rapidfuzz's batch functions return numpy arrays
    from rapidfuzz import fuzz, process

    scores = process.cpdist(
        pairs["e_key"].to_list(),
        pairs["name_key"].to_list(),
        scorer=fuzz.ratio,
        workers=-1,
        dtype=np.float64,
    )
    return (
        pairs.with_columns(pl.Series("score", scores, dtype=pl.Float64))
        .filter(pl.col("score") >= FUZZY_THRESHOLD)
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )
