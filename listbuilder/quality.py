"""The data-quality gate: junk in a purchased list is rejected or flagged before scoring.

Each check is a polars expression over the whole list. A check set to "reject"
drops the row (stage `quality`, the check's label as the reason, what was found in
`detail`); one set to "flag" keeps it and writes what was found in the `quality`
column, which targets.csv and the brief show; "off" skips it. A placeholder name
or a placeholder domain rejects only a row that nothing else identifies: `TBD` at
acme.com, or Acme Corp at example.com, is a company with one bad field, so it is
flagged instead (real exports have companies named `Company` and `TeeBeeDee`). The profile's
`[quality]` table picks the action per check (`QUALITY_CHECKS` holds the defaults).

A flagged out-of-range value (negative employees, founded in the future) is not
scored: it is nulled, so the criteria read it as missing rather than as a fact. A
flagged placeholder or parked domain is not used as the account's domain either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from listbuilder.normalize.domains import own_platform_site_expr
from listbuilder.profile.model import QUALITY_CHECKS, QualitySettings
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, REJECT_SCHEMA

__all__ = [
    "LABELS",
    "PARKED_DOMAINS",
    "PLACEHOLDER_NAMES",
    "Checked",
    "check_quality",
    "own_platform_site_expr",
]

STAGE = "quality"

# What each check found, as a countable reason (rejects) or flag name (funnel).
LABELS: dict[str, str] = {
    "placeholder_name": "placeholder name",
    "placeholder_domain": "parked or placeholder domain",
    "email_website": "email instead of a website",
    "platform_website": "website on a platform or free host",
    "bad_domain": "website is not a domain",
    "shared_phone": "phone shared by unrelated companies",
    "out_of_range": "value out of range",
}
assert set(LABELS) == set(QUALITY_CHECKS)

# Names a vendor or a rep types when the real one is not known (compared lower-cased,
# trimmed, inner spaces collapsed). Ingest already nulls the commonest (`N/A`, `-`).
_NAMES = (
    "unknown|unknown company|n/a|na|n.a.|none|null|nil|nan|-|--|?|tbd|tba|tbc|to be determined"
    "|test|testing|test company|test account|sample|sample company|example|example company"
    "|company name|your company|my company|no name|unnamed|noname|dummy|placeholder"
    "|do not use|dont use|delete|deleted|xxx|xxxx|asdf|qwerty"
)
PLACEHOLDER_NAMES: tuple[str, ...] = tuple(_NAMES.split("|"))

# Placeholder and parked domains: they name no company (and a CRM keyed by domain
# would merge every account carrying one).
PARKED_DOMAINS: frozenset[str] = frozenset(
    """
    example.com example.org example.net test.com yourdomain.com yourwebsite.com yoursite.com
    yourcompany.com yourcompanyname.com mycompany.com mywebsite.com mydomain.com
    nowebsite.com noemail.com nodomain.com notavailable.com
    sedoparking.com parkingcrew.net bodis.com hugedomains.com afternic.com undeveloped.com
    domainmarket.com buydomains.com
    """.split()  # noqa: SIM905 - a word list reads better than quoted strings
)
_EARLIEST_YEAR = 1600
_PHONE_DIGITS = 7  # shorter numbers are extensions or junk, never compared

_READS: dict[str, pl.DataType] = {
    **{
        c: COMPANY_SCHEMA[c]
        for c in (
            "name",
            "website",
            "phone",
            "parent_company",
            "parent_id",
            "employees",
            "employees_min",
            "employees_max",
            "founded_year",
            "revenue",
            "total_funding",
            "last_funding_date",
        )
    },
    **DERIVED_SCHEMA,
    "source": pl.String(),
    "line": pl.Int64(),
    "row_id": pl.Int64(),
}


@dataclass(frozen=True)
class Checked:
    """The rows kept (with a `quality` column), the rows rejected, and the flag counts."""

    companies: pl.DataFrame
    rejects: pl.DataFrame
    flagged: dict[str, int] = field(default_factory=dict)  # label -> rows kept with that flag


def _placeholder_name() -> tuple[pl.Expr, pl.Expr]:
    name = pl.col("name").cast(pl.String)
    folded = name.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    hit = folded.is_in(list(PLACEHOLDER_NAMES)) | folded.str.contains(r"^[\W_]+$")
    return hit.fill_null(False), pl.format('"{}"', name)


def _placeholder_domain() -> tuple[pl.Expr, pl.Expr]:
    # (reserved names such as acme.test or acme.example have no registrable domain at
    # all: they are "website is not a domain")
    domain = pl.col("domain")
    return domain.is_in(list(PARKED_DOMAINS)).fill_null(False), domain


def _email_website() -> tuple[pl.Expr, pl.Expr]:
    website = pl.col("website").cast(pl.String).str.strip_chars()
    hit = website.str.contains(r"^(?:mailto:)?[^\s@/]+@[^\s@/]+\.[^\s@/]+$")
    return hit.fill_null(False), website


def _platform_website() -> tuple[pl.Expr, pl.Expr]:
    email = _email_website()[0]
    hit = pl.col("domain_is_platform").fill_null(False) & ~email & ~own_platform_site_expr()
    return hit, pl.col("domain")


def _bad_domain() -> tuple[pl.Expr, pl.Expr]:
    website = pl.col("website").cast(pl.String).str.strip_chars()
    hit = (website.str.len_chars() > 0) & pl.col("domain").is_null()
    return hit.fill_null(False), pl.format('"{}"', website)


def _shared_phone(minimum: int) -> tuple[pl.Expr, pl.Expr]:
    digits = pl.col("phone").cast(pl.String).str.replace_all(r"\D", "")
    digits = pl.when(digits.str.len_chars() >= _PHONE_DIGITS).then(digits)
    # Unrelated: different parent, domain and name; a row with none of them is its own.
    company = pl.coalesce(
        pl.format("id {}", pl.col("parent_id").cast(pl.String).str.strip_chars()),
        pl.col("parent_company").cast(pl.String).str.to_lowercase().str.strip_chars(),
        pl.when(~pl.col("domain_is_platform").fill_null(False)).then(pl.col("domain")),
        pl.col("name_key"),
        pl.format("row {}", pl.col("row_id")),
    )
    sharing = pl.when(digits.is_not_null()).then(company.n_unique().over(digits))
    hit = (sharing >= minimum).fill_null(False)
    text = pl.format("{} ({} companies)", pl.col("phone"), sharing)
    return hit, text


def _out_of_range(as_of: date) -> tuple[pl.Expr, pl.Expr, dict[str, pl.Expr]]:
    """(any value out of range, what, per column: the test that nulls it when flagged)."""
    tests = {
        "employees": (pl.col("employees") < 0, "employees {} is negative"),
        "employees_min": (
            (pl.col("employees_min") < 0)
            | (pl.col("employees_min") > pl.col("employees_max")).fill_null(False),
            "employee band starts at {}",
        ),
        "founded_year": (
            (pl.col("founded_year") > as_of.year) | (pl.col("founded_year") < _EARLIEST_YEAR),
            "founded_year {} is not a founding year before " + str(as_of.year + 1),
        ),
        "revenue": (pl.col("revenue") < 0, "revenue {} is negative"),
        "total_funding": (pl.col("total_funding") < 0, "total_funding {} is negative"),
        "last_funding_date": (
            pl.col("last_funding_date") > pl.lit(as_of),
            "last_funding_date {} is after " + as_of.isoformat(),
        ),
    }
    hits = {c: test.fill_null(False) for c, (test, _) in tests.items()}
    pieces = [
        pl.when(hits[c]).then(pl.format(text, pl.col(c).cast(pl.String)))
        for c, (_, text) in tests.items()
    ]
    text = pl.concat_str(pieces, separator=", ", ignore_nulls=True)
    return pl.any_horizontal(list(hits.values())), text, hits


def check_quality(
    df: pl.DataFrame, settings: QualitySettings | None = None, *, as_of: date | None = None
) -> Checked:
    """Run the data-quality checks of `settings` (default: every check, default actions).

    Returns the kept rows with a `quality` column (String, `; `-separated flags, null
    when clean), the rejects (stage `quality`, reason = the first rejecting check's
    label, detail = what it found), and the number of kept rows per flag.
    """
    settings = settings or QualitySettings()
    work = df.rename({"quality": "quality_input"}) if "quality" in df.columns else df
    original = work.columns
    work = work.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in _READS.items()
        if name not in work.columns
    )
    built, range_hits = _build_checks(settings, as_of or date.today())
    active = {c: built[c] for c in QUALITY_CHECKS if settings.action(c) != "off"}
    if not active:
        return Checked(
            df.with_columns(pl.lit(None, dtype=pl.String).alias("quality")), _empty(), {}
        )
    identified = _identifying(built)
    rejecting = [c for c in active if settings.action(c) == "reject"]
    flagging = [c for c in active if c not in rejecting or c in identified]
    work = work.with_columns(
        *(hit.alias(f"__q_{c}") for c, (hit, _) in active.items()),
        *(text.alias(f"__qt_{c}") for c, (_, text) in active.items()),
        *(
            (identified[c] if c in identified else pl.lit(False)).alias(f"__qi_{c}")
            for c in rejecting
        ),
    )
    reason, detail = _rejection(rejecting)
    work = work.with_columns(reason.alias("__q_reason"), detail.alias("__q_detail"))
    rejected = work.filter(pl.col("__q_reason").is_not_null())
    kept = work.filter(pl.col("__q_reason").is_null())
    counts = (
        kept.select(pl.col(f"__q_{c}").sum().alias(LABELS[c]) for c in flagging).row(0, named=True)
        if flagging
        else {}
    )
    kept = kept.with_columns(_flags_text(flagging).alias("quality"))
    kept = kept.with_columns(
        pl.when(pl.col("quality") != "").then(pl.col("quality")).alias("quality"),
        *_flagged_fixes(flagging, active, original, range_hits),
    )
    companies = kept.select(*original, "quality")
    flagged = {label: int(n or 0) for label, n in counts.items() if n}
    return Checked(companies, _quality_rejects(rejected), flagged)


def _build_checks(
    settings: QualitySettings, as_of: date
) -> tuple[dict[str, tuple[pl.Expr, pl.Expr]], dict[str, pl.Expr]]:
    """Every check as (hit, what was found), and the out-of-range test per column."""
    ranged, ranged_text, range_hits = _out_of_range(as_of)
    built: dict[str, tuple[pl.Expr, pl.Expr]] = {
        "placeholder_name": _placeholder_name(),
        "placeholder_domain": _placeholder_domain(),
        "email_website": _email_website(),
        "platform_website": _platform_website(),
        "bad_domain": _bad_domain(),
        "shared_phone": _shared_phone(settings.shared_phone_min),
        "out_of_range": (ranged, ranged_text),
    }
    return built, range_hits


def _identifying(built: dict[str, tuple[pl.Expr, pl.Expr]]) -> dict[str, pl.Expr]:
    """Per placeholder check, what else identifies the row: a rejecting placeholder check
    flags such a row instead (`TBD` at acme.com, Acme Corp at example.com)."""
    parked = built["placeholder_domain"][0]
    company_domain = (
        pl.col("domain").is_not_null() & ~pl.col("domain_is_platform").fill_null(False) & ~parked
    )
    real_name = pl.col("name_key").is_not_null() & ~built["placeholder_name"][0]
    return {"placeholder_name": company_domain, "placeholder_domain": real_name}


def _rejection(rejecting: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """(reason, detail) of the first rejecting check that hits a row nothing else
    identifies; null for a row no check rejects."""
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    detail: pl.Expr = pl.lit(None, dtype=pl.String)
    for check in reversed(rejecting):
        hit = pl.col(f"__q_{check}") & ~pl.col(f"__qi_{check}")
        reason = pl.when(hit).then(pl.lit(LABELS[check])).otherwise(reason)
        detail = pl.when(hit).then(pl.col(f"__qt_{check}")).otherwise(detail)
    return reason, detail


def _flags_text(flagging: list[str]) -> pl.Expr:
    """The `quality` column: `label: what was found` per flag, `; `-separated."""
    flags = [
        pl.when(pl.col(f"__q_{c}")).then(pl.format(f"{LABELS[c]}: {{}}", pl.col(f"__qt_{c}")))
        for c in flagging
    ]
    if not flags:
        return pl.lit(None, dtype=pl.String)
    return pl.concat_str(flags, separator="; ", ignore_nulls=True)


def _flagged_fixes(
    flagging: list[str],
    active: dict[str, tuple[pl.Expr, pl.Expr]],
    original: list[str],
    range_hits: dict[str, pl.Expr],
) -> list[pl.Expr]:
    """What a flag nulls: an out-of-range value (it is not scored) and a placeholder
    domain (never the account's domain)."""
    fixes: list[pl.Expr] = []
    if "out_of_range" in flagging:
        for column, hit in range_hits.items():
            if column in original:
                fixes.append(pl.when(hit).then(None).otherwise(pl.col(column)).alias(column))
        if "employees_min" in original and "employees_max" in original:
            bad_band = range_hits["employees_min"]
            fixes.append(
                pl.when(bad_band)
                .then(None)
                .otherwise(pl.col("employees_max"))
                .alias("employees_max")
            )
    if "placeholder_domain" in active and "domain" in original:
        fixes.append(
            pl.when(pl.col("__q_placeholder_domain"))
            .then(None)
            .otherwise(pl.col("domain"))
            .alias("domain")
        )
    return fixes


def _quality_rejects(rejected: pl.DataFrame) -> pl.DataFrame:
    return rejected.select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        pl.lit(STAGE, dtype=pl.String).alias("stage"),
        pl.col("__q_reason").alias("reason"),
        pl.col("name").cast(pl.String),
        pl.col("domain").cast(pl.String),
        pl.col("__q_detail").alias("detail"),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)
