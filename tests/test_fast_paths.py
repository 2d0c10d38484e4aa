"""The shortcuts of the columnar normalizers give what the full step-by-step paths give.

``name_key_expr`` takes only a few steps for plain ASCII names and strips legal forms
only where a key can hold one; ``hosts_series`` cuts plain hosts without the full
pipeline; ``_domain_from_hosts`` tests longer suffixes only where a host's tail begins
one. Each is checked here against the full path on inputs chosen to sit on the
borders of the shortcuts.
"""

from __future__ import annotations

import polars as pl
import pytest
import tldextract
from polars.testing import assert_series_equal

from listbuilder.normalize import domains, names

NAMES = [
    "Acme",
    "Acme 123",
    "acme inc",
    "Acme Inc",
    "ACME INC",
    "Day SPA",
    "Day SpA",
    "Day Spa",
    "Acme S.p.A.",
    "The Acme",
    "the acme",
    "The",
    "Theodore",
    "null",
    "NULL",
    "None",
    "nan",
    " null ",
    "#NAME?",
    "#NAME? 123",
    "N/A",
    "Limited",
    "Acme Co Ltd",
    "Hello Oy World",
    "Oy Acme",
    "Cisco",
    "Costco",
    "Co-op",
    "Acme`s",
    "Acme's",
    "Acme  Inc",
    " Acme",
    "Acme ",
    "Nestlé S.A.",
    "ООО Ромашка",
    "株式会社ソニー",
    "Ｆｕｌｌ Width",
    "",
    " ",
    None,
]


def _full_name_keys(values: list[str | None]) -> pl.Series:
    series = pl.Series("name", values, dtype=pl.String)
    base = pl.select(names._base_key(pl.lit(series))).to_series()
    stripped = pl.select(names._strip_legal_forms(pl.lit(base))).to_series()
    return stripped.replace("", None).rename("name")


def test_name_key_shortcuts_match_the_full_chain():
    series = pl.Series("name", NAMES, dtype=pl.String)
    got = pl.select(names.name_key_expr(pl.lit(series))).to_series().rename("name")
    assert_series_equal(got, _full_name_keys(NAMES))


@pytest.mark.parametrize("value", NAMES)
def test_name_key_of_one_value_matches_the_full_chain(value):
    assert names.name_key(value) == _full_name_keys([value])[0]


WEBSITES = [
    "acme.com",
    "www.acme.com",
    "https://www.acme.com",
    "http://acme.com/",
    "https://acme.com//",
    "acme.co.uk",
    "shop.acme.co.uk",
    "co.uk",
    "com",
    "a.b.kawasaki.jp",
    "city.kawasaki.jp",
    "www.city.kawasaki.jp",
    "x.ck",
    "www.x.ck",
    "acme.sch.uk",
    "a.acme.sch.uk",
    "acme.nom.br",
    "acme.io",
    "com.io",
    "x.com.io",
    "-acme.com",
    "acme-.com",
    "acme.com-",
    "10.0.0.1",
    "acme.123",
    "ACME.COM",
    "https://Acme.com",
    "acme_x.com",
    "info@acme.com",
    "acme.com:8080",
    "acme.com.",
    "acme..com",
    "münchen.de",
    "localhost",
    "",
    None,
]


def test_hosts_shortcut_matches_the_full_pipeline():
    series = pl.Series("w", WEBSITES, dtype=pl.String)
    assert_series_equal(domains.hosts_series(series), domains._hosts_full(series))


def test_domains_by_levels_match_tldextract():
    hosts = domains._idn_to_ascii(domains.hosts_series(pl.Series("w", WEBSITES)))
    got = domains._domain_from_hosts(hosts).to_list()
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    want = [
        None if h is None else (extract(h).top_domain_under_public_suffix.lower() or None)
        for h in hosts.to_list()
    ]
    assert got == want
