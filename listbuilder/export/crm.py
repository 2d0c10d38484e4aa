"""CRM import layouts: HubSpot companies and Salesforce accounts (see docs/crm_import.md)."""

from __future__ import annotations

import polars as pl
import pycountry

from listbuilder.errors import ConfigError
from listbuilder.export.naming import display_name_expr

HUBSPOT_COLUMNS: tuple[str, ...] = (
    "Name",
    "Company domain name",
    "Number of employees",
    "Industry",
    "Annual revenue",
    "City",
    "State/Region",
    "Country/Region",
    # custom properties (create them once in HubSpot; internal names in docs/crm_import.md)
    "ICP Score",
    "ICP Fit Score",
    "ICP Signal Score",
    "ICP Tier",
    "ICP Priority",
    "ICP Rank",
    "Why",
    "Why Now",
    "Company owner",
)

SALESFORCE_COLUMNS: tuple[str, ...] = (
    "Name",
    "Website",
    "NumberOfEmployees",
    "Industry",
    "AnnualRevenue",
    "BillingCity",
    "BillingState",
    "BillingCountry",
    "AccountSource",
    # custom fields (create them once on Account; types in docs/crm_import.md)
    "ICP_Score__c",
    "ICP_Fit_Score__c",
    "ICP_Signal_Score__c",
    "ICP_Tier__c",
    "ICP_Priority__c",
    "ICP_Rank__c",
    "ICP_Why__c",
    "ICP_Why_Now__c",
    "ICP_Owner__c",
)

ACCOUNT_SOURCE = "Purchased List"
CRM_FILES = {"hubspot": "hubspot_import.csv", "salesforce": "salesforce_import.csv"}


def _country_names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


def _country_name() -> pl.Expr:
    code = pl.col("country").str.to_uppercase()
    return code.replace_strict(_country_names(), default=pl.col("country"), return_dtype=pl.String)


def _col(df: pl.DataFrame, name: str, dtype: pl.DataType | None = None) -> pl.Expr:
    if name in df.columns:
        return pl.col(name)
    return pl.lit(None, dtype or pl.String()).alias(name)


def crm_frame(targets: pl.DataFrame, crm: str) -> pl.DataFrame:
    """The targets table (see `tables.targets_frame`) in one CRM's import layout."""
    t = targets
    # Name is required by both importers: an empty name cell falls back to the domain.
    name = display_name_expr(t.columns)
    revenue = _col(t, "revenue", pl.Float64()).round(0).cast(pl.Int64)
    common = [
        _col(t, "score", pl.Float64()),
        _col(t, "fit_score", pl.Float64()),
        _col(t, "signal_score", pl.Float64()),
        _col(t, "tier"),
        _col(t, "priority"),
        _col(t, "rank", pl.Int64()),
        _col(t, "why"),
        _col(t, "why_now"),
        _col(t, "owner"),
    ]
    if crm == "hubspot":
        exprs = [
            name,
            _col(t, "domain"),
            _col(t, "employees", pl.Int64()),
            _col(t, "industry"),
            revenue,
            _col(t, "city"),
            _col(t, "state"),
            _country_name() if "country" in t.columns else pl.lit(None, pl.String),
            *common,
        ]
        names = HUBSPOT_COLUMNS
    elif crm == "salesforce":
        website = pl.coalesce(pl.lit("https://") + _col(t, "domain"), _col(t, "website"))
        exprs = [
            name,
            website,
            _col(t, "employees", pl.Int64()),
            _col(t, "industry"),
            revenue,
            _col(t, "city"),
            _col(t, "state"),
            _country_name() if "country" in t.columns else pl.lit(None, pl.String),
            pl.lit(ACCOUNT_SOURCE),
            *common,
        ]
        names = SALESFORCE_COLUMNS
    else:
        raise ConfigError(f"unknown CRM {crm!r}: use one of {', '.join(CRM_FILES)}")
    return t.select(e.alias(n) for e, n in zip(exprs, names, strict=True))
