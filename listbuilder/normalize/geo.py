"""Countries, states and region groups.

REGIONS maps a region group name (used by profiles: `in = ["NA", "DACH"]`) to
ISO 3166-1 alpha-2 codes. `country_code` / `parse_country` turn names, ISO2/ISO3
codes and common aliases (`USA`, `U.S.`, `UK`, `Deutschland`) into ISO2, running
Python once per unique value; `state_code` / `parse_state` turn US states and
Canadian provinces into their two-letter codes.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import polars as pl
import pycountry

_EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
_EUROPE_OTHER = ["GB", "NO", "CH", "IS", "LI", "UA", "RS", "BA", "ME", "MK", "AL", "MD", "BY"]
_MIDDLE_EAST = ["AE", "SA", "IL", "QA", "KW", "BH", "OM", "JO", "LB", "TR", "EG", "IQ", "IR"]
_AFRICA = [
    "ZA",
    "NG",
    "KE",
    "GH",
    "MA",
    "TN",
    "DZ",
    "ET",
    "UG",
    "TZ",
    "RW",
    "SN",
    "CI",
    "CM",
    "ZW",
    "ZM",
    "BW",
    "NA",
    "MU",
    "AO",
    "MZ",
]
_APAC = [
    "AU",
    "NZ",
    "JP",
    "KR",
    "CN",
    "HK",
    "TW",
    "SG",
    "MY",
    "TH",
    "VN",
    "PH",
    "ID",
    "IN",
    "PK",
    "BD",
    "LK",
]
_LATAM = [
    "MX",
    "BR",
    "AR",
    "CL",
    "CO",
    "PE",
    "UY",
    "VE",
    "EC",
    "BO",
    "PY",
    "CR",
    "PA",
    "GT",
    "DO",
    "PR",
]

REGIONS: dict[str, tuple[str, ...]] = {
    "NA": ("US", "CA"),
    "NORTH_AMERICA": ("US", "CA", "MX"),
    "DACH": ("DE", "AT", "CH"),
    "NORDICS": ("DK", "FI", "IS", "NO", "SE"),
    "BENELUX": ("BE", "NL", "LU"),
    "UKI": ("GB", "IE"),
    "EU": tuple(_EU),
    "EUROPE": tuple(sorted(set(_EU) | set(_EUROPE_OTHER))),
    "EMEA": tuple(sorted(set(_EU) | set(_EUROPE_OTHER) | set(_MIDDLE_EAST) | set(_AFRICA))),
    "APAC": tuple(_APAC),
    "ANZ": ("AU", "NZ"),
    "LATAM": tuple(_LATAM),
}


# --- countries ---------------------------------------------------------------

# Spellings pycountry does not know (keys are normalised with _country_key).
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "united states": "US",
    "unitedstates": "US",
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "gb": "GB",
    "united kingdom": "GB",
    "deutschland": "DE",
    "germany": "DE",
    "holland": "NL",
    "netherlands": "NL",
    "nederland": "NL",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "korea south": "KR",
    "north korea": "KP",
    "russia": "RU",
    "czech republic": "CZ",
    "czechia": "CZ",
    "uae": "AE",
    "u a e": "AE",
    "emirates": "AE",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "vietnam": "VN",
    "viet nam": "VN",
    "taiwan": "TW",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macedonia": "MK",
    "swaziland": "SZ",
    "burma": "MM",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "macau": "MO",
    "macao": "MO",
    "espana": "ES",
    "brasil": "BR",
    "mexico": "MX",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "osterreich": "AT",
    "italia": "IT",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
    "nippon": "JP",
    "prc": "CN",
    "mainland china": "CN",
    "peoples republic of china": "CN",
    "palestine": "PS",
    "kosovo": "XK",
    "bahamas": "BS",
    "gambia": "GM",
    "cape verde": "CV",
    "east timor": "TL",
    "vatican": "VA",
    "vatican city": "VA",
    "micronesia": "FM",
    "brunei": "BN",
    "congo kinshasa": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "republic of the congo": "CG",
    "congo brazzaville": "CG",
    "turkey": "TR",
    "turkiye": "TR",
    "france": "FR",
    "belgie": "BE",
    "belgique": "BE",
    "eire": "IE",
    "ireland": "IE",
    "republic of ireland": "IE",
    "ksa": "SA",
    "saudi": "SA",
    "the netherlands": "NL",
    "slovak republic": "SK",
    "kyrgyz republic": "KG",
    "st lucia": "LC",
    "st kitts and nevis": "KN",
    "st vincent and the grenadines": "VC",
    "trinidad": "TT",
    "antigua": "AG",
    "bosnia": "BA",
    "sri lanka": "LK",
    "new zealand": "NZ",
    "aotearoa": "NZ",
    "phillipines": "PH",
    "philippines": "PH",
    "rom": "RO",  # Crunchbase's pre-ISO code for Romania
    "bharat": "IN",
    # IOC (sports) codes that vendors use for countries; only those that are no ISO 3166
    # alpha-3 code and name one country unambiguously (not CHI, MON, SIN ...).
    "ger": "DE",
    "rsa": "ZA",
    "sui": "CH",
    "ned": "NL",
    "den": "DK",
    "por": "PT",
    "gre": "GR",
    "cro": "HR",
    "bul": "BG",
    "lat": "LV",
    "mas": "MY",
    "phi": "PH",
    "ina": "ID",
    "tpe": "TW",
    "uru": "UY",
    "crc": "CR",
}
# Three-letter tokens that must not be read as a country (placeholders, currencies).
_NOT_COUNTRIES = frozenset({"n a", "na n", "nan", "none", "null", "unknown", "other", "remote"})


def _country_key(value: str) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: the lookup key."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


@functools.cache
def _country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table.setdefault(_country_key(value), code)
    for country in pycountry.historic_countries:
        alpha_2 = getattr(country, "alpha_2", None)
        if alpha_2 and pycountry.countries.get(alpha_2=alpha_2):
            table.setdefault(_country_key(country.alpha_3), alpha_2)
    table.update(COUNTRY_ALIASES)
    for key in _NOT_COUNTRIES:
        table.pop(key, None)
    return table


@functools.lru_cache(maxsize=65536)
def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name, ISO2/ISO3 code or common alias, else None.

    `country_code("U.S.") == "US"`, `country_code("Deutschland") == "DE"`.
    """
    if value is None:
        return None
    key = _country_key(value)
    if not key:
        return None
    table = _country_table()
    code = table.get(key) or table.get(key.replace(" ", ""))
    if code is None and key.endswith(" sar"):
        code = table.get(key[:-4])
    return code


def parse_country_series(values: pl.Series) -> pl.Series:
    """Map a String series to ISO2 codes; Python runs once per unique value only."""
    values = values.cast(pl.String)
    uniques = values.drop_nulls().unique().to_list()
    mapping = {value: country_code(value) for value in uniques}
    if not mapping:
        return pl.Series(values.name, [None] * len(values), dtype=pl.String)
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def parse_country(expr: pl.Expr) -> pl.Expr:
    """Expression: country names / ISO2 / ISO3 / aliases -> ISO2 (null when unknown)."""
    return expr.map_batches(parse_country_series, return_dtype=pl.String)


# --- US states and Canadian provinces ----------------------------------------

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}


def _state_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, name in {**US_STATES, **CA_PROVINCES}.items():
        table[code.lower()] = code
        table[name.lower()] = code
    table.update(
        {
            "washington dc": "DC",
            "washington d.c.": "DC",
            "d.c.": "DC",
            "québec": "QC",
            "newfoundland": "NL",
            "yukon territory": "YT",
            "calif.": "CA",
            "mass.": "MA",
            "penn.": "PA",
            "n.y.": "NY",
            "wash.": "WA",
        }
    )
    return table


STATE_CODES: dict[str, str] = _state_table()


def state_code(value: str | None, country: str | None = None) -> str | None:
    """Two-letter code of a US state / Canadian province (`California` -> `CA`).

    Outside the US and Canada (per `country`, ISO2) the value is returned trimmed.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if country not in (None, "US", "CA"):
        return value
    return STATE_CODES.get(value.lower(), value)


def parse_state(state: pl.Expr, country: pl.Expr | None = None) -> pl.Expr:
    """Expression: US/CA state names and codes -> two-letter code; other regions kept as given.

    `country` (ISO2) restricts the mapping to rows in the US, Canada or unknown country.
    """
    trimmed = state.str.strip_chars()
    trimmed = pl.when(trimmed != "").then(trimmed)
    mapped = trimmed.str.to_lowercase().replace_strict(
        STATE_CODES, default=trimmed, return_dtype=pl.String
    )
    if country is None:
        return mapped
    return pl.when(country.is_null() | country.is_in(["US", "CA"])).then(mapped).otherwise(trimmed)
