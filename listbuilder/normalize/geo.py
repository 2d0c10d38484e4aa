"""Countries, states and region groups.

REGIONS maps a region group name (used by profiles: `in = ["NA", "DACH"]`) to
ISO 3166-1 alpha-2 codes.
"""

from __future__ import annotations

_EU = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
).split()
_EUROPE_OTHER = "GB NO CH IS LI UA RS BA ME MK AL MD BY".split()
_MIDDLE_EAST = "AE SA IL QA KW BH OM JO LB TR EG IQ IR".split()
_AFRICA = (
    "ZA NG KE GH MA TN DZ ET UG TZ RW SN CI CM ZW ZM BW NA MU AO MZ"
).split()
_APAC = "AU NZ JP KR CN HK TW SG MY TH VN PH ID IN PK BD LK".split()
_LATAM = "MX BR AR CL CO PE UY VE EC BO PY CR PA GT DO PR".split()

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
