"""Company name keys: one spelling per company name, for blocking and matching.

``name_key_expr`` is a polars expression; ``name_key`` runs the same expression on
one value, so there is one implementation. The tables it uses are data, shipped in
``listbuilder/normalize/data/`` (legal forms, abbreviations, place names), each
with its sources. The key is:

1. Unicode NFKC, casefolded (``ß`` -> ``ss``), accents folded to ASCII where a
   plain Latin letter exists (``Nestlé`` -> ``nestle``, ``Łódź`` -> ``lodz``,
   ``Müller`` -> ``muller``, not ``mueller``); other scripts keep their letters
   (Cyrillic stays Cyrillic, ``й`` stays ``й``). A legal form glued to the name is
   split off (``AcmeLtd.`` -> ``Acme Ltd.``).
2. Trailing fragments after a comma, a parenthesis or a spaced dash are dropped when
   they are a place (country name or code, US state, city of 15,000+ people --
   100,000+ after a bare comma unless a region follows, since ``Smith, Frederick``
   is a person: ``UNILEVER N. V.,NL``, ``Acme Inc (USA)``, ``Acme Ltd - London``), a
   web address (``Hipmunk, hipmunk.com``), or anything short after a legal form and a
   comma (``AKZO NOBEL N.V., ARNHEM``) -- never the name's last word. Words before
   any separator are the name's (``Washington Post``, ``Bank of America``).
3. A name that is a web address becomes its brand label (``Hipmunk.com``,
   ``www.hipmunk.com`` -> ``hipmunk``; ``Amazon.com, Inc.`` -> ``amazon``);
   ``name_domain_expr`` gives the registrable domain itself. Only hosts whose suffix
   is on the public suffix list count, so ``E.ON`` (no ``.on`` suffix), ``St.Jude``
   and ``Dr.Oetker`` stay names (``eon``, ``st jude``, ``dr oetker``).
4. ``&`` and ``+`` -> ``and``; dots after single letters dropped (``L.L.C.`` ->
   ``llc``, ``N. V.`` -> ``n v``, ``A/S`` -> ``as``); other punctuation becomes a
   space; whitespace collapsed; a leading ``the`` dropped.
5. Legal forms of 30+ countries removed, as written, spaced, spelled out and misspelt
   (``NV``, ``N V``, ``Naamloze Vennootschap``, ``Icn``): trailing runs (``Acme Co.,
   Ltd.`` -> ``acme``, ``Philips NV Naamloze Vennootschap`` -> ``philips``), leading
   forms (``N.V. Philips``, ``OOO``, ``ПАО``, ``PT``, ``AB``), unambiguous forms in
   the middle (``Hello Oy World``), and Chinese/Japanese/Korean forms written against
   the name (``株式会社ソニー``). Forms that are also words (Italian ``S.p.A.``,
   German ``e.V.``) are stripped only as registries write them (``S.p.A.``, ``SpA``,
   ``e.V.``), so a ``Day Spa`` keeps its spa and ``Lucid EV`` its EV.
6. Business words spelled one way (``Tech``/``Technologies`` -> ``technology``,
   ``Intl`` -> ``international``, ``Ctr``/``Centre`` -> ``center``).

Business descriptors (Holdings, Group, Technologies, International) are kept:
they often tell sister companies apart. Legal words inside a token are never
touched (``Cisco``, ``Costco``, ``Co-op``), and a name made only of legal words
keeps them (``Limited`` -> ``limited``) rather than becoming empty. Empty keys,
and spreadsheet placeholders in the name (``#NAME?``, ``N/A``, ``null``), are null.
The key is single-spaced tokens in the name's order; keys are fixed points.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable
from importlib import resources

import polars as pl

from listbuilder.normalize.domains import registrable_domain_series

__all__ = ["LEGAL_FORMS", "name_domain", "name_domain_expr", "name_key", "name_key_expr"]

_DATA = resources.files("listbuilder.normalize") / "data"


def _read_toml(name: str) -> dict:
    return tomllib.loads((_DATA / name).read_text(encoding="utf-8"))


_LEGAL_TABLES = _read_toml("legal_forms.toml")
_ABBREVIATIONS = _read_toml("abbreviations.toml")["families"]

# Casefolding beyond lowercase, and Latin letters with no decomposition to a plain one.
_FOLD_EXTRA = {
    "ß": "ss",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "i\u0307": "i",  # lowercase of İ
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "ĸ": "k",
    "ſ": "s",
    "ς": "σ",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "´": "'",
    "`": "'",
}


def _latin_accent_folds() -> dict[str, str]:
    """Precomposed lowercase Latin letters -> their plain letter (é -> e, ş -> s).

    One multi-pattern replace over this table is several times faster than
    NFKD + dropping marks + NFC, and leaves other scripts (Cyrillic й) untouched.
    """
    folds = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(cp)
        if unicodedata.category(char) != "Ll":
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if plain != char and plain.isascii():
            folds[char] = plain
    return folds


_FOLD: dict[str, str] = {**_latin_accent_folds(), **_FOLD_EXTRA}

# A legal form glued to the end of the name, told apart by its capital: `AcmeLtd.`.
# Two letters before it, so that `gGmbH` stays one form.
_GLUED_FORM_RE = r"(\p{L}\p{Ll})(Ltd\.?|LLC|L\.L\.C\.|GmbH|Inc\.|Corp\.)\s*$"
_GLUED_TEST_RE = r"\p{Ll}(?:Ltd\.?|LLC|L\.L\.C\.|GmbH|Inc\.|Corp\.)\s*$"  # no groups: fast

# Forms that are also words once casefolded: stripped only as registries write them
# (Italian S.p.A., German e.V., Balkan d.o.o.), so a `Day Spa` keeps its spa,
# `Lucid EV` its EV and `Scooby-Doo` its doo.
_WRITTEN_FORM_RE = (
    r"[\s,]+(?:S\.\s?p\.\s?A\.?|S\.\s?P\.\s?A\.?|SpA|SPA|e\.\s?V\.?|E\.\s?V\."
    r"|[dD]\.\s?[oO]\.\s?[oO]\.?)\s*$"
)
# The same after casefolding, dotted spellings only: for a form a dropped place
# fragment left at the end (`Ferrari S.p.A., Milano`).
_WRITTEN_FOLDED_RE = r"[\s,]+(?:s\.\s?p\.\s?a\.?|e\.\s?v\.|d\.\s?o\.\s?o\.?)\s*$"

# Spreadsheet errors and "no value" markers that vendors leave in the name column.
_PLACEHOLDER_WORDS = tuple(
    "#name? #value! #ref! #n/a #null! #num! #div/0! n/a null none nan".split()  # noqa: SIM905
)
_PLACEHOLDER_RE = (
    r"^\s*(?:" + "|".join(w.replace("?", r"\?") for w in _PLACEHOLDER_WORDS) + r")\s*$"
)

# `&` anywhere, and `+` between words, is `and` (`A+E Networks`, abbreviations.toml's
# `and` family); other `+` are punctuation (`Notepad++`, `Google+`).
_PLUS_RE = r"(\p{L})\s*\+\s*(\p{L})"


def _fold_expr(expr: pl.Expr) -> pl.Expr:
    """Step 1 (glued forms aside): NFKC, written-only forms, casefold, placeholders, accents."""
    return (
        expr.str.normalize("NFKC")
        .str.replace(_WRITTEN_FORM_RE, "")
        .str.to_lowercase()
        .str.replace(_PLACEHOLDER_RE, "")
        .str.replace_many(_FOLD)
    )


def _punctuation_expr(expr: pl.Expr) -> pl.Expr:
    """Step 4 on a folded name: `&`, dots, punctuation, spaces, a leading `the`."""
    return (
        expr.str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"\b(\p{L})/(\p{L})\b", "${1}${2}")  # A/S, S/A
        .str.replace_all(r"\b(\p{L})\.", "${1}")  # l.l.c. -> llc, z o.o. -> z oo
        .str.replace_all("'", "", literal=True)
        .str.replace_all(r"[^\p{L}\p{N}\p{M}]+", " ")  # marks: Devanagari vowel signs
        .str.strip_chars()
        .str.replace(r"^the\s", "")
    )


def _apply(expr_fn: Callable[[pl.Expr], pl.Expr], series: pl.Series) -> pl.Series:
    return pl.select(expr_fn(pl.lit(series))).to_series()


def _table_keys(written: list[str], *, spaced: bool = False) -> list[str]:
    """Table entries as keys read (`N.V.` -> `nv`); with ``spaced``, `S. A. S.` too.

    Only dotted forms of three or more letters are spaced here: `E. K.`, `P. A.` are
    as likely a person's initials, so two-letter forms are spaced only where the
    table writes them so (`N. V.`, `B. V.`).
    """
    variants = list(written)
    if spaced:
        variants += [
            re.sub(r"(?<=\w)\.(?=\w)", ". ", w) for w in written if len(re.findall(r"\w\.", w)) >= 3
        ]
    keys = _apply(lambda e: _punctuation_expr(_fold_expr(e)), pl.Series(variants, dtype=pl.String))
    return sorted({k for k in keys.to_list() if k}, key=lambda f: (-len(f), f))


def _position(name: str) -> list[str]:
    return [w for table in _LEGAL_TABLES["countries"].values() for w in table.get(name, [])]


_TRAILING = _table_keys(_position("forms") + _position("misspelt"), spaced=True)
_LEADING = _table_keys(_position("leading"))
_MIDDLE = _table_keys(_position("middle"))
_CJK = sorted(_LEGAL_TABLES["cjk"], key=lambda f: (-len(f), f))

LEGAL_FORMS: tuple[str, ...] = tuple(sorted({*_TRAILING, *_LEADING, *_MIDDLE, *_CJK}))
"""Every legal form as it reads in a key (casefolded, dot-free, `&` -> `and`)."""


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", " ") for f in forms)


_CJK_FORMS = _alternation(_CJK)
_TRAILING_RE = r"(?:\s(?:" + _alternation(_TRAILING) + r"))+$"
_LEADING_RE = r"^(?:(?:" + _alternation(_LEADING) + r")\s)+"
_MIDDLE_RE = r"\s(?:" + _alternation(_MIDDLE) + r")\s"
_CJK_RE = "^(?:" + _CJK_FORMS + r")\s?|\s?(?:" + _CJK_FORMS + ")$"
_ANY_FORM = "(" + _alternation(sorted({*LEGAL_FORMS, "spa"}, key=lambda f: (-len(f), f))) + ")"
# A name of only legal words (up to four) is marked so that no strip pattern matches
# it: \x00 in front, \x01 instead of the spaces between words. Unmarked after.
_ONLY_LEGAL_RE = "^" + _ANY_FORM + "".join(rf"(?:\s{_ANY_FORM})?" for _ in range(3)) + "$"
_ONLY_LEGAL_MARK = "\x00${1}\x01${2}\x01${3}\x01${4}\x01"
_ENDS_IN_FORM_RE = r"(?:^|\s)(?:" + _alternation(_TRAILING) + r")$"
# How US filings describe a form after the name: `Acme, Inc., a Delaware corporation`.
_DESCRIBED_FORM_RE = r"^an?\s.*\s(?:" + _alternation(_TRAILING) + r")$"

# Business words: every spelling -> its family's canonical token (step 6).
_SPELLINGS: dict[str, str] = {
    spelling: canonical
    for canonical, written in _ABBREVIATIONS.items()
    if canonical != "and"
    for spelling in _table_keys(written)
    if spelling != canonical
}
_SPELLING_RE = (
    r"(?:^|\s)(?:" + _alternation(sorted(_SPELLINGS, key=lambda s: -len(s))) + r")(?:\s|$)"
)
_WORD_CANDIDATE_RE = (
    r"(?:^|\s)(?:"
    + _alternation(sorted({*LEGAL_FORMS, "spa", *_SPELLINGS}, key=lambda f: (-len(f), f)))
    + r")(?:\s|$)|"
    + _CJK_FORMS
)
# Matched with one space each side, so adjacent words are doubled-spaced first.
_SPELLING_PADDED = {f" {s} ": f" {c} " for s, c in _SPELLINGS.items()}


# Names of plain ASCII words (letters and digits, single spaces, no outer spaces) --
# most names in a vendor list -- need only a few of the steps below: NFKC, the
# accent folds, places, domains, `&`, `A/S`, dots, apostrophes and punctuation leave
# them unchanged.
_PLAIN_RE = r"^[A-Za-z0-9]+(?: [A-Za-z0-9]+)*$"
# A key that can hold a legal form: one of the forms as whole words, or a CJK form
# anywhere. Every strip pattern below needs one, so other keys skip them all.
_LEGAL_CANDIDATE_RE = r"(?:^|\s)" + _ANY_FORM + r"(?:\s|$)|" + _CJK_FORMS

# The last fragment of a folded name, with its separator: a comma, an opening
# parenthesis or a spaced dash (not the hyphen of `Gist-Brocades`).
_TAIL_RE = r"((?:,|\(|\s[-–—]+|[-–—]+\s)[^,(]*)$"
_SEPARATOR_RE = r"^(?:,|\(|\s[-–—]+|[-–—]+\s)"
_MAX_FRAGMENTS = 3  # `GIST-BROCADES B.V., DELFT, NL`: two
# A host name, optionally as a URL, in a folded name (`www.hipmunk.com/`).
_HOST = r"(?:https?://)?(?:www\d?\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+/?"
_LEADING_HOST_RE = rf"^({_HOST})(?:[\s,;]|$)"
_FRAGMENT_HOST_RE = rf"^{_HOST}$"
# Top-level domains that are legal forms: `Acme.Inc`, `Acme Co.Ltd` are typos, not sites.
_FORM_SUFFIXES = ("inc", "ltd", "llc", "gmbh", "limited", "sarl", "srl", "ltda", "corp")


@functools.cache
def _places() -> dict[str, pl.Series]:
    """Folded place names (``data/places.json``; see its build script), by kind.

    ``region``: countries, country codes, US states; ``city``: cities of 15,000+
    people; ``large_city``: of 100,000+, the ones a bare comma is enough for.
    """
    table = json.loads((_DATA / "places.json").read_text(encoding="utf-8"))
    kinds = {
        "region": ["countries", "country_codes", "us_states"],
        "large_city": ["cities_100000"],
        "city": ["cities_100000", "cities_15000"],
    }
    return {
        kind: pl.Series(
            kind, sorted({n for k in keys for n in table[k]}), dtype=pl.String
        ).implode()
        for kind, keys in kinds.items()
    }


def _name_domains(hosts: pl.Series) -> pl.Series:
    """The registrable domain of each host-shaped value that names a site, else null.

    The host must be the registrable domain itself (``www.`` aside; a subdomain such as
    ``acme.wordpress.com`` is a page on someone else's site), its label two or more
    characters with a letter (``r.us`` is no brand), its suffix not a legal form.
    """
    domains = registrable_domain_series(hosts)
    host = hosts.str.replace(r"^(?:https?://)?(?:www\d?\.)?", "").str.strip_suffix("/")
    label = domains.str.extract(r"^([^.]+)\.", 1)
    suffix = domains.str.extract(r"^[^.]+\.(.+)$", 1)
    ok = (
        (host == domains)
        & (label.str.len_chars() >= 2)
        & label.str.contains(r"[a-z]")
        & ~suffix.is_in(_FORM_SUFFIXES)
    )
    return pl.select(pl.when(ok.fill_null(False)).then(domains)).to_series().alias(hosts.name)


def _split_fragment(folded: pl.Series) -> pl.DataFrame:
    """(head, sep, fragment) of each folded name, split at its last separator."""
    tail = folded.str.extract(_TAIL_RE, 1)
    sep = tail.str.extract(_SEPARATOR_RE, 0)
    return pl.DataFrame(
        {
            "head": folded.str.slice(0, folded.str.len_chars() - tail.str.len_chars()),
            "sep": sep.str.strip_chars(),
            "fragment": tail.str.slice(sep.str.len_chars()).str.strip_chars(" \t)"),
        }
    )


def _site_fragments(fragments: pl.Series) -> pl.Series:
    """True where a fragment is a web address (only host-shaped ones are looked up)."""
    hosts = fragments.str.contains(_FRAGMENT_HOST_RE).fill_null(False)
    found = pl.repeat(False, fragments.len(), dtype=pl.Boolean, eager=True)
    if hosts.any():
        sites = _name_domains(fragments.filter(hosts)).is_not_null()
        found = found.scatter(hosts.arg_true().filter(sites), True)
    return found


def _drop_trailing_fragments(folded: pl.Series) -> pl.Series:
    """Step 2 on folded names: drop place, web-address and post-legal-form fragments.

    A country, code or US state goes after any separator; a city after a dash or a
    parenthesis, but after a bare comma only if large (``Smith, Frederick`` is a
    person) or followed by a region (``Gist-Brocades B.V., Delft, NL``).
    """
    places = _places()
    folded = folded.clone()  # scattered into below
    rows = folded.str.contains(r"[,(]|\s[-–—]|[-–—]\s").fill_null(False).arg_true()
    after_region = pl.repeat(False, len(rows), dtype=pl.Boolean, eager=True)
    for _ in range(_MAX_FRAGMENTS):
        parts = _split_fragment(folded.gather(rows))
        fragment = _apply(_punctuation_expr, parts["fragment"])
        region = fragment.is_in(places["region"]).fill_null(False)
        city = fragment.is_in(places["city"]).fill_null(False) & (
            (parts["sep"] != ",") | after_region | fragment.is_in(places["large_city"])
        ).fill_null(False)
        # most fragments are a legal form after a comma (`Acme, Inc.`): step 5's
        keep = parts["head"].str.contains(r"[\p{L}\p{N}]").fill_null(False) & (
            region | city | ~fragment.str.contains(_ONLY_LEGAL_RE).fill_null(True)
        )
        rows, parts, fragment = rows.filter(keep), parts.filter(keep), fragment.filter(keep)
        region, city = region.filter(keep), city.filter(keep)
        if not len(rows):
            break
        drop = region | city | fragment.is_in(["", "the"]) | _site_fragments(parts["fragment"])
        # anything short, or `a Delaware corporation`, after a legal form and a comma
        maybe = (
            ~drop
            & (parts["sep"] == ",")
            & ~fragment.str.contains(r"\d")
            & ((fragment.str.count_matches(" ") < 3) | fragment.str.contains(_DESCRIBED_FORM_RE))
        ).fill_null(False)
        if maybe.any():
            after_form = _apply(_punctuation_expr, parts["head"].filter(maybe)).str.contains(
                _ENDS_IN_FORM_RE
            )
            drop = drop.scatter(maybe.arg_true().filter(after_form.fill_null(False)), True)
        if not drop.any():
            break
        rows, after_region = rows.filter(drop), region.filter(drop)
        heads = parts["head"].filter(drop).str.replace(_WRITTEN_FOLDED_RE, "")
        folded = folded.scatter(rows, heads)
    return folded


def _leading_hosts(folded: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(the leading host-shaped text of each name or null, its name domain or null)."""
    text = folded.str.extract(_LEADING_HOST_RE, 1)
    return text, _name_domains(text)


def _domains_to_labels(folded: pl.Series) -> pl.Series:
    """Step 3: a leading web address becomes its brand label (`hipmunk.com, inc.`)."""
    rows = folded.str.contains(r"^\S*[a-z0-9]\.[a-z]").fill_null(False).arg_true()
    if not len(rows):
        return folded
    text, domain = _leading_hosts(folded.gather(rows))
    found = domain.is_not_null()
    if not found.any():
        return folded
    rest = folded.gather(rows).str.slice(text.str.len_chars().fill_null(0))
    label = domain.str.extract(r"^([^.]+)", 1)
    return folded.clone().scatter(rows.filter(found), (label + rest).filter(found))


def _base_keys(names: pl.Series) -> pl.Series:
    """Steps 1-4 for any name."""
    glued = names.str.contains(_GLUED_TEST_RE).fill_null(False)
    names = _patch(names, glued, lambda s: s.str.replace(_GLUED_FORM_RE, "${1} ${2}"), names)
    folded = _apply(_fold_expr, names)
    folded = _drop_trailing_fragments(folded)
    folded = _domains_to_labels(folded)
    plus = folded.str.contains("+", literal=True).fill_null(False)
    folded = _patch(folded, plus, lambda s: s.str.replace_all(_PLUS_RE, "${1} and ${2}"), folded)
    return _apply(_punctuation_expr, folded)


def _base_key(expr: pl.Expr) -> pl.Expr:
    """Steps 1-4 for any name, as an expression: the full chain the shortcuts skip."""
    return expr.map_batches(_base_keys, return_dtype=pl.String(), is_elementwise=True)


def _plain_base_key(expr: pl.Expr) -> pl.Expr:
    """``_base_keys`` for names matching ``_PLAIN_RE``: the steps that can change them."""
    return (
        expr.str.replace(_GLUED_FORM_RE, "${1} ${2}")
        .str.replace(_WRITTEN_FORM_RE, "")
        .str.to_lowercase()
        .str.replace(_PLACEHOLDER_RE, "")
        .str.replace(r"^the\s", "")
    )


def _strip_legal_forms(expr: pl.Expr) -> pl.Expr:
    """Step 5 on a base key."""
    return (
        expr.str.replace(_ONLY_LEGAL_RE, _ONLY_LEGAL_MARK)
        .str.replace_all(_CJK_RE, "")
        .str.replace(_LEADING_RE, "")
        .str.replace(_TRAILING_RE, "")  # before middle: `ltd sti` is one form, not ltd + sti
        .str.replace_all(_MIDDLE_RE, " ")
        .str.replace_all(_MIDDLE_RE, " ")  # a second pass for adjacent forms
        .str.replace(_TRAILING_RE, "")
        .str.replace(_LEADING_RE, "")
        .str.replace_all(r"[\x00\x01]+", " ")
        .str.strip_chars()
    )


def _spell_words(expr: pl.Expr) -> pl.Expr:
    """Step 6 on a key: each business word's one spelling."""
    padded = pl.concat_str(pl.lit(" "), expr.str.replace_all(" ", "  ", literal=True), pl.lit(" "))
    return padded.str.replace_many(_SPELLING_PADDED).str.replace_all(r"\s+", " ").str.strip_chars()


def _patch(
    out: pl.Series, where: pl.Series, fn: Callable[[pl.Series], pl.Series], source: pl.Series
) -> pl.Series:
    """``out`` with ``fn(source)`` at the rows where ``where`` is true (only those computed)."""
    index = where.arg_true()
    if len(index):
        out = out.clone().scatter(index, fn(source.gather(index)))
    return out


def _name_keys(names: pl.Series) -> pl.Series:
    """The name keys of a String Series; each step runs only on the rows it can change.

    A plain name's base key is its lowercase, unless it can end in a written or glued
    form (`Day SPA`, `AcmeLtd`) or start with `the`; a placeholder's key is null (no
    step before the placeholder test can change one: it is ASCII, and ends in no
    written form); other names take every step. Legal forms are stripped, and
    business words respelled, where a key can hold one.
    """
    names = names.cast(pl.String)
    lower = names.str.to_lowercase()
    placeholder = lower.str.strip_chars().is_in(_PLACEHOLDER_WORDS).fill_null(False)
    plain = names.str.contains(_PLAIN_RE).fill_null(True)  # nulls: no work either way
    special = plain & (
        lower.str.ends_with(" spa")
        | lower.str.starts_with("the ")
        | lower.str.ends_with("ltd")  # glued: `AcmeLtd`
        | lower.str.ends_with("llc")
        | lower.str.ends_with("gmbh")
    )
    base = lower
    if placeholder.any():
        base = base.clone().scatter(placeholder.arg_true(), None)
    base = _patch(base, special & ~placeholder, lambda s: _apply(_plain_base_key, s), names)
    base = _patch(base, ~plain & ~placeholder, _base_keys, names)
    # one scan for both word tables; most keys hold neither
    words = base.str.contains(_WORD_CANDIDATE_RE).fill_null(False).arg_true()
    if len(words):
        keys = base.gather(words)
        keys = _patch(keys, keys.str.contains(_LEGAL_CANDIDATE_RE), _strip_legal_keys, keys)
        keys = _patch(keys, keys.str.contains(_SPELLING_RE), _spell_keys, keys)
        base = base.clone().scatter(words, keys)
    return base.replace("", None).rename(names.name)


def _strip_legal_keys(keys: pl.Series) -> pl.Series:
    return _apply(_strip_legal_forms, keys)


def _spell_keys(keys: pl.Series) -> pl.Series:
    return _apply(_spell_words, keys)


def _name_domains_of(names: pl.Series) -> pl.Series:
    """The registrable domain a name is or ends with (`Hipmunk, hipmunk.com`), else null."""
    names = names.cast(pl.String)
    out = pl.Series(names.name, [None] * names.len(), dtype=pl.String)
    rows = names.str.contains(r"[A-Za-z0-9]\.[A-Za-z]").fill_null(False).arg_true()
    if not len(rows):
        return out
    folded = _apply(_fold_expr, names.gather(rows))
    _, leading = _leading_hosts(folded)
    fragment = _split_fragment(folded)["fragment"]
    trailing = _name_domains(fragment.str.extract(rf"^({_HOST})$", 1))
    return out.scatter(rows, leading.fill_null(trailing))


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """A matching key for company names: casefolded, accent-, punctuation- and legal-form-free.

    Null for null, placeholders, and names with no letters or digits.
    """
    return expr.map_batches(_name_keys, return_dtype=pl.String(), is_elementwise=True)


def name_key(name: str | None) -> str | None:
    """``name_key_expr`` on one name: ``name_key("Nestlé S.A.") == "nestle"``."""
    series = pl.Series("name", [name], dtype=pl.String)
    return pl.select(name_key_expr(pl.lit(series))).item()


def name_domain_expr(expr: pl.Expr) -> pl.Expr:
    """The registrable domain a company name is written as (``NIMBULA.COM`` -> ``nimbula.com``).

    A domain signal for rows whose website column is empty; null when the name is no
    web address (``E.ON``, ``Yahoo!``, ``St. Jude``).
    """
    return expr.map_batches(_name_domains_of, return_dtype=pl.String(), is_elementwise=True)


def name_domain(name: str | None) -> str | None:
    """``name_domain_expr`` on one name: ``name_domain("Hipmunk.com") == "hipmunk.com"``."""
    series = pl.Series("name", [name], dtype=pl.String)
    return pl.select(name_domain_expr(pl.lit(series))).item()
