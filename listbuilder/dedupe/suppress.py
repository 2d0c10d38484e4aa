"""Suppression: remove what the CRM already owns, matched with the dedupe matcher.

``read_suppression(paths)`` reads HubSpot, Salesforce or plain CSV exports
through header aliases into one frame of CRM records. ``suppress_companies``
drops every company that matches a suppressing record — on the same company
domain, or by fuzzy name within blocks — with the reason (``suppressed:
customer``) and the record it matched (``CRM 123 "Acme Inc" acme.com``).
A record suppresses when it is do-not-contact, a customer, an open
opportunity or owned by a rep; a plain list with none of those columns is a
do-not-contact list.

How a record matches (thresholds and policies in ``DedupeSettings``):

1. Same company domain: that account, whatever the name.
2. A record matched by domain is that company: by name it matches other accounts
   only where they agree on city (else country) with an account on its domain and
   conflict with it on neither size nor founding year (a namesake on a platform page
   abroad is not the company). By name a record never matches an account in another
   country (its country, when the export has one).
3. Otherwise by name (the matcher's name rules; a record without a city is blocked
   on its name alone, so it meets its account in any city). Under
   ``name_threshold_no_city``, down to ``suppress_unique_threshold``, only the
   record's only candidate: a match when the countries agree, an uncertain one when
   the record has no country. Namesakes of a candidate are candidates too.
4. Candidates that are different companies (different company domains, cities or
   countries) make the record ambiguous, unless exactly one has the same raw name, or
   the same name key and the record's city/country (detail ``exact name, 1 of 3
   candidates``). Ambiguous and uncertain records follow ``ambiguous_do_not_contact``
   (default: suppress every candidate, ``ambiguous name match, 3 candidates``) or
   ``ambiguous_other`` (default: flag them).

The kept accounts carry ``crm_possible_match``: the flagged records, e.g.
``CRM 7 "Wakefield Advisors" (customer; ambiguous name match, 2 candidates)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from listbuilder.dedupe.matcher import (
    candidate_pairs,
    compare,
    domain_pairs,
    link_model,
    prepare_sides,
    score_pairs,
)
from listbuilder.dedupe.model import probability_text
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.errors import InputError
from listbuilder.schema import REJECT_SCHEMA

STAGE = "suppress"

# CRM field -> accepted headers, compared lowercase with everything but letters/digits removed.
CRM_ALIASES: dict[str, tuple[str, ...]] = {
    field: tuple(aliases.split())
    for field, aliases in {
        "crm_id": "recordid id accountid companyid hubspotid crmid salesforceid hsobjectid",
        "crm_name": "name companyname accountname company organization organisation account",
        "crm_website": "companydomainname domain website websiteurl companywebsite url "
        "companydomain emaildomain",
        "crm_stage": "lifecyclestage stage type accounttype status customerstatus "
        "opportunitystage lifecycle",
        "crm_owner": "companyowner owner accountowner ownername hubspotowner contactowner rep "
        "salesrep accountmanager",
        "crm_dnc": "donotcontact dnc donotcall emailoptout optout donotemail hasoptedoutofemail "
        "suppressed",
        "crm_country": "country billingcountry countryregion countrycode",
        "crm_city": "city billingcity",
    }.items()
}

CRM_SCHEMA: dict[str, pl.DataType] = {
    "crm_source": pl.String(),
    "crm_line": pl.Int64(),
    "crm_id": pl.String(),
    "crm_name": pl.String(),
    "crm_website": pl.String(),
    "crm_stage": pl.String(),  # customer / opportunity / lead / other
    "crm_owner": pl.String(),
    "crm_dnc": pl.Boolean(),
    "crm_country": pl.String(),
    "crm_city": pl.String(),
    "crm_plain": pl.Boolean(),  # the file had no stage, owner or do-not-contact column
}

_TRUE = ("true", "yes", "y", "1", "x", "t")
_REASON_RANK = {
    "suppressed: do not contact": 0,
    "suppressed: customer": 1,
    "suppressed: open opportunity": 2,
}


def _norm_header(h: str) -> str:
    return re.sub(r"[^a-z0-9]", "", h.lower())


def _read_one(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: CRM export not found; check the path given to --suppress")
    try:
        raw = pl.read_csv(
            path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the CRM export as CSV ({first})") from None
    headers = {_norm_header(h.lstrip("\ufeff")): h for h in raw.columns}
    picked: dict[str, str] = {}
    for field, aliases in CRM_ALIASES.items():
        for alias in aliases:
            if alias in headers and headers[alias] not in picked.values():
                picked[field] = headers[alias]
                break
    if "crm_name" not in picked and "crm_website" not in picked:
        raise InputError(
            f"{path}: no company name or domain column in the CRM export; "
            'add a header such as "Name" or "Company domain name"'
        )
    plain = not any(f in picked for f in ("crm_stage", "crm_owner", "crm_dnc"))
    cols = []
    for field in CRM_SCHEMA:
        if field in picked:
            value = pl.col(picked[field]).str.strip_chars()
            cols.append(pl.when(value == "").then(None).otherwise(value).alias(field))
        elif field not in ("crm_source", "crm_line", "crm_plain"):
            cols.append(pl.lit(None, dtype=pl.String).alias(field))
    out = raw.select(cols).with_columns(
        crm_source=pl.lit(str(path)),
        crm_line=pl.int_range(2, raw.height + 2, dtype=pl.Int64),
        crm_plain=pl.lit(plain),
        crm_dnc=pl.col("crm_dnc").str.to_lowercase().is_in(_TRUE).fill_null(False),
        crm_stage=_stage_expr(pl.col("crm_stage")),
    )
    return out.select(list(CRM_SCHEMA)).cast(CRM_SCHEMA)  # type: ignore[arg-type]


def _stage_expr(stage: pl.Expr) -> pl.Expr:
    s = stage.str.to_lowercase()
    return (
        pl.when(s.str.contains("customer"))
        .then(pl.lit("customer"))
        .when(s.str.contains("opportunit") | s.is_in(["sql", "salesqualifiedlead"]))
        .then(pl.lit("opportunity"))
        .when(s.str.contains("lead"))
        .then(pl.lit("lead"))
        .when(s.is_not_null())
        .then(pl.lit("other"))
        .otherwise(None)
    )


def read_suppression(paths: Sequence[str | Path]) -> pl.DataFrame:
    """Read CRM exports (HubSpot, Salesforce or plain CSV) into one frame of CRM records."""
    frames = [_read_one(Path(p)) for p in paths]
    if not frames:
        return pl.DataFrame(schema=CRM_SCHEMA)
    return pl.concat(frames)


def _reason(settings: DedupeSettings) -> pl.Expr:
    owned = pl.col("crm_owner").is_not_null() & pl.lit(settings.suppress_owned)
    return (
        pl.when(pl.col("crm_dnc") | pl.col("crm_plain"))
        .then(pl.lit("suppressed: do not contact"))
        .when(pl.col("crm_stage") == "customer")
        .then(pl.lit("suppressed: customer"))
        .when(pl.col("crm_stage") == "opportunity")
        .then(pl.lit("suppressed: open opportunity"))
        .when(owned)
        .then(pl.concat_str([pl.lit("suppressed: owned by "), pl.col("crm_owner")]))
        .otherwise(None)
    )


_LEGAL = r"\b(inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|sas|bv|plc|pty|srl)\b"


def _name_key_expr(expr: pl.Expr) -> pl.Expr:
    """normalize's name key when available; else a minimal legal-form-free casefold."""
    try:
        from listbuilder.normalize.names import name_key_expr
    except ImportError:
        return (
            expr.str.to_lowercase()
            .str.replace_all(r"[^\p{L}\p{N} ]+", " ")
            .str.replace_all(_LEGAL, " ")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
        )
    return name_key_expr(expr)


def _crm_derived(crm: pl.DataFrame) -> pl.DataFrame:
    """Add name_key, domain, domain_is_platform and an ISO2 country to CRM records."""
    from listbuilder.normalize import domains, geo

    return crm.with_columns(
        name=pl.col("crm_name"),
        name_key=_name_key_expr(pl.col("crm_name")),
        domain=domains.registrable_domain_series(crm["crm_website"]),
        # ISO2 like the list's (a CRM's "United States" must not conflict with "US")
        country=geo.parse_country_series(crm["crm_country"]),
        city=pl.col("crm_city"),
    ).with_columns(
        domain_is_platform=pl.col("domain").is_in(sorted(domains.PLATFORM_DOMAINS)).fill_null(False)
    )


def suppress_companies(
    df: pl.DataFrame, crm: pl.DataFrame, *, settings: DedupeSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop companies the CRM owns; rejects say why and name the CRM record matched.

    The kept accounts gain ``crm_possible_match`` (String, last column): the CRM
    records the account may be (ambiguous or uncertain name matches under a "flag"
    policy), joined with ``; ``, else null.
    """
    settings = settings or DedupeSettings()
    records = crm.with_columns(_reason=_reason(settings)).filter(pl.col("_reason").is_not_null())
    if df.height == 0 or records.height == 0:
        return _with_possible(df, None), pl.DataFrame(schema=REJECT_SCHEMA)
    records = _crm_derived(records).with_columns(
        _rrank=pl.col("_reason").replace_strict(_REASON_RANK, default=3, return_dtype=pl.Int64),
        _detail=_detail_expr(),
    )
    n0 = df.height
    m0, m1 = prepare_sides(df, records)
    crm_cols = records.select(
        c=pl.int_range(n0, n0 + records.height, dtype=pl.UInt32),
        _reason="_reason",
        _rrank="_rrank",
        _detail="_detail",
        _line=pl.col("crm_line"),
        _policy=pl.when(pl.col("_reason") == DNC)
        .then(pl.lit(settings.ambiguous_do_not_contact))
        .otherwise(pl.lit(settings.ambiguous_other)),
    )
    matches, ambiguous = _match_records(df, records, m0, m1, settings)
    ambiguous = ambiguous.join(crm_cols.select("c", "_policy"), on="c")
    best = _best_matches(pl.concat([matches, _suppressing(ambiguous)]).join(crm_cols, on="c"))
    flags = _possible_matches(ambiguous, crm_cols, best)
    indexed = df.with_row_index("_r")
    hit = indexed.join(best.rename({"r": "_r"}), on="_r", how="inner").sort("_r")
    kept = indexed.join(best.select(_r="r"), on="_r", how="anti").sort("_r")
    kept = _with_possible(kept, flags.rename({"r": "_r"})).drop("_r")
    rejects = hit.select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        stage=pl.lit(STAGE),
        reason=pl.col("_reason"),
        name=_text(df, "name"),
        domain=_text(df, "domain"),
        detail=pl.concat_str([pl.col("_detail"), pl.col("note").fill_null("")]),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
    return kept, rejects


def _match_records(
    df: pl.DataFrame,
    records: pl.DataFrame,
    m0: pl.DataFrame,
    m1: pl.DataFrame,
    settings: DedupeSettings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The matches of accounts (``r``) and suppressing records (``c``), as (the sure ones
    with their ``kind``: by domain, by name, resolved; the ambiguous and uncertain ones).
    Both carry ``name`` (the probability in thousandths) and ``note``."""
    acc = m0.select(
        r="_i", _dom="_dom", _city="_city", _country="_country", _emp="_emp",
        _founded="_founded", _key="_key",
        _raw=df.select(_raw_name(df, "name")).to_series(),
    )  # fmt: skip
    rec = m1.select(
        c="_i", _ccity="_city", _ccountry="_country", _ckey="_key",
        _craw=records.select(_raw_name(records, "crm_name")).to_series(),
    )  # fmt: skip
    by_domain = domain_pairs(m0, m1) if settings.suppress_on_domain else _no_pairs()
    by_name = _name_pairs(pl.concat([m0, m1]), settings).join(by_domain, on=["r", "c"], how="anti")
    # A CRM record matched by domain is that company: it matches other accounts by name
    # only where they agree on city/country with it and conflict on neither size nor
    # founding year. Without a domain match, candidates go through the ambiguity rule.
    anchored = by_name.join(by_domain.select("c").unique(), on="c", how="semi")
    anchored = _agree_with_domain_match(anchored.filter(~pl.col("weak")), by_domain, acc, settings)
    floating = by_name.join(by_domain.select("c").unique(), on="c", how="anti")
    floating, unsure = _unique_weak(floating, acc, rec)
    sure, resolved, ambiguous = _ambiguity(floating, acc, rec)
    # without a country to confirm it, a match under the usual threshold is not sure
    # either: it follows the ambiguity policy of its record
    ambiguous = pl.concat([ambiguous, unsure.select(ambiguous.columns)])
    matches = pl.concat(
        [
            by_domain.with_columns(
                kind=pl.lit(_DOMAIN, pl.Int32), name=pl.lit(1000, pl.Int64), note=_NO_NOTE
            ),
            pl.concat([anchored.select(sure.columns), sure]).select(
                "r", "c", kind=pl.lit(_NAME, pl.Int32), name="name", note="note"
            ),
            resolved.select("r", "c", kind=pl.lit(_RESOLVED, pl.Int32), name="name", note="note"),
        ]
    )
    return matches, ambiguous


def _suppressing(ambiguous: pl.DataFrame) -> pl.DataFrame:
    """The ambiguous matches whose record's policy is to suppress every candidate."""
    return ambiguous.filter(pl.col("_policy") == "suppress").select(
        "r", "c", kind=pl.lit(_AMBIGUOUS, pl.Int32), name="name", note="note"
    )


def _best_matches(matches: pl.DataFrame) -> pl.DataFrame:
    """Per account, the match that suppresses it: the strongest reason first; an
    ambiguous match only when nothing surer applies."""
    return (
        matches.with_columns(_vague=pl.col("kind") == _AMBIGUOUS)
        .sort(
            ["r", "_vague", "_rrank", "kind", "name", "_line", "c"],
            descending=[False, False, False, False, True, False, False],
        )
        .group_by("r", maintain_order=True)
        .first()
    )


def _possible_matches(
    ambiguous: pl.DataFrame, crm_cols: pl.DataFrame, best: pl.DataFrame
) -> pl.DataFrame:
    """(r, ``crm_possible_match``) for kept accounts with flagged records: each record's
    detail, reason and note, joined with ``; ``."""
    return (
        ambiguous.filter(pl.col("_policy") == "flag")
        .join(crm_cols, on="c")
        .join(best.select("r"), on="r", how="anti")
        .sort("r", "_rrank", "_line", "c")
        .group_by("r", maintain_order=True)
        .agg(
            pl.concat_str(
                [
                    pl.col("_detail"),
                    pl.lit(" ("),
                    pl.col("_reason").str.strip_prefix("suppressed: "),
                    pl.lit("; "),
                    pl.col("note").str.strip_prefix(" (").str.strip_suffix(")"),
                    pl.lit(")"),
                ]
            )
            .unique(maintain_order=True)
            .str.join("; ")
            .alias(POSSIBLE_MATCH)
        )
    )


POSSIBLE_MATCH = "crm_possible_match"
DNC = "suppressed: do not contact"
# How an account matched a CRM record, surest first (ranks an account's matches).
_DOMAIN, _NAME, _RESOLVED, _AMBIGUOUS = 0, 1, 2, 3
_NO_NOTE = pl.lit(None, pl.String)
# The unique-match threshold applies to names of at least this many letters (name key):
# one typo in a short name lands on another short name too often.
_UNIQUE_MIN_LETTERS = 8
_PAIR_SCHEMA = {"r": pl.UInt32, "c": pl.UInt32}


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(schema=_PAIR_SCHEMA)


def _with_possible(df: pl.DataFrame, flags: pl.DataFrame | None) -> pl.DataFrame:
    """``df`` with ``crm_possible_match`` from ``flags`` (``_r``, text) or null."""
    df = df.drop(POSSIBLE_MATCH, strict=False)
    if flags is None or flags.height == 0:
        return df.with_columns(pl.lit(None, pl.String).alias(POSSIBLE_MATCH))
    return df.join(flags, on="_r", how="left")


def _raw_name(df: pl.DataFrame, column: str) -> pl.Expr:
    """The name as written, lowercased and with whitespace collapsed ("exact name")."""
    if column not in df.columns:
        return pl.lit(None, pl.String).alias("_raw")
    raw = pl.col(column).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(raw != "").then(raw).alias("_raw")


def _name_pairs(m: pl.DataFrame, settings: DedupeSettings) -> pl.DataFrame:
    """(r, c, rule, name, weak, note): pairs the match model accepts down to
    ``suppress_unique_probability`` (``weak`` under ``match_probability``); ``name`` is
    the match probability in thousandths (it orders a record's candidates).

    CRM records without a city are also blocked on their name alone (any country), so
    a record that only has a name meets its account wherever the list places it.
    """
    low = min(settings.match_probability, settings.suppress_unique_probability)
    anywhere = (pl.col("_side") == 1) & pl.col("_city").is_null()
    pairs = candidate_pairs(m, settings, anywhere=anywhere)
    levels = compare(m, pairs, settings)
    model = link_model(m, levels, settings, accounts=int((m["_side"] == 0).sum()))
    # Every pair at the low threshold, and every same-name pair whatever its probability:
    # a record whose name fits several accounts is judged by the ambiguity rule (a
    # do-not-contact record suppresses every namesake), not dropped as improbable.
    scored = score_pairs(
        m, pairs, settings, model=model, levels=levels, drop_ambiguous=False, keep_all=True
    )
    scored = scored.filter(_candidate(low))
    # Every namesake of an account a record matched (same name key) is a candidate too,
    # whether or not blocking put it beside the record: ambiguity is judged on all.
    side = m.select("_i", "_side", "_compact").filter(pl.col("_compact").is_not_null())
    found = scored.select(r=pl.min_horizontal("i", "j"), c=pl.max_horizontal("i", "j"))
    found = found.join(side.select(r="_i", _compact="_compact"), on="r")
    namesakes = side.filter(pl.col("_side") == 0).select(i="_i", _compact="_compact")
    more = (
        found.join(namesakes, on="_compact")
        .select(pl.col("i").cast(pl.UInt32), j=pl.col("c").cast(pl.UInt32))
        .unique()
        .join(pairs, on=["i", "j"], how="anti")
    )
    if more.height:
        extra = score_pairs(m, more, settings, model=model, drop_ambiguous=False, keep_all=True)
        scored = pl.concat([scored, extra.filter(_candidate(low))])
    return scored.select(
        r=pl.min_horizontal("i", "j").cast(pl.UInt32),
        c=pl.max_horizontal("i", "j").cast(pl.UInt32),
        rule=pl.col("rule").cast(pl.Int32),
        name=(pl.col("p") * 1000).round(0).cast(pl.Int64),
        # a name that is only alike (a typo) under the usual threshold; the same name
        # under it goes through the ambiguity rule like any sure one
        weak=(pl.col("p") < settings.match_probability) & (pl.col("lv_name") > 1),
        note=_NO_NOTE,
    )


def _candidate(low: float) -> pl.Expr:
    """A name match worth a look: at ``low`` or the same name, never in another country
    (by name, a record never matches an account abroad) nor on another domain."""
    same_name = pl.col("lv_name").is_in([0, 1]) & (pl.col("lv_domain") != 2)
    return ((pl.col("p") >= low) | same_name) & (pl.col("lv_country") != 1)


def _unique_weak(
    p: pl.DataFrame, acc: pl.DataFrame, rec: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Matches under ``name_threshold_no_city``: kept only when the CRM record's only
    candidate with both names of at least 8 letters. Returns (the pairs, with those
    whose country agrees; those the record has no country to confirm), with ``note``."""
    p = (
        p.with_columns(_n=pl.len().over("c"))
        .join(acc.select("r", _country="_country", _len=pl.col("_key").str.len_chars()), on="r")
        .join(rec.select("c", "_ccountry", _clen=pl.col("_ckey").str.len_chars()), on="c")
    )
    unique = (pl.col("_n") == 1) & (pl.min_horizontal("_len", "_clen") >= _UNIQUE_MIN_LETTERS)
    confirmed = (pl.col("_ccountry") == pl.col("_country")).fill_null(False)
    probability = probability_text(pl.col("name") / 1000)
    note = pl.concat_str(
        [
            pl.lit(" (p "),
            probability,
            pl.lit(", only candidate"),
            pl.when(confirmed).then(pl.lit(", same country")).otherwise(pl.lit(", no country")),
            pl.lit(")"),
        ]
    )
    p = p.with_columns(note=pl.when(pl.col("weak")).then(note).otherwise(pl.col("note")))
    cols = ["r", "c", "rule", "name", "weak", "note"]
    sure = p.filter(~pl.col("weak") | (unique & confirmed)).select(cols)
    unsure = p.filter(pl.col("weak") & unique & pl.col("_ccountry").is_null()).select(cols)
    return sure, unsure


def _agree(prefix_a: str, prefix_b: str) -> pl.Expr:
    """Same city when both have one, else same country when both have one; else no."""
    ca, cb = pl.col(f"{prefix_a}city"), pl.col(f"{prefix_b}city")
    na, nb = pl.col(f"{prefix_a}country"), pl.col(f"{prefix_b}country")
    return (
        pl.when(ca.is_not_null() & cb.is_not_null())
        .then(ca == cb)
        .when(na.is_not_null() & nb.is_not_null())
        .then(na == nb)
        .otherwise(pl.lit(False))
    )


def _agree_with_domain_match(
    anchored: pl.DataFrame, by_domain: pl.DataFrame, acc: pl.DataFrame, settings: DedupeSettings
) -> pl.DataFrame:
    """Name matches of a CRM record matched by domain: only accounts that agree with (one
    of) the accounts on its domain on city/country, with no size or founding conflict."""
    if anchored.height == 0:
        return anchored
    attrs = ["_city", "_country", "_emp", "_founded"]
    a = acc.select("r", *[pl.col(x).alias(f"a{x}") for x in attrs])
    b = acc.select(pl.col("r").alias("d"), *[pl.col(x).alias(f"b{x}") for x in attrs])
    p = anchored.join(by_domain.rename({"r": "d"}), on="c").join(a, on="r").join(b, on="d")
    both = pl.col("a_emp").is_not_null() & pl.col("b_emp").is_not_null()
    ratio = pl.when(both).then(
        pl.max_horizontal("a_emp", "b_emp")
        / pl.min_horizontal("a_emp", "b_emp").clip(lower_bound=1)
    )
    conflict = (ratio > settings.size_ratio).fill_null(False) | (
        (pl.col("a_founded") - pl.col("b_founded")).abs() > settings.founded_tolerance
    ).fill_null(False)
    ok = p.filter(_agree("a_", "b_") & ~conflict).select("r", "c").unique()
    return anchored.join(ok, on=["r", "c"], how="semi")


def _ambiguity(
    floating: pl.DataFrame, acc: pl.DataFrame, rec: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Split name matches of records without a domain match: (sure, resolved, ambiguous).

    A record is ambiguous when its candidates are different companies: different
    company domains, cities or countries. Exactly one candidate with the same raw name,
    or the same name key and the record's city/country, resolves it.
    """
    p = floating.join(acc, on="r").join(rec, on="c")
    p = p.with_columns(
        _amb=(pl.len().over("c") > 1)
        & (
            (pl.col("_dom").drop_nulls().n_unique().over("c") > 1)
            | (pl.col("_city").drop_nulls().n_unique().over("c") > 1)
            | (pl.col("_country").drop_nulls().n_unique().over("c") > 1)
        ),
        _n=pl.len().over("c"),
        _exact=(pl.col("_raw") == pl.col("_craw")).fill_null(False),
        _place=((pl.col("_key") == pl.col("_ckey")) & _agree("_", "_c")).fill_null(False),
    )
    p = p.with_columns(_pick=pl.col("_exact") | pl.col("_place"))
    p = p.with_columns(_picks=pl.col("_pick").sum().over("c"))
    sure = p.filter(~pl.col("_amb")).select("r", "c", "name", "weak", "note")
    how = (
        pl.when(pl.col("_exact"))
        .then(pl.lit("exact name"))
        .otherwise(pl.lit("same name and place"))
    )
    n = pl.col("_n").cast(pl.String)
    resolved = p.filter(pl.col("_amb") & (pl.col("_picks") == 1) & pl.col("_pick")).select(
        "r", "c", "name",
        note=pl.concat_str([pl.lit(" ("), how, pl.lit(", 1 of "), n, pl.lit(" candidates)")]),
    )  # fmt: skip
    ambiguous = p.filter(pl.col("_amb") & (pl.col("_picks") != 1)).select(
        "r", "c", "name",
        note=pl.concat_str([pl.lit(" (ambiguous name match, "), n, pl.lit(" candidates)")]),
    )  # fmt: skip
    return sure, resolved, ambiguous


def _detail_expr() -> pl.Expr:
    ident = pl.coalesce(
        pl.col("crm_id"),
        pl.concat_str([pl.col("crm_source"), pl.lit(":"), pl.col("crm_line").cast(pl.String)]),
    )
    return pl.concat_str(
        [
            pl.lit("CRM "),
            ident,
            pl.when(pl.col("crm_name").is_not_null())
            .then(pl.concat_str([pl.lit(' "'), pl.col("crm_name"), pl.lit('"')]))
            .otherwise(pl.lit("")),
            pl.when(pl.col("domain").is_not_null())
            .then(pl.concat_str([pl.lit(" "), pl.col("domain")]))
            .otherwise(pl.lit("")),
        ]
    )


def _text(df: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in df.columns else pl.lit(None, pl.String)
