"""The name an account is shown (and imported into a CRM) under when its name cell is empty.

Ingest nulls a name that was spreadsheet damage (`=REF!`, a formula) or blank; normalize
keeps such a row when its domain identifies the company. Briefs, the index, the report
and the CRM import files then name it by its domain, else its website's host, and the
briefs say the name is missing in the source list. `targets.csv` keeps the empty name.
"""

from __future__ import annotations

import re

import polars as pl

# scheme, user info (`mail@`), `www.`, then the host; a host needs a dot.
HOST_PATTERN = (
    r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(?:[^@/\s]*@)?(?:www\.)?([^/:?#@\s]+\.[^/:?#@\s]+)"
)
_HOST = re.compile(HOST_PATTERN)


def website_host(website: str | None) -> str | None:
    """`https://www.acme.io/about` -> `acme.io`; None when there is no host."""
    m = _HOST.match((website or "").strip())
    host = m.group(1).lower().strip(".") if m else ""
    return host or None


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def display_name(name: str | None, domain: str | None, website: str | None) -> tuple[str, bool]:
    """(the name to show, whether the source list's name is missing)."""
    given = _text(name)
    if given is not None:
        return given, False
    return _text(domain) or website_host(website) or "unnamed account", True


def display_name_expr(columns: list[str] | tuple[str, ...]) -> pl.Expr:
    """`display_name` as a polars expression over a frame with the given columns."""

    def col(name: str) -> pl.Expr:
        if name not in columns:
            return pl.lit(None, pl.String)
        text = pl.col(name).cast(pl.String).str.strip_chars()
        return pl.when(text != "").then(text)

    host = col("website").str.extract(HOST_PATTERN, 1).str.to_lowercase().str.strip_chars(".")
    host = pl.when(host != "").then(host)
    return pl.coalesce(col("name"), col("domain"), host, pl.lit("unnamed account"))
