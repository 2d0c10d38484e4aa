"""A vendor's people export (`--contacts`), joined to the selected accounts by domain.

One person a row: a name (or first and last name), a job title, an email, and the
company's website or domain (else the email's domain). The brief's "Who to contact" then
names real people, ranked by the profile's personas (`export.callprep.rank_contacts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from listbuilder.errors import InputError

# normalised header -> contact field
CONTACT_HEADERS: dict[str, str] = {
    **{h: "name" for h in ("name", "full_name", "contact_name", "person", "person_name")},
    **{h: "first_name" for h in ("first_name", "firstname", "given_name", "first")},
    **{h: "last_name" for h in ("last_name", "lastname", "surname", "family_name", "last")},
    **{h: "title" for h in ("title", "job_title", "position", "role", "job_role", "headline")},
    **{h: "email" for h in ("email", "email_address", "work_email", "business_email", "e_mail")},
    **{
        h: "company_domain"
        for h in (
            "company_domain",
            "domain",
            "website",
            "company_website",
            "company_url",
            "organization_website",
            "account_website",
            "company_domain_name",
        )
    },
    **{h: "company" for h in ("company", "company_name", "organization", "account_name")},
    **{h: "linkedin" for h in ("linkedin", "linkedin_url", "person_linkedin_url")},
}
CONTACT_STRUCT = pl.Struct(
    {
        "name": pl.String(),
        "title": pl.String(),
        "email": pl.String(),
        "linkedin": pl.String(),
        "source": pl.String(),
    }
)


@dataclass
class Contacts:
    """People keyed by the registrable domain of their company (`.people`), and how many
    rows had no usable domain (`.without_domain`)."""

    people: pl.DataFrame  # domain, name, title, email, linkedin, source
    without_domain: int


def _norm(header: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in header.lower()).split())


def read_contacts(path: str | Path) -> Contacts:
    """Read a contacts export; InputError when it has no name or no way to a domain."""
    from listbuilder.ingest import read_raw
    from listbuilder.normalize.domains import registrable_domain_series

    raw = read_raw(path)
    frame = raw.frame
    mapping: dict[str, str] = {}
    for header in frame.columns:
        field = CONTACT_HEADERS.get(_norm(header))
        if header != "line" and field and field not in mapping.values():
            mapping[header] = field
    fields = set(mapping.values())
    headers = ", ".join(c for c in frame.columns if c != "line")
    if not fields & {"name", "first_name", "last_name"}:
        raise InputError(f"{path}: no name column among {headers} — name one name or first_name")
    if not fields & {"company_domain", "email"}:
        raise InputError(
            f"{path}: no company website, domain or email column among {headers} — contacts "
            "are joined to accounts by domain"
        )
    df = frame.select(pl.col("line"), *(pl.col(h).alias(f) for h, f in mapping.items()))
    df = df.with_columns(
        pl.lit(None, dtype=pl.String).alias(f)
        for f in ("name", "first_name", "last_name", "title", "email", "company_domain", "linkedin")
        if f not in df.columns
    ).with_columns(
        pl.col(c).str.strip_chars().replace("", None)
        for c in ("name", "first_name", "last_name", "title", "email", "company_domain", "linkedin")
    )
    name = pl.coalesce(
        pl.col("name"),
        pl.concat_str(
            [pl.col("first_name"), pl.col("last_name")], separator=" ", ignore_nulls=True
        ),
    )
    site = registrable_domain_series(df["company_domain"]).alias("_site")
    mail = registrable_domain_series(df["email"].str.extract(r"@(.+)$", 1)).alias("_mail")
    df = df.with_columns(site, mail)
    people = df.select(
        pl.coalesce("_site", "_mail").alias("domain"),
        name.replace("", None).alias("name"),
        pl.col("title"),
        pl.col("email"),
        pl.col("linkedin"),
        pl.format("{}:{}", pl.lit(str(path)), pl.col("line")).alias("source"),
    )
    usable = people.filter(pl.col("domain").is_not_null() & pl.col("name").is_not_null())
    return Contacts(usable, people.height - usable.height)


def attach_contacts(selected: pl.DataFrame, contacts: Contacts) -> pl.DataFrame:
    """Add `_contacts` (List(CONTACT_STRUCT), empty when none) to the selection by domain;
    the brief ranks and shows them. A platform domain (linkedin.com) never joins."""
    if "domain" not in selected.columns:
        return selected.with_columns(pl.lit([], dtype=pl.List(CONTACT_STRUCT)).alias("_contacts"))
    grouped = contacts.people.group_by("domain", maintain_order=True).agg(
        pl.struct("name", "title", "email", "linkedin", "source").alias("_contacts")
    )
    out = selected.join(grouped, on="domain", how="left", maintain_order="left")
    return out.with_columns(
        pl.col("_contacts").fill_null(pl.lit([], dtype=pl.List(CONTACT_STRUCT)))
    )
