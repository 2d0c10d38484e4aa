"""Suppression: remove what the CRM already owns, matched with the dedupe matcher.

``read_suppression(paths)`` reads HubSpot, Salesforce or plain CSV exports
through header aliases into one frame of CRM records. ``suppress_companies``
drops every company that matches a suppressing record — on the same company
domain, or by fuzzy name within blocks — with the reason (``suppressed:
customer``) and the record it matched (``CRM 123 "Acme Inc" acme.com``).
A record suppresses when it is do-not-contact, a customer, an open
opportunity or owned by a rep; a plain list with none of those columns is a
do-not-contact list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from listbuilder.dedupe.matcher import candidate_pairs, prepare_match_frame, score_pairs
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
    """Add name_key, domain and domain_is_platform to CRM records (normalize's functions)."""
    from listbuilder.normalize import domains

    return crm.with_columns(
        name=pl.col("crm_name"),
        name_key=_name_key_expr(pl.col("crm_name")),
        domain=domains.registrable_domain_series(crm["crm_website"]),
        country=pl.col("crm_country"),
        city=pl.col("crm_city"),
    ).with_columns(
        domain_is_platform=pl.col("domain").is_in(sorted(domains.PLATFORM_DOMAINS)).fill_null(False)
    )


def suppress_companies(
    df: pl.DataFrame, crm: pl.DataFrame, *, settings: DedupeSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop companies the CRM owns; rejects say why and name the CRM record matched."""
    settings = settings or DedupeSettings()
    records = crm.with_columns(_reason=_reason(settings)).filter(pl.col("_reason").is_not_null())
    if df.height == 0 or records.height == 0:
        return df, pl.DataFrame(schema=REJECT_SCHEMA)
    records = _crm_derived(records).with_columns(
        _rrank=pl.col("_reason").replace_strict(_REASON_RANK, default=3, return_dtype=pl.Int64),
        _detail=_detail_expr(),
    )
    n0 = df.height
    m0 = prepare_match_frame(df, side=0)
    m1 = prepare_match_frame(records, side=1).with_columns(pl.col("_i") + n0)
    m = pl.concat([m0, m1])
    found = []
    crm_cols = records.select(
        _c=pl.int_range(n0, n0 + records.height, dtype=pl.UInt32),
        _reason="_reason",
        _rrank="_rrank",
        _detail="_detail",
        _line=pl.col("crm_line"),
    )
    if settings.suppress_on_domain:
        by_domain = m0.filter(pl.col("_dom").is_not_null()).join(
            m1.filter(pl.col("_dom").is_not_null()).select("_dom", _c="_i"), on="_dom"
        )
        found.append(
            by_domain.select(
                _r="_i", _c="_c", _rule=pl.lit(0, dtype=pl.Int32), _name=pl.lit(100, dtype=pl.Int64)
            )
        )
    scored = score_pairs(
        m, candidate_pairs(m, settings), settings, drop_ambiguous=not settings.suppress_ambiguous
    )
    found.append(
        scored.select(
            _r=pl.min_horizontal("i", "j"),
            _c=pl.max_horizontal("i", "j"),
            _rule=pl.col("rule").cast(pl.Int32),
            _name=pl.col("name"),
        )
    )
    matches = (
        pl.concat(found)
        .join(crm_cols, on="_c")
        .sort(
            ["_r", "_rrank", "_rule", "_name", "_line"],
            descending=[False, False, False, True, False],
        )
        .group_by("_r", maintain_order=True)
        .first()
    )
    indexed = df.with_row_index("_r")
    hit = indexed.join(matches, on="_r", how="inner").sort("_r")
    kept = indexed.join(matches.select("_r"), on="_r", how="anti").sort("_r").drop("_r")
    rejects = hit.select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        stage=pl.lit(STAGE),
        reason=pl.col("_reason"),
        name=_text(df, "name"),
        domain=_text(df, "domain"),
        detail=pl.col("_detail"),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
    return kept, rejects


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
