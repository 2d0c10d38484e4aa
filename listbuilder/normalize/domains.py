"""Registrable domains from whatever a vendor put in the website column.

``registrable_domain_series`` turns URLs, bare hosts, emails and junk into the
registrable domain (``https://www.Shop.ACME.co.uk/x`` -> ``acme.co.uk``) or null.
It is columnar: the host is cut out with polars string expressions, and the
public suffix is found by testing the host's last 1-4 labels against the ICANN
section of tldextract's bundled suffix list with ``is_in``, keeping the longest
match plus one label. Only the rare hosts under a wildcard rule (``*.ck``,
``*.kawasaki.jp``...) and the few unique IDN hosts go through per-value Python
(tldextract, idna). Results agree with
``tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)``'s
``top_domain_under_public_suffix``, lowercased, IDNs in punycode.

Private PSL entries (``github.io``, ``blogspot.com``) are not suffixes here, so
``foo.github.io`` -> ``github.io``, which ``PLATFORM_DOMAINS`` flags as a
domain that does not identify a company.
"""

from __future__ import annotations

import functools
import pkgutil

import idna
import polars as pl
import tldextract
from tldextract.suffix_list import extract_tlds_from_suffix_list

__all__ = [
    "PLATFORM_DOMAINS",
    "hosts_series",
    "is_platform_expr",
    "registrable_domain",
    "registrable_domain_series",
]

# Domains that host many companies' pages or mailboxes: a row whose website is on
# one of these says nothing about which company it is, so it is not identity.
PLATFORM_DOMAINS: frozenset[str] = frozenset(
    """
    linkedin.com lnkd.in facebook.com fb.com fb.me twitter.com x.com t.co instagram.com
    youtube.com youtu.be tiktok.com pinterest.com vimeo.com snapchat.com
    angel.co angellist.com wellfound.com crunchbase.com owler.com zoominfo.com
    glassdoor.com indeed.com yelp.com manta.com bbb.org yellowpages.com wikipedia.org
    wixsite.com wix.com editorx.io github.io github.com gitlab.io bitbucket.org
    blogspot.com blogger.com wordpress.com wp.com squarespace.com weebly.com
    google.com sites.google.com goo.gl g.page business.site medium.com substack.com
    tumblr.com typepad.com livejournal.com ghost.io herokuapp.com netlify.app
    netlify.com vercel.app pages.dev web.app firebaseapp.com appspot.com
    azurewebsites.net cloudfront.net amazonaws.com glitch.me repl.co
    bit.ly tinyurl.com ow.ly buff.ly linktr.ee about.me carrd.co
    godaddysites.com webflow.io myshopify.com notion.site notion.so strikingly.com
    mystrikingly.com jimdo.com jimdosite.com site123.me yolasite.com webnode.com
    hs-sites.com hubspotpagebuilder.com wpengine.com wpcomstaging.com
    gmail.com googlemail.com yahoo.com ymail.com hotmail.com outlook.com live.com
    msn.com aol.com icloud.com me.com mail.com gmx.com gmx.de gmx.net web.de
    proton.me protonmail.com mail.ru yandex.ru yandex.com qq.com 163.com 126.com
    wa.me t.me
    """.split()  # noqa: SIM905 - a word list reads better than 120 quoted strings
)

_MAX_SUFFIX_LABELS = 4


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """tldextract on its bundled snapshot: never the network, never a cache file."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _to_ascii(host: str) -> str | None:
    """An IDN host in punycode (``münchen.de`` -> ``xn--mnchen-3ya.de``); None if invalid."""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            return host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None


@functools.cache
def _suffix_tables() -> tuple[pl.Series, pl.Series]:
    """(ICANN suffixes, wildcard parents) from tldextract's bundled list, in punycode."""
    data = pkgutil.get_data("tldextract", ".tld_set_snapshot")
    assert data is not None, "tldextract ships its suffix list snapshot"
    public, _private = extract_tlds_from_suffix_list(data.decode("utf-8"))
    plain: set[str] = set()
    wildcard_parents: set[str] = set()
    for rule in public:
        if rule.startswith("!"):
            continue  # exceptions only matter under a wildcard: those hosts go to tldextract
        if rule.startswith("*."):
            wildcard_parents.add(_to_ascii(rule[2:]) or rule[2:])
            continue
        plain.add(rule if rule.isascii() else (_to_ascii(rule) or rule))
    # imploded: `is_in` takes the whole list as one value to look up in
    return (
        pl.Series("suffix", sorted(plain), dtype=pl.String).implode(),
        pl.Series("parent", sorted(wildcard_parents), dtype=pl.String).implode(),
    )


def hosts_series(values: pl.Series) -> pl.Series:
    """The lowercased host of each URL / bare host / email, or null when it is not a host name.

    Drops scheme, ``mailto:``, userinfo and the mailbox of an email, port, path, query,
    fragment and trailing dots; rejects IP addresses, single labels (``localhost``),
    empty labels and characters that cannot be in a host. IDN hosts stay in Unicode.
    """
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    host = (
        pl.col("v")
        .str.strip_chars(" \t\r\n<>'\"()")  # <http://acme.com>, "acme.com"
        .str.to_lowercase()
        .str.replace_many({"\u3002": ".", "\uff0e": ".", "\uff61": ".", "\\": "/"})
        .str.replace(r"^(?:[a-z][a-z0-9+\-]*:/+|mailto:|https?/+|/+)", "")
        # up to the path, query, fragment, or a second value ("a.com, b.com")
        .str.extract(r"^([^/?#%\s,;|<>\x22]*)", 1)
        .str.replace(r"^.*@", "")
        .str.replace(r":\d*$", "")
        .str.strip_chars(".")
    )
    h = pl.col("h")
    ok = (
        h.str.contains(r"^[a-z0-9_\-.\x{80}-\x{10ffff}]+$")
        & h.str.contains(".", literal=True)
        & ~h.str.contains("..", literal=True)
        & ~h.str.contains(r"\.[0-9]+$")  # numeric last label: an IP address
        & ~h.str.contains(r"^-|-$")
    )
    # two selects: an expression reused inside when/then is not shared in eager mode
    return frame.select(host.alias("h")).select(pl.when(ok).then(h).alias(values.name)).to_series()


def _idn_to_ascii(hosts: pl.Series) -> pl.Series:
    """Punycode for the (few) non-ASCII hosts, via a per-unique-value mapping."""
    is_ascii = hosts.str.len_bytes() == hosts.str.len_chars()
    non_ascii = hosts.filter(~is_ascii).unique()
    if non_ascii.len() == 0:
        return hosts
    mapping = pl.DataFrame(
        {
            "host": non_ascii,
            "ascii": pl.Series([_to_ascii(h) for h in non_ascii.to_list()], dtype=pl.String),
        }
    )
    joined = pl.DataFrame({"host": hosts}).join(
        mapping, on="host", how="left", maintain_order="left"
    )
    return pl.select(
        pl.when(is_ascii).then(hosts).otherwise(joined["ascii"]).alias(hosts.name)
    ).to_series()


def _domain_from_hosts(hosts: pl.Series) -> pl.Series:
    """Registrable domains of valid ASCII hosts (or nulls) by longest ICANN suffix."""
    suffixes, parents = _suffix_tables()
    top = _MAX_SUFFIX_LABELS + 1
    host = pl.col("host")
    frame = pl.DataFrame({"host": hosts}).with_columns(
        (host.str.count_matches(".", literal=True) + 1).alias("n"),
        # t<k>: the last k labels (regex extracts are cheaper than list slice + join)
        *(
            host.str.extract(rf"((?:[^.]+\.){{{k - 1}}}[^.]+)$", 1).alias(f"t{k}")
            for k in range(1, top + 1)
        ),
    )
    n = pl.col("n")
    suffix_len: pl.Expr = pl.lit(0)
    for k in range(1, top):
        hit = (n >= k) & pl.col(f"t{k}").is_in(suffixes)
        suffix_len = pl.when(hit).then(k).otherwise(suffix_len)
    under_wildcard = pl.any_horizontal(
        *((n > k) & pl.col(f"t{k}").is_in(parents) for k in range(1, top - 1))
    )
    frame = frame.with_columns(suffix_len.alias("s"), under_wildcard.alias("wild"))
    domain: pl.Expr = pl.lit(None, dtype=pl.String)
    for k in range(1, top):
        domain = pl.when((pl.col("s") == k) & (n > k)).then(pl.col(f"t{k + 1}")).otherwise(domain)
    out = frame.select(domain.alias("domain"), "wild")
    wild = out["wild"]
    if wild.any():
        rare = hosts.filter(wild).unique()
        extract = _extractor()
        mapping = {h: extract(h).top_domain_under_public_suffix.lower() or None for h in rare}
        fixed = hosts.replace_strict(mapping, default=None, return_dtype=pl.String)
        return out.select(pl.when(wild).then(fixed).otherwise(pl.col("domain"))).to_series()
    return out["domain"]


def registrable_domain_series(values: pl.Series) -> pl.Series:
    """Registrable domain (String, lowercase, punycode) of each value; null when none.

    Accepts URLs, bare hosts and emails; junk (``N/A``, ``#NAME?``, IPs,
    ``localhost``) and hosts without a known public suffix give null.
    """
    hosts = hosts_series(values)
    if hosts.null_count() == hosts.len():
        return pl.repeat(None, hosts.len(), dtype=pl.String, eager=True).alias(values.name)
    return _domain_from_hosts(_idn_to_ascii(hosts)).alias(values.name)


def registrable_domain(value: str | None) -> str | None:
    """Registrable domain of one URL / host / email (``info@acme.com`` -> ``acme.com``)."""
    if value is None:
        return None
    return registrable_domain_series(pl.Series("v", [value], dtype=pl.String))[0]


def is_platform_expr(domain_expr: pl.Expr) -> pl.Expr:
    """True where the domain is a platform/hosting/mail domain (not a company's identity).

    Null domains give False, so ``~is_platform`` can be used as a filter directly.
    """
    platforms = pl.Series(sorted(PLATFORM_DOMAINS), dtype=pl.String).implode()
    return domain_expr.is_in(platforms).fill_null(False)
