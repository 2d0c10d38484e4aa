"""Company name keys: one spelling per company name, for blocking and matching.

``name_key_expr`` is a polars expression; ``name_key`` runs the same expression on
one value, so there is one implementation. The key is:

1. Unicode NFKC, casefolded (``ß`` -> ``ss``), accents folded to ASCII where a
   plain Latin letter exists (``Nestlé`` -> ``nestle``, ``Łódź`` -> ``lodz``,
   ``Müller`` -> ``muller``, not ``mueller``); other scripts keep their letters
   (Cyrillic stays Cyrillic, ``й`` stays ``й``).
2. ``&`` -> ``and``; dots after single letters dropped (``L.L.C.`` -> ``llc``,
   ``A/S`` -> ``as``); other punctuation becomes a space; whitespace collapsed.
3. A leading ``the`` dropped.
4. Legal forms removed across countries: trailing runs (``Acme Co., Ltd.`` ->
   ``acme``, ``Acme GmbH & Co. KG`` -> ``acme``), leading forms (``OOO``, ``ПАО``,
   ``PT``, ``AB``), unambiguous forms in the middle (``Hello Oy World``), and
   Chinese/Japanese/Korean forms written against the name (``株式会社ソニー``).
   Forms that are also words (Italian ``S.p.A.``, German ``e.V.``) are stripped
   only as registries write them (``S.p.A.``, ``SpA``, ``e.V.``), so a ``Day Spa``
   keeps its spa and ``Lucid EV`` its EV.

Business descriptors (Holdings, Group, Technologies, International) are kept:
they often tell sister companies apart. Legal words inside a token are never
touched (``Cisco``, ``Costco``, ``Co-op``), and a name made only of legal words
keeps them (``Limited`` -> ``limited``) rather than becoming empty. Empty keys,
and spreadsheet placeholders in the name (``#NAME?``, ``N/A``, ``null``), are null.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import polars as pl

__all__ = ["LEGAL_FORMS", "name_key", "name_key_expr"]

# Legal forms as they read after steps 1-2 (casefolded, dot-free, `&` -> `and`).
_TRAILING_FORMS = """
inc|incorporated|corp|corporation|co|company|and co|and company|cos|llc|l l c|ltd|limited
|ltd co|ltd sti|plc|llp|lllp|pllc|lp|pty|pty ltd|proprietary limited|pte|pte ltd
|pvt|pvt ltd|private limited|public company limited|pcl|sdn bhd|bhd|berhad
|gmbh|mbh|g m b h|ag|kg|kgaa|ohg|gbr|ug haftungsbeschrankt|se
|gmbh and co kg|gmbh co kg|gmbh and co kgaa|ag and co kg|ag and co kgaa|se and co kg
|se and co kgaa|ltd and co kg|and co kg|co kg|and cie|et cie|cie
|sa|sas|sasu|sarl|eurl|sca|snc|sa de cv|sab de cv|s de rl|s de rl de cv|sapi de cv
|srl|srls|sapa|sl|slu|sa u|sau|lda|ltda|eireli|sociedad anonima|sociedad limitada
|bv|nv|bvba|cvba|sprl|vof|oy|oyj|ab|abp|publ|ab publ|as|asa|aps|a s|a p s
|sp z oo|spolka z oo|sp z o o|spolka z ograniczona odpowiedzialnoscia|spolka akcyjna
|sp j|sp k|sp zoo|sro|spol s ro|spol s r o|kft|zrt|nyrt|ood|eood|jsc|ojsc|cjsc|pjsc
|kk|kabushiki kaisha|kabushiki gaisha|yugen kaisha|godo kaisha|tbk|pt tbk
|ооо|зао|оао|пао|ао|тов|пат|ат|тоо|ooo|zao|oao|pao
"""
_LEADING_FORMS = """
ооо|зао|оао|пао|ао|тов|пат|ат|тоо|ooo|zao|oao|pao|ojsc|cjsc|pjsc|jsc|pt|ab|oy
|kk|kabushiki kaisha|kabushiki gaisha|yugen kaisha
"""
# Never English words, so safe to drop between two other words.
_MIDDLE_FORMS = """
gmbh|mbh|oy|oyj|ab|ltd|pty ltd|llc|plc|sro|kft|aps|bv|nv|srl|sarl|sp z oo|ооо|зао|оао|пао
"""

# Chinese, Japanese and Korean forms are written without a space before or after the name.
_CJK_FORMS = (
    "股份有限公司|有限责任公司|有限責任公司|有限公司|株式会社|有限会社|合同会社|주식회사|유한회사"
)


def _forms(text: str) -> list[str]:
    forms = {f.strip() for f in text.replace("\n", "").split("|") if f.strip()}
    return sorted(forms, key=lambda f: (-len(f), f))  # longest first: `gmbh co kg` before `co`


LEGAL_FORMS: tuple[str, ...] = tuple(
    sorted(
        {
            *_forms(_TRAILING_FORMS),
            *_forms(_LEADING_FORMS),
            *_forms(_MIDDLE_FORMS),
            *_forms(_CJK_FORMS),
        }
    )
)

_TRAILING_RE = r"(?:\s(?:" + "|".join(_forms(_TRAILING_FORMS)) + r"))+$"
_LEADING_RE = r"^(?:(?:" + "|".join(_forms(_LEADING_FORMS)) + r")\s)+"
_MIDDLE_RE = r"\s(?:" + "|".join(_forms(_MIDDLE_FORMS)) + r")\s"
_CJK_RE = "^(?:" + _CJK_FORMS + r")\s?|\s?(?:" + _CJK_FORMS + ")$"
_ANY_FORM = "(" + "|".join(sorted({*LEGAL_FORMS, "spa"}, key=lambda f: (-len(f), f))) + ")"
# A name of only legal words (up to four) is marked so that no strip pattern matches
# it: \x00 in front, \x01 instead of the spaces between words. Unmarked after.
_ONLY_LEGAL_RE = "^" + _ANY_FORM + "".join(rf"(?:\s{_ANY_FORM})?" for _ in range(3)) + "$"
_ONLY_LEGAL_MARK = "\x00${1}\x01${2}\x01${3}\x01${4}\x01"
# Forms that are also words once casefolded: stripped only as registries write them
# (Italian S.p.A., German e.V., Balkan d.o.o.), so a `Day Spa` keeps its spa,
# `Lucid EV` its EV and `Scooby-Doo` its doo.
_WRITTEN_FORM_RE = (
    r"[\s,]+(?:S\.\s?p\.\s?A\.?|S\.\s?P\.\s?A\.?|SpA|SPA|e\.\s?V\.?|E\.\s?V\."
    r"|[dD]\.\s?[oO]\.\s?[oO]\.?)\s*$"
)

# Spreadsheet errors and "no value" markers that vendors leave in the name column.
_PLACEHOLDER_WORDS = tuple(
    "#name? #value! #ref! #n/a #null! #num! #div/0! n/a null none nan".split()  # noqa: SIM905
)
_PLACEHOLDER_RE = (
    r"^\s*(?:" + "|".join(w.replace("?", r"\?") for w in _PLACEHOLDER_WORDS) + r")\s*$"
)

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


# Names of plain ASCII words (letters and digits, single spaces, no outer spaces) --
# most names in a vendor list -- need only a few of the steps below: NFKC, the
# accent folds, `&`, `A/S`, dots, apostrophes and punctuation leave them unchanged.
_PLAIN_RE = r"^[A-Za-z0-9]+(?: [A-Za-z0-9]+)*$"
# A key that can hold a legal form: one of the forms as whole words, or a CJK form
# anywhere. Every strip pattern below needs one, so other keys skip them all.
_LEGAL_CANDIDATE_RE = r"(?:^|\s)" + _ANY_FORM + r"(?:\s|$)|" + _CJK_FORMS


def _base_key(expr: pl.Expr) -> pl.Expr:
    """Steps 1-3 (case, accents, `&`, punctuation, a leading `the`) for any name."""
    return (
        expr.str.normalize("NFKC")
        .str.replace(_WRITTEN_FORM_RE, "")
        .str.to_lowercase()
        .str.replace(_PLACEHOLDER_RE, "")
        .str.replace_many(_FOLD)
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"\b(\p{L})/(\p{L})\b", "${1}${2}")  # A/S, S/A
        .str.replace_all(r"\b(\p{L})\.", "${1}")  # l.l.c. -> llc, z o.o. -> z oo
        .str.replace_all("'", "", literal=True)
        .str.replace_all(r"[^\p{L}\p{N}\p{M}]+", " ")  # marks: Devanagari vowel signs
        .str.strip_chars()
        .str.replace(r"^the\s", "")
    )


def _plain_base_key(expr: pl.Expr) -> pl.Expr:
    """``_base_key`` for names matching ``_PLAIN_RE``: the steps that can change them."""
    return (
        expr.str.replace(_WRITTEN_FORM_RE, "")
        .str.to_lowercase()
        .str.replace(_PLACEHOLDER_RE, "")
        .str.replace(r"^the\s", "")
    )


def _strip_legal_forms(expr: pl.Expr) -> pl.Expr:
    """Step 4 on a base key."""
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


def _apply(expr_fn: Callable[[pl.Expr], pl.Expr], series: pl.Series) -> pl.Series:
    return pl.select(expr_fn(pl.lit(series))).to_series()


def _patch(
    out: pl.Series, where: pl.Series, fn: Callable[[pl.Expr], pl.Expr], source: pl.Series
) -> pl.Series:
    """``out`` with ``fn(source)`` at the rows where ``where`` is true (only those computed)."""
    index = where.arg_true()
    if len(index):
        out = out.clone().scatter(index, _apply(fn, source.gather(index)))
    return out


def _name_keys(names: pl.Series) -> pl.Series:
    """The name keys of a String Series; each step runs only on the rows it can change.

    A plain name's base key is its lowercase, unless it can end in a written form
    (`Day SPA`) or start with `the`; a placeholder's key is null (no step before the
    placeholder test can change one: it is ASCII, and ends in no written form);
    other names take every step. Legal forms are stripped where a key can hold one.
    """
    names = names.cast(pl.String)
    lower = names.str.to_lowercase()
    placeholder = lower.str.strip_chars().is_in(_PLACEHOLDER_WORDS).fill_null(False)
    plain = names.str.contains(_PLAIN_RE).fill_null(True)  # nulls: no work either way
    special = plain & (lower.str.ends_with(" spa") | lower.str.starts_with("the "))
    base = lower
    if placeholder.any():
        base = base.clone().scatter(placeholder.arg_true(), None)
    base = _patch(base, special & ~placeholder, _plain_base_key, names)
    base = _patch(base, ~plain & ~placeholder, _base_key, names)
    candidate = base.str.contains(_LEGAL_CANDIDATE_RE).fill_null(False)
    base = _patch(base, candidate, _strip_legal_forms, base)
    return base.replace("", None).rename(names.name)


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """A matching key for company names: casefolded, accent-, punctuation- and legal-form-free.

    Null for null, placeholders, and names with no letters or digits.
    """
    return expr.map_batches(_name_keys, return_dtype=pl.String(), is_elementwise=True)


def name_key(name: str | None) -> str | None:
    """``name_key_expr`` on one name: ``name_key("Nestlé S.A.") == "nestle"``."""
    series = pl.Series("name", [name], dtype=pl.String)
    return pl.select(name_key_expr(pl.lit(series))).item()
