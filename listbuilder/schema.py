"""The canonical company schema: every stage speaks these column names and dtypes.

Readers map a vendor's headers onto ``COMPANY_SCHEMA``; columns that map to
nothing pass through under their original header. Lineage columns
(``LINEAGE_SCHEMA``) are added by ingest and never dropped. ``DERIVED_SCHEMA``
columns are computed by normalize.
"""

from __future__ import annotations

import polars as pl

# field -> dtype. The order is the order of the canonical columns in outputs.
COMPANY_SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(),
    "website": pl.String(),  # as given by the vendor (URL, host, email...)
    "employees": pl.Int64(),  # point estimate: the exact count, else the band's midpoint
    # The band behind `employees` when the vendor gave a range (`1,001-5,000` -> 1001/5000,
    # `10,001+` -> 10001/null); both null for an exact count. Filled by ingest, never mapped.
    "employees_min": pl.Int64(),
    "employees_max": pl.Int64(),
    "locations": pl.Int64(),  # sites / stores / offices, when the vendor gives it
    "revenue": pl.Float64(),  # USD per year
    "industry": pl.String(),
    "sic": pl.String(),
    "naics": pl.String(),
    "country": pl.String(),  # ISO 3166-1 alpha-2
    "state": pl.String(),  # region / state; US and CA as their two-letter codes
    "city": pl.String(),
    "postal_code": pl.String(),
    "founded_year": pl.Int64(),
    "funding_stage": pl.String(),  # one of FUNDING_STAGES
    "total_funding": pl.Float64(),  # USD
    "last_funding_date": pl.Date(),
    "technologies": pl.List(pl.String()),
    "departments": pl.List(pl.String()),
    "linkedin_url": pl.String(),
    "description": pl.String(),
    "parent_company": pl.String(),  # the parent's name (what a brief shows)
    # the vendor's id of the (ultimate) parent: a corporate-family key for one account per
    # parent and the quality checks, never shown as a name
    "parent_id": pl.String(),
    "phone": pl.String(),
}

# Derived from the employee value by ingest: not a header target, not a completeness point.
EMPLOYEE_BOUNDS: tuple[str, ...] = ("employees_min", "employees_max")

# The canonical fields a vendor header maps onto (COMPANY_SCHEMA minus EMPLOYEE_BOUNDS).
COMPANY_FIELDS: tuple[str, ...] = tuple(f for f in COMPANY_SCHEMA if f not in EMPLOYEE_BOUNDS)

# Lineage: where each row came from. `line` is the 1-based line of the record in
# its file (the header is line 1), `row_id` is unique across all files of a run.
LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.Int64(),
    "source": pl.String(),
    "line": pl.Int64(),
    # "employees=abc; revenue=n/a": raw values that did not parse (null when all parsed)
    "unparsed": pl.String(),
}

# Computed by normalize.
DERIVED_SCHEMA: dict[str, pl.DataType] = {
    "domain": pl.String(),  # registrable domain (tldextract, offline); null when none
    "domain_is_platform": pl.Boolean(),  # linkedin.com, angel.co, github.io ...: not identity
    "name_key": pl.String(),  # casefolded, legal-form-free, punctuation-free name
}

# The ordered funding scale; parsers map vendor spellings onto these labels and
# profiles compare by position (`at_least = "Series B"`).
FUNDING_STAGES: tuple[str, ...] = (
    "Pre-Seed",
    "Seed",
    "Series A",
    "Series B",
    "Series C",
    "Series D+",
    "Private Equity",
    "Public",
)

# Every rejected input row, whatever the stage, is one row of this frame.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "line": pl.Int64(),
    "stage": pl.String(),  # one of STAGES
    "reason": pl.String(),  # "duplicate of C000123", "failed: employees 150 not in 200–2000"
    "name": pl.String(),
    "domain": pl.String(),
    "detail": pl.String(),  # what it matched (CRM record, survivor row...) or the raw value
}

# Funnel stages in pipeline order. Each rejected row carries one of them.
STAGES: tuple[str, ...] = (
    "ingest",  # row could not be used at all (no name and no domain)
    "dedupe",  # merged into another row of the same company
    "suppress",  # already in the CRM / do-not-contact
    "filter",  # failed a hard filter or matched an exclusion
    "rank",  # below the cut (capacity / --top)
)


def empty_rejects() -> pl.DataFrame:
    """An empty frame with the rejects schema."""
    return pl.DataFrame(schema=REJECT_SCHEMA)


def empty_companies() -> pl.DataFrame:
    """An empty frame with lineage + canonical + derived columns."""
    return pl.DataFrame(schema={**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA})
