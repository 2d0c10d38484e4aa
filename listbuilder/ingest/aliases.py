"""Vendor header aliases and the header -> field matcher.

`COMPANY_ALIASES` maps each canonical field (plus three helper fields that
fold into canonical ones: `employees_range`, `revenue_range`, `location`) to
the headers vendors use for it, strongest first. The reserved key `_ignore`
lists vendor headers that must stay unmapped (IDs, other profile URLs, "recent
funding amount"...), so the fuzzy matcher cannot pull them onto a field.

Matching (`map_headers`): a header is normalised (camelCase split, casefolded,
punctuation to spaces); an exact alias match scores 100 (90 for the weaker
alias tiers), the same with unit parentheses and filler words (`company`,
`account`, `billing`, ...) removed 95 / 85; otherwise rapidfuzz's
`token_sort_ratio` against every alias, kept when >= `FUZZY_THRESHOLD`. Each
field goes to one header: highest confidence wins, ties go to the earlier alias
and then the leftmost header. `--map` overrides come first (confidence 100).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from listbuilder.errors import InputError
from listbuilder.schema import COMPANY_FIELDS

FUZZY_THRESHOLD = 88
HELPER_FIELDS: tuple[str, ...] = ("employees_range", "revenue_range", "location")
MAPPABLE_FIELDS: tuple[str, ...] = COMPANY_FIELDS + HELPER_FIELDS
IGNORE = "_ignore"
_WEAK = "~"  # an alias starting with "~" is a weaker, lower-confidence spelling

COMPANY_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "Company Name",
        "Company",
        "Name",
        "Organization Name",
        "Organization",
        "Account Name",
        "Business Name",
        "Primary Name",
        "Legal Name",
        "Company Legal Name",
        "Organisation Name",
        "Employer",
        "~Title",
        "~Brand Name",
    ),
    "website": (
        "Website",
        "Company Website",
        "Website URL",
        "Web Site",
        "URL",
        "Company URL",
        "Homepage URL",
        "Homepage",
        "Home Page",
        "Web Address",
        "Company domain name",
        "Company Domain",
        "~Domain",
        "~Primary Domain",
        "~Site",
    ),
    "employees": (
        "Employees",
        "# Employees",
        "Number of Employees",
        "NumberOfEmployees",
        "Employee Count",
        "Employees (All Sites)",
        "Company Headcount",
        "Headcount",
        "Total Employees",
        "Team Size",
        "Staff Count",
        "~Employees (Single Site)",
        "~Employees (This Site)",
        "~Company Size",
        "~Size",
    ),
    "employees_range": (
        "Employee Range",
        "Employees Range",
        "Employee Size Range",
        "Company Size Range",
        "Number of Employees Range",
        "Employee Count Range",
        "Size Range",
    ),
    "revenue": (
        "Revenue (in 000s USD)",
        "Revenue",
        "Annual Revenue",
        "AnnualRevenue",
        "Sales",
        "Sales (US$)",
        "Annual Sales",
        "Revenue (USD)",
        "Company Revenue",
        "Total Revenue",
        "Sales Volume",
        "~Estimated Revenue",
    ),
    "revenue_range": (
        "Revenue Range (in USD)",
        "Revenue Range",
        "Estimated Revenue Range",
        "Annual Revenue Range",
        "Sales Range",
    ),
    "industry": (
        "Industry",
        "Primary Industry",
        "Industries",
        "Category",
        "category_code",
        "Line of Business",
        "Sector",
        "Vertical",
        "Company Industry",
        "~All Industries",
        "~Sub Industry",
    ),
    "sic": (
        "SIC Code 1",
        "SIC Code",
        "SIC",
        "Primary SIC Code",
        "SIC Codes",
        "US 1987 SIC 1",
        "Sic",
        "~SIC Code 2",
    ),
    "naics": (
        "NAICS Code 1",
        "NAICS Code",
        "NAICS",
        "Primary NAICS Code",
        "NAICS Codes",
        "NaicsCode",
        "NAICS 2017",
        "~NAICS Code 2",
    ),
    "country": (
        "Country",
        "Company Country",
        "Country/Region",
        "BillingCountry",
        "country_code",
        "HQ Country",
        "Headquarters Country",
        "Country Code",
        "Country Name",
        "~ShippingCountry",
        "~Mailing Country",
    ),
    "state": (
        "State",
        "Company State",
        "State/Region",
        "BillingState",
        "state_code",
        "State Or Province",
        "Province",
        "HQ State",
        "State Code",
        "Headquarters State",
        "~Region",
        "~ShippingState",
    ),
    "city": (
        "City",
        "Company City",
        "BillingCity",
        "HQ City",
        "Headquarters City",
        "Town",
        "~ShippingCity",
    ),
    "postal_code": (
        "Postal Code",
        "Company Zip Code",
        "Zip Code",
        "Zip",
        "BillingPostalCode",
        "Postcode",
        "Company Postal Code",
        "ZIP/Postal Code",
        "Post Code",
        "~ShippingPostalCode",
    ),
    "locations": (
        "Number of Locations",
        "Locations",
        "# Locations",
        "Location Count",
        "Number of Sites",
        "Number of Stores",
        "Sites",
    ),
    "founded_year": (
        "Founded Year",
        "Year Founded",
        "founded_year",
        "Founded",
        "Founded Date",
        "Year Started",
        "YearStarted",
        "founded_at",
        "Founding Year",
        "Established",
        "Year Established",
        "Date Founded",
        "Incorporation Date",
    ),
    "funding_stage": (
        "Last Funding Type",
        "Funding Stage",
        "Recent Funding Round",
        "Latest Funding",
        "Latest Funding Round",
        "Last Funding Round",
        "Funding Round",
        "Last Round Type",
        "Funding Status",
        "Stage",
        "~Funding Type",
        "~Last Funding Round Type",
    ),
    "total_funding": (
        "Total Funding Amount (in 000s USD)",
        "Total Funding Amount (in USD)",
        "Total Funding Amount",
        "Total Funding",
        "funding_total_usd",
        "Total Money Raised",
        "Total Raised",
        "Funding Total",
        "Total Funding (USD)",
        "Total Equity Funding",
    ),
    "last_funding_date": (
        "Recent Funding Date",
        "Last Funding Date",
        "last_funding_at",
        "Last Raised At",
        "Latest Funding Date",
        "Last Round Date",
        "Funding Date",
        "Date of Last Funding",
    ),
    "technologies": (
        "Technologies",
        "Technology",
        "Tech Stack",
        "Technographics",
        "Web Technologies",
        "Technologies Used",
        "Installed Technologies",
        "Tech Used",
        "~Keywords",
    ),
    "departments": (
        "Departments",
        "Department",
        "Functions",
        "Departmental Headcount",
        "Teams",
    ),
    "linkedin_url": (
        "LinkedIn Company Profile URL",
        "LinkedIn",
        "LinkedIn URL",
        "Company Linkedin Url",
        "LinkedIn Company Page",
        "LinkedIn Profile",
        "Company LinkedIn",
        "LinkedIn Company URL",
        "Linkedin Page",
    ),
    "description": (
        "Description",
        "Short Description",
        "Company Description",
        "About",
        "About Us",
        "Overview",
        "Summary",
        "one_liner",
        "SEO Description",
        "Business Description",
        "Tagline",
        "~Full Description",
        "~Long Description",
        "~Specialties",
    ),
    "parent_company": (
        "Parent Company",
        "Parent",
        "Parent Account",
        "Ultimate Parent",
        "Parent Name",
        "Parent Company Name",
        "Global Ultimate Business Name",
        "Ultimate Parent Company",
        "Domestic Ultimate Business Name",
        "Parent Business Name",
    ),
    # a parent's id is not its name (briefs printed "Parent: 107784390"): a key of its own
    "parent_id": (
        "Company ID (Ultimate Parent)",
        "Parent Company ID",
        "ParentId",
        "Parent ID",
        "Ultimate Parent Company ID",
        "Ultimate Parent ID",
        "Global Ultimate DUNS",
        "Global Ultimate D-U-N-S Number",
        "~Parent Company ID",
    ),
    "phone": (
        "Phone",
        "Company Phone",
        "Phone Number",
        "Company HQ Phone",
        "Main Phone",
        "Telephone",
        "HQ Phone",
        "Company Phone Number",
        "Tel",
        "~Mobile",
    ),
    "location": (
        "Headquarters Location",
        "Location",
        "HQ Location",
        "Company Location",
        "Headquarters",
        "Address",
        "all_locations",
        "Locations",
        "Full Address",
        "HQ Address",
        "~Company Address",
    ),
    IGNORE: (
        "ZoomInfo Company ID",
        "ZoomInfo Company Profile URL",
        "Facebook Company Profile URL",
        "Twitter Company Profile URL",
        "Recent Funding Amount (in 000s USD)",
        "Recent Funding Amount",
        "Latest Funding Amount",
        "Last Funding Amount",
        "Last Equity Funding Amount",
        "Company Name for Emails",
        "Apollo Account Id",
        "Record ID",
        "Account ID",
        "Id",
        "D-U-N-S Number",
        "DUNS",
        "Organization Name URL",
        "CB Rank (Company)",
        "first_funding_at",
        "first funding date",
        "founded_month",
        "founded_quarter",
        "last_milestone_at",
        "funding_rounds",
        "Number of Funding Rounds",
        "Facebook Url",
        "Twitter Url",
        "Logo Url",
        "Company Street",
        "Company Street Address",
        "Street Address",
        "Primary Sub-Industry",
        "Company owner",
        "Lifecycle Stage",
        "Do not contact",
        "slug",
        "former_names",
        "permalink",
        "Number of Locations",
        "Number of Retail Locations",
        "launched_at",
        "batch",
        "status",
        "Operating Status",
        "Company Type",
        "Ownership Type",
        "Account Stage",
        "Alexa Rank",
        "rank",
        "Employee Growth",
        "Employees Growth",
    ),
}

_FILLER = {
    "company",
    "companys",
    "organization",
    "organisation",
    "account",
    "billing",
    "the",
    "hq",
    "primary",
    "business",
    "org",
}


@dataclass(frozen=True)
class ColumnMatch:
    """One header's mapping: the field it feeds (or None), confidence 0-100 and how."""

    header: str
    field: str | None
    confidence: int
    method: str | None  # "alias" | "fuzzy" | "override" | None


def normalize_header(header: str) -> str:
    """`NumberOfEmployees` -> `number of employees`; `# Employees` -> `employees`."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header.strip())
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    return text.strip()


def _stripped(normalized: str) -> str:
    text = re.sub(r"\b(in )?(000s?|thousands?|usd|us|eur|gbp|mm|millions?)\b", " ", normalized)
    words = [w for w in text.split() if w not in _FILLER]
    return " ".join(words)


def header_units(header: str) -> tuple[float, str | None]:
    """Scale and currency stated by a header: `Revenue (in 000s USD)` -> (1000.0, "USD")."""
    text = header.casefold()
    scale = 1.0
    if re.search(r"000s|\bthousands?\b|\(\s*\$?\s*k\s*\)|\bin k\b|\$k\b|\bk\$", text):
        scale = 1e3
    elif re.search(r"\bmillions?\b|\(\s*\$?\s*(mm|m)\s*\)|\$m\b|\bin mm\b", text):
        scale = 1e6
    currency = None
    for code, pattern in (
        ("USD", r"\busd\b|us\$|\(\$\)"),
        ("EUR", r"\beur\b|€"),
        ("GBP", r"\bgbp\b|£"),
        ("CAD", r"\bcad\b"),
        ("AUD", r"\baud\b"),
        ("JPY", r"\bjpy\b"),
        ("CHF", r"\bchf\b"),
        ("INR", r"\binr\b"),
    ):
        if re.search(pattern, text):
            currency = code
            break
    return scale, currency


def _alias_index(aliases: Mapping[str, Sequence[str]]) -> tuple[dict, dict, list, list]:
    exact: dict[str, tuple[str | None, int, int]] = {}
    loose: dict[str, tuple[str | None, int, int]] = {}
    choices: list[str] = []
    owners: list[tuple[str | None, int, int]] = []
    for field_name, spellings in aliases.items():
        target = None if field_name == IGNORE else field_name
        for rank, spelling in enumerate(spellings):
            weak = spelling.startswith(_WEAK)
            norm = normalize_header(spelling.lstrip(_WEAK))
            tier = 10 if weak else 0
            exact.setdefault(norm, (target, 100 - tier, rank))
            loose.setdefault(_stripped(norm) or norm, (target, 95 - tier, rank))
            for form in dict.fromkeys((norm, _stripped(norm) or norm)):
                choices.append(form)
                owners.append((target, tier, rank))
    return exact, loose, choices, owners


def map_headers(
    headers: Sequence[str],
    aliases: Mapping[str, Sequence[str]] = COMPANY_ALIASES,
    *,
    overrides: Mapping[str, str | None] | None = None,
) -> list[ColumnMatch]:
    """Map each header to at most one field (and each field to at most one header).

    `overrides` ({header: field}, field None to keep a header unmapped) win over aliases.
    """
    overrides = dict(overrides or {})
    exact, loose, choices, owners = _alias_index(aliases)
    candidates: list[tuple[int, int, int, str, str]] = []  # (-conf, rank, index, field, method)
    blocked: set[int] = set()
    for index, header in enumerate(headers):
        if header in overrides:
            continue
        norm = normalize_header(header)
        hit = exact.get(norm) or loose.get(_stripped(norm) or norm)
        if hit is not None:
            target, confidence, rank = hit
            if target is None:
                blocked.add(index)
            else:
                candidates.append((-confidence, rank, index, target, "alias"))
            continue
        queries = [q for q in dict.fromkeys((norm, _stripped(norm))) if len(q) >= 4]
        scores = sorted(
            (
                (score, position)
                for query in queries
                for _choice, score, position in process.extract(
                    query,
                    choices,
                    scorer=fuzz.token_sort_ratio,
                    score_cutoff=FUZZY_THRESHOLD,
                    limit=5,
                )
            ),
            key=lambda hit: (-hit[0], hit[1]),
        )
        for score, position in scores:
            target, tier, rank = owners[position]
            if target is None:
                blocked.add(index)
                break
            candidates.append((-(int(score) - tier), rank, index, target, "fuzzy"))
    taken: dict[int, ColumnMatch] = {}
    claimed: set[str] = set()
    for index, header in enumerate(headers):
        if header in overrides:
            target = overrides[header]
            taken[index] = ColumnMatch(header, target, 100 if target else 0, "override")
            if target:
                claimed.add(target)
    for neg_conf, _rank, index, target, method in sorted(candidates):
        if index in taken or index in blocked or target in claimed:
            continue
        taken[index] = ColumnMatch(headers[index], target, -neg_conf, method)
        claimed.add(target)
    return [taken.get(i) or ColumnMatch(h, None, 0, None) for i, h in enumerate(headers)]


def parse_column_map(
    column_map: Mapping[str, str] | Sequence[str] | None,
    *,
    fields: Sequence[str] = MAPPABLE_FIELDS,
) -> dict[str, str | None]:
    """`["Col Name=field", "Junk=-"]` or {header: field} -> {header: field or None}.

    A field of `-` keeps the header unmapped. Unknown fields raise InputError naming the
    valid ones.
    """
    if not column_map:
        return {}
    pairs: list[tuple[str, str, str]] = []
    if isinstance(column_map, Mapping):
        pairs = [(str(k), str(v), f"{k}={v}") for k, v in column_map.items()]
    else:
        for item in column_map:
            if "=" not in item:
                raise InputError(f"--map {item!r}: expected 'Header=field', e.g. 'Org=name'")
            header, _, target = item.rpartition("=")
            pairs.append((header, target, item))
    out: dict[str, str | None] = {}
    used: dict[str, str] = {}
    for header, target, item in pairs:
        header, target = header.strip(), target.strip()
        if not header:
            raise InputError(f"--map {item!r}: the header is empty; expected 'Header=field'")
        if target in ("-", ""):
            out[header] = None
            continue
        if target not in fields:
            raise InputError(
                f"--map {item!r}: unknown field {target!r}; valid fields: {', '.join(fields)}"
            )
        if target in used:
            raise InputError(
                f"--map {item!r}: field {target!r} is already mapped from {used[target]!r}; "
                "map each field once"
            )
        used[target] = header
        out[header] = target
    return out
