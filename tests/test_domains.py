"""Registrable domains from URLs, hosts, emails and junk; platform flags."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import idna
import polars as pl
import pytest
import tldextract
from polars.testing import assert_series_equal
from tldextract.suffix_list import extract_tlds_from_suffix_list

from listbuilder.normalize.domains import (
    PLATFORM_DOMAINS,
    is_platform_expr,
    registrable_domain,
    registrable_domain_series,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

DOMAIN_CASES: list[tuple[str | None, str | None]] = [
    # URLs in all their forms
    ("https://www.acme.com", "acme.com"),
    ("http://acme.com/", "acme.com"),
    ("https://www.acme.com/about/team?ref=x#top", "acme.com"),
    ("HTTPS://WWW.ACME.COM/", "acme.com"),
    ("https://shop.eu.acme.co.uk/x", "acme.co.uk"),
    ("http://acme.com:8080/path", "acme.com"),
    ("https://user:secret@acme.com/", "acme.com"),
    ("//acme.com/path", "acme.com"),
    ("ftp://files.acme.org", "acme.org"),
    ("http//www.acme.com", "acme.com"),
    ("http:\\\\www.acme.com\\index.html", "acme.com"),
    ("https://acme.com?x=1", "acme.com"),
    ("https://acme.com#team", "acme.com"),
    # bare hosts
    ("acme.com", "acme.com"),
    ("www.acme.com", "acme.com"),
    ("Acme.Com", "acme.com"),
    ("acme.com.", "acme.com"),
    ("  www.acme.com  ", "acme.com"),
    ("acme.com/contact", "acme.com"),
    ("www.acme.com.au", "acme.com.au"),
    ("acme.co.jp", "acme.co.jp"),
    ("acme.io", "acme.io"),
    ("www.acme.com, www.acme.de", "acme.com"),
    ("www.acme.com;www.acme.de", "acme.com"),
    ("<http://acme.com>", "acme.com"),
    ('"acme.com"', "acme.com"),
    ("http://www.acme.com%20", "acme.com"),
    ("https://acme.com\n", "acme.com"),
    ("http://www.acme.com.br.", "acme.com.br"),
    # emails
    ("info@acme.com", "acme.com"),
    ("mailto:sales@acme.de", "acme.de"),
    ("John.Doe@Mail.Acme.co.uk", "acme.co.uk"),
    # IDNs and punycode
    ("münchen.de", "xn--mnchen-3ya.de"),
    ("https://www.MÜNCHEN.de/", "xn--mnchen-3ya.de"),
    ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
    ("acme.公司.cn", "acme.xn--55qx5d.cn"),
    ("bücher.example.com", "example.com"),
    ("acme。com", "acme.com"),
    # wildcard and exception rules of the suffix list
    ("www.ck", "www.ck"),
    ("shop.acme.gov.ck", "acme.gov.ck"),
    ("foo.bar.kawasaki.jp", "foo.bar.kawasaki.jp"),
    ("city.kawasaki.jp", "city.kawasaki.jp"),
    # private suffixes are not suffixes: the platform is the domain
    ("foo.github.io", "github.io"),
    ("acme.blogspot.com", "blogspot.com"),
    ("sites.google.com/view/acme", "google.com"),
    ("acme.wixsite.com/home", "wixsite.com"),
    # junk
    ("N/A", None),
    ("n/a", None),
    ("#NAME?", None),
    ("-", None),
    ("", None),
    ("   ", None),
    ("none", None),
    ("http://", None),
    ("http://url", None),
    ("localhost", None),
    ("http://localhost:8080/", None),
    ("192.168.0.1", None),
    ("http://10.0.0.1/admin", None),
    ("[::1]", None),
    ("http://[2001:db8::1]/", None),
    ("co.uk", None),
    ("com", None),
    ("acme.notarealtld", None),
    ("acme..com", None),
    ("Acme Inc", None),
    ("-acme.com", None),
    ("www.acme", None),
    ("http://acme.com:abc/", None),
    ("acme .com", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DOMAIN_CASES)
def test_registrable_domain(raw: str | None, expected: str | None) -> None:
    assert registrable_domain(raw) == expected


def test_series_matches_scalar_and_keeps_name_and_order() -> None:
    raw = pl.Series("website", [r for r, _ in DOMAIN_CASES], dtype=pl.String)
    expected = pl.Series("website", [e for _, e in DOMAIN_CASES], dtype=pl.String)
    assert_series_equal(registrable_domain_series(raw), expected)


@pytest.mark.parametrize(
    "values",
    [
        pl.Series("w", [], dtype=pl.String),
        pl.Series("w", [None, None], dtype=pl.String),
        pl.Series("w", [None, None]),  # dtype Null, as an all-empty CSV column reads
    ],
)
def test_series_without_any_host(values: pl.Series) -> None:
    got = registrable_domain_series(values)
    assert got.dtype == pl.String
    assert got.to_list() == [None] * values.len()


PLATFORM_CASES: list[tuple[str | None, bool]] = [
    ("linkedin.com", True),
    ("angel.co", True),
    ("github.io", True),
    ("gmail.com", True),
    ("google.com", True),
    ("crunchbase.com", True),
    ("acme.com", False),
    ("linkedin.co", False),
    (None, False),
]


@pytest.mark.parametrize(("domain", "expected"), PLATFORM_CASES)
def test_is_platform(domain: str | None, *, expected: bool) -> None:
    frame = pl.DataFrame({"domain": [domain]}, schema={"domain": pl.String})
    assert frame.select(is_platform_expr(pl.col("domain"))).item() is expected


def test_platform_domains_cover_the_usual_hosts() -> None:
    usual = [
        "linkedin.com",
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "angel.co",
        "angellist.com",
        "crunchbase.com",
        "wixsite.com",
        "wix.com",
        "github.io",
        "github.com",
        "blogspot.com",
        "wordpress.com",
        "squarespace.com",
        "weebly.com",
        "google.com",
        "sites.google.com",
        "medium.com",
        "tumblr.com",
        "herokuapp.com",
        "bit.ly",
        "about.me",
        "godaddysites.com",
        "webflow.io",
        "myshopify.com",
        "notion.site",
        "gmail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
    ]
    assert set(usual) <= PLATFORM_DOMAINS
    assert all(d == d.lower().strip() and "." in d for d in PLATFORM_DOMAINS)


def test_platform_urls_are_flagged_after_extraction() -> None:
    urls = pl.Series(
        "website",
        [
            "https://www.linkedin.com/company/acme",
            "acme.wixsite.com/home",
            "https://sites.google.com/view/acme",
            "ceo@gmail.com",
            "https://acme.com",
        ],
    )
    frame = pl.DataFrame({"domain": registrable_domain_series(urls)})
    flags = frame.select(is_platform_expr(pl.col("domain"))).to_series().to_list()
    assert flags == [True, True, True, True, False]


def _varied_hosts() -> list[str]:
    """A few thousand hosts over every kind of rule in the bundled suffix list."""
    data = pkgutil.get_data("tldextract", ".tld_set_snapshot")
    assert data is not None
    public, private = extract_tlds_from_suffix_list(data.decode("utf-8"))
    hosts: list[str] = []
    for i, rule in enumerate(public):
        suffix = rule.lstrip("!").replace("*", "wild")
        hosts.append(suffix)
        hosts.append(f"acme{i}.{suffix}")
        if i % 3 == 0:
            hosts.append(f"www.shop.acme{i}.{suffix}")
    for i, rule in enumerate(private[::7]):
        hosts.append(f"tenant{i}.{rule.lstrip('!').replace('*', 'wild')}")
    hosts += ["bücher.de", "www.straße.de", "ACME.COM", "a.b.c.d.e.f.co.uk", "xn--55qx5d.cn"]
    return hosts


def _tldextract_domain(extract: tldextract.TLDExtract, host: str) -> str | None:
    domain = extract(host).top_domain_under_public_suffix.lower()
    if not domain:
        return None
    return domain if domain.isascii() else idna.encode(domain, uts46=True).decode("ascii")


def test_agrees_with_tldextract_on_varied_hosts() -> None:
    hosts = _varied_hosts()
    assert len(hosts) > 3000
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    expected = [_tldextract_domain(extract, h) for h in hosts]
    got = registrable_domain_series(pl.Series("h", hosts)).to_list()
    mismatches = [(h, g, e) for h, g, e in zip(hosts, got, expected, strict=True) if g != e]
    assert mismatches == []


REAL_LISTS = [
    ("crunchbase_2014/companies.csv", "homepage_url", []),
    # not URLs at all: five bare schemes and a placeholder
    ("yc_companies/yc_companies.csv", "website", ["http://"] * 5 + ["http://url"]),
    ("fortune500_2020/fortune_500_companies.csv", "website", []),
]


@pytest.mark.parametrize(("path", "column", "unusable"), REAL_LISTS)
def test_every_real_homepage_gets_a_domain(path: str, column: str, unusable: list[str]) -> None:
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} is absent")
    # the Crunchbase export holds a few non-UTF-8 bytes in other columns
    frame = pl.read_csv(file, infer_schema=False, encoding="utf8-lossy")
    website = frame[column]
    has_value = website.is_not_null() & (website.str.strip_chars() != "")
    domain = registrable_domain_series(website)
    assert sorted(website.filter(has_value & domain.is_null()).to_list()) == sorted(unusable)
