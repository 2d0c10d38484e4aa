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
    "identity_domain_expr",
    "is_platform_expr",
    "own_platform_site_expr",
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


# A value that is already a plain lowercase host name, optionally after `http(s)://`
# and before one `/` -- most of a vendor's website column. Its host is the value
# without scheme and slash: every step of `_hosts_full` would leave it so, and it
# passes every check (labels not empty, first character not `-`, the last label
# has a letter and does not end in `-`).
_PLAIN_HOST_RE = r"^(?:https?://)?(?:[a-z0-9][a-z0-9-]*\.)+[a-z0-9-]*[a-z][a-z0-9]*/?$"


def hosts_series(values: pl.Series) -> pl.Series:
    """The lowercased host of each URL / bare host / email, or null when it is not a host name.

    Drops scheme, ``mailto:``, userinfo and the mailbox of an email, port, path, query,
    fragment and trailing dots; rejects IP addresses, single labels (``localhost``),
    empty labels and characters that cannot be in a host. IDN hosts stay in Unicode.
    """
    values = values.cast(pl.String)
    plain = values.str.contains(_PLAIN_HOST_RE).fill_null(True)  # nulls stay null either way
    hosts = values.str.strip_prefix("https://").str.strip_prefix("http://").str.strip_suffix("/")
    other = (~plain).arg_true()
    if len(other):
        hosts = hosts.scatter(other, _hosts_full(values.gather(other)))
    return hosts.alias(values.name)


def _hosts_full(values: pl.Series) -> pl.Series:
    """``hosts_series`` for any value, step by step."""
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


@functools.cache
def _tail_tables() -> dict[int, pl.Series]:
    """k -> the last k labels of every suffix and wildcard parent of k or more labels.

    A host whose last k labels are not in table k matches no suffix or wildcard parent
    of k or more labels, so its longer tails need not be tested.
    """
    suffixes, parents = _suffix_tables()
    rules = pl.concat([suffixes.explode(), parents.explode()]).unique()
    labels = rules.str.count_matches(".", literal=True) + 1
    return {
        k: rules.filter(labels >= k)
        .str.extract(rf"((?:[^.]+\.){{{k - 1}}}[^.]+)$", 1)
        .unique()
        .sort()
        .implode()
        for k in range(2, _MAX_SUFFIX_LABELS + 1)
    }


def _last_labels(hosts: pl.Series, k: int) -> pl.Series:
    """The last k labels of each host (null when it has fewer)."""
    return hosts.str.extract(rf"((?:[^.]+\.){{{k - 1}}}[^.]+)$", 1)


def _domain_from_hosts(hosts: pl.Series) -> pl.Series:
    """Registrable domains of valid ASCII hosts (or nulls) by longest ICANN suffix.

    Level k tests the hosts' last k labels (t<k>) against the suffixes: a hit makes the
    last k+1 labels the domain (null when the host is the suffix itself); a longer hit
    at a later level replaces it. Only hosts whose last k+1 labels begin a longer
    suffix or wildcard parent (``_tail_tables``) go on to level k+1, so most hosts
    (``acme.com``) take one level and ``acme.co.uk`` two.
    """
    suffixes, parents = _suffix_tables()
    tails = _tail_tables()
    length = hosts.len()
    domain = pl.Series(dtype=pl.String)  # set at level 1
    wild = pl.repeat(False, length, dtype=pl.Boolean, eager=True)
    index = pl.int_range(length, dtype=pl.UInt32, eager=True)
    frame = pl.DataFrame({"host": hosts}).with_columns(
        (pl.col("host").str.count_matches(".", literal=True) + 1).alias("n"),
        pl.col("host").str.extract(r"([^.]+)$", 1).alias("t"),
    )
    n, t = pl.col("n"), pl.col("t")
    for k in range(1, _MAX_SUFFIX_LABELS + 1):
        # two selects: an expression reused in the second is not shared in eager mode
        frame = frame.with_columns(_last_labels(frame["host"], k + 1).alias("next"))
        step = frame.select(
            ((n >= k) & t.is_in(suffixes)).fill_null(False).alias("hit"),
            pl.when(n > k).then(pl.col("next")).alias("domain"),
            ((n > k) & t.is_in(parents)).fill_null(False).alias("wild"),
        )
        hit = step["hit"]
        if k == 1:  # every host: no scatter needed
            domain = step.select(pl.when("hit").then("domain")).to_series()
        elif hit.any():
            domain = domain.scatter(index.filter(hit), step["domain"].filter(hit))
        if k < _MAX_SUFFIX_LABELS and step["wild"].any():  # parents of up to 3 labels
            wild = wild.scatter(index.filter(step["wild"]), True)
        if k == _MAX_SUFFIX_LABELS:
            break
        deeper = frame["next"].is_in(tails[k + 1]).fill_null(False)
        if not deeper.any():
            break
        index = index.filter(deeper)
        frame = frame.filter(deeper).select("host", "n", pl.col("next").alias("t"))
    if wild.any():
        rare = hosts.filter(wild).unique()
        extract = _extractor()
        mapping = {h: extract(h).top_domain_under_public_suffix.lower() or None for h in rare}
        fixed = hosts.replace_strict(mapping, default=None, return_dtype=pl.String)
        return pl.select(pl.when(wild).then(fixed).otherwise(domain)).to_series()
    return domain


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


def own_platform_site_expr() -> pl.Expr:
    """True where a platform domain is the company's own site: Weebly at weebly.com,
    Substack at substack.com (the bare domain, and the name carries its label), not
    Acme at facebook.com or at acme.wixsite.com. Reads ``website``, ``domain``,
    ``domain_is_platform`` and ``name_key``."""
    website = pl.col("website").cast(pl.String).str.strip_chars().str.to_lowercase()
    host = website.str.replace(r"^[a-z][a-z0-9+.-]*://", "").str.replace(r"^www\.", "")
    bare = host.str.strip_chars_end("/") == pl.col("domain")
    label = pl.col("domain").str.extract(r"^([^.]+)\.", 1)
    name = pl.col("name_key").cast(pl.String).str.replace_all(r"[^a-z0-9]", "")
    named = (label.str.len_chars() >= 3) & name.str.contains(label, literal=True)
    return (pl.col("domain_is_platform").fill_null(False) & bare & named).fill_null(False)


def identity_domain_expr() -> pl.Expr:
    """The account's domain as the outputs show it and key it: null for a platform domain
    (a LinkedIn page or a shared host is not the company's domain; it stays in
    ``website``), unless it is the platform's own site (Weebly at weebly.com). The one
    place the platform-domain rule is applied after normalisation."""
    return (
        pl.when(pl.col("domain_is_platform").fill_null(False) & ~own_platform_site_expr())
        .then(None)
        .otherwise(pl.col("domain"))
    )
