"""Countries and US/CA states in listbuilder.normalize.geo."""

from __future__ import annotations

import polars as pl
import pytest

from listbuilder.normalize import geo

COUNTRIES = [
    ("United States", "US"),
    ("United States of America", "US"),
    ("USA", "US"),
    ("usa", "US"),
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("US", "US"),
    ("us", "US"),
    ("America", "US"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("United Kingdom", "GB"),
    ("Great Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("GBR", "GB"),
    ("Germany", "DE"),
    ("Deutschland", "DE"),
    ("DEU", "DE"),
    ("de", "DE"),
    ("France", "FR"),
    ("The Netherlands", "NL"),
    ("Holland", "NL"),
    ("Korea, Republic of", "KR"),
    ("South Korea", "KR"),
    ("Côte d'Ivoire", "CI"),
    ("Ivory Coast", "CI"),
    ("Viet Nam", "VN"),
    ("Vietnam", "VN"),
    ("Russian Federation", "RU"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Taiwan", "TW"),
    ("Hong Kong SAR", "HK"),
    ("Democratic Republic of the Congo", "CD"),
    ("UAE", "AE"),
    ("ROM", "RO"),  # Crunchbase's old code for Romania
    ("España", "ES"),
    ("  canada  ", "CA"),
    ("CAN", "CA"),
    ("IND", "IN"),
    ("NA", "NA"),  # ISO2 of Namibia
    # IOC / sports codes and common names vendors use
    ("GER", "DE"),
    ("RSA", "ZA"),
    ("SUI", "CH"),
    ("NED", "NL"),
    ("DEN", "DK"),
    ("POR", "PT"),
    ("GRE", "GR"),
    ("CRO", "HR"),
    ("BUL", "BG"),
    ("LAT", "LV"),
    ("MAS", "MY"),
    ("PHI", "PH"),
    ("INA", "ID"),
    ("TPE", "TW"),
    ("URU", "UY"),
    ("CRC", "CR"),
    ("ger", "DE"),
    ("Bharat", "IN"),
    ("KSA", "SA"),
    ("DNK", "DK"),  # ISO3 codes still win
    ("PRT", "PT"),
    ("CHE", "CH"),
    ("ZAF", "ZA"),
    ("CHI", None),  # Chile for the IOC, China for many readers: not guessed
    ("Remote", None),
    ("nan", None),
    ("Atlantis", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), COUNTRIES)
def test_country_code(raw: str | None, expected: str | None) -> None:
    assert geo.country_code(raw) == expected


def test_parse_country_expression_matches_the_function() -> None:
    raw = [r for r, _ in COUNTRIES]
    frame = pl.DataFrame({"c": raw}, schema={"c": pl.String})
    got = frame.select(geo.parse_country(pl.col("c"))).to_series().to_list()
    assert got == [e for _, e in COUNTRIES]


STATES = [
    ("California", None, "CA"),
    ("california", "US", "CA"),
    ("CA", "US", "CA"),
    ("ca", None, "CA"),
    ("New York", "US", "NY"),
    ("District of Columbia", "US", "DC"),
    ("Washington DC", "US", "DC"),
    ("Ontario", "CA", "ON"),
    ("Québec", "CA", "QC"),
    ("Quebec", None, "QC"),
    ("British Columbia", "CA", "BC"),
    ("Bayern", "DE", "Bayern"),  # outside US/CA: kept as given
    ("Georgia", "GE", "Georgia"),
    ("England", "GB", "England"),
    ("Greater London", None, "Greater London"),
    ("  TX ", "US", "TX"),
    ("", "US", None),
    (None, "US", None),
]


@pytest.mark.parametrize(("raw", "country", "expected"), STATES)
def test_state_code(raw: str | None, country: str | None, expected: str | None) -> None:
    assert geo.state_code(raw, country) == expected


def test_parse_state_expression_matches_the_function() -> None:
    frame = pl.DataFrame(
        {"s": [s for s, _, _ in STATES], "c": [c for _, c, _ in STATES]},
        schema={"s": pl.String, "c": pl.String},
    )
    got = frame.select(geo.parse_state(pl.col("s"), pl.col("c"))).to_series().to_list()
    assert got == [e for _, _, e in STATES]


def test_regions_are_iso2_codes() -> None:
    for region, codes in geo.REGIONS.items():
        assert all(geo.country_code(code) == code for code in codes), region
