"""An independent noise model for measuring dedupe: real companies, written as vendors write them.

Why: the matcher was tuned on lists made by `fixtures/generate.py`, so its figures there say
little. This model was written without reading that generator or the matcher. Its entities are
real companies from `../shared/data` (Crunchbase 2014, YC, Fortune 500; CC-BY-NC, read at run
time and never copied into the repo), deduped by registrable domain so one entity is one
company. Each entity gets a stable id and a slice (`holdout` for ~30% by a hash of the id,
`tune` otherwise) and appears in 1-4 rows across four vendor files (ZoomInfo-, Apollo-,
D&B- and Crunchbase-style headers and value formats), sometimes twice in one file.

The first row of an entity is the record as the vendor formats it; every further row draws
each noise kind with its own probability (`RATES`) and records the kinds that changed
something in `truth.csv` (`noise`, `;`-joined): word order, legal forms per country (spaced,
dotted, spelled out, misspelt, glued, doubled, in front), location fragments, the name written
as the web address, city and country disagreements, abbreviations, typos, accents, case,
spacing and punctuation, website variants, and disagreeing employees / industry / founded year
/ phone. Hard negatives (`hard_negatives.csv`) are real namesakes, acquirer/acquired pairs
(the acquired company also listed once on its acquirer's domain, as vendors do after a deal)
and constructed namesakes in other countries. Beyond the ~40k rows the real data gives, the
base is extended with synthetic entities recombining real name tokens and suffixes.

    python benchmarks/noise_model.py --out /tmp/lb_noise --rows 40000 --seed 11
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
HOLDOUT_SHARE = 30  # percent of entities, chosen by hash of the id
COPIES_P = (0.52, 0.30, 0.12, 0.06)  # an entity appears in 1, 2, 3 or 4 rows
SAME_FILE_P = 0.12  # a second copy lands in the same file as the first
ACQUIRER_ROW_SHARE = 40  # percent of acquired companies also listed on the acquirer's domain

# Probability that a duplicate row (not an entity's first row) gets each kind of noise.
RATES: dict[str, float] = {
    "name_is_domain": 0.05,
    "abbreviation": 0.15,
    "word_order": 0.06,
    "accents": 0.05,
    "typo": 0.10,
    "spacing_punct": 0.08,
    "legal_form": 0.30,
    "location": 0.08,
    "case": 0.12,
    "website": 0.35,
    "city": 0.20,
    "country_format": 0.15,
    "employees": 0.30,
    "industry": 0.25,
    "founded": 0.15,
    "phone": 0.30,
}

PLATFORMS = {
    "angel.co",
    "facebook.com",
    "linkedin.com",
    "twitter.com",
    "github.com",
    "github.io",
    "blogspot.com",
    "wordpress.com",
    "tumblr.com",
    "youtube.com",
    "google.com.au",
    "herokuapp.com",
    "appspot.com",
    "wix.com",
    "weebly.com",
    "about.me",
    "crunchbase.com",
}

# Legal forms as registries write them, one form a line: country | short | other spellings
# (dotted, spaced, spelled out). Written for this model from registry conventions.
LEGAL_TABLE = """
US | Inc. | Inc; INC; Incorporated
US | LLC | L.L.C.; L.L.C; Limited Liability Company
US | Corp. | Corp; Corporation
US | Co. | Company
GB | Ltd | Ltd.; LTD; Limited
GB | PLC | plc; P.L.C.; Public Limited Company
GB | LLP | L.L.P.
NL | B.V. | BV; B. V.; B V; Besloten Vennootschap
NL | N.V. | NV; N. V.; N V; Naamloze Vennootschap
BE | NV | N.V.; Naamloze Vennootschap
BE | SA | S.A.; Société Anonyme
BE | BV | B.V.
DE | GmbH | G.m.b.H.; GMBH; Gesellschaft mit beschränkter Haftung
DE | AG | A.G.; Aktiengesellschaft
DE | GmbH & Co. KG | GmbH & Co KG
AT | GmbH | Ges.m.b.H.; Gesellschaft mbH
AT | AG | Aktiengesellschaft
CH | AG | Aktiengesellschaft
CH | SA | S.A.; Société Anonyme
CH | GmbH | G.m.b.H.
FR | SA | S.A.; Société Anonyme; Societe Anonyme
FR | SAS | S.A.S.; Société par actions simplifiée
FR | SARL | S.A.R.L.; Société à responsabilité limitée
ES | S.L. | SL; Sociedad Limitada
ES | S.A. | SA; Sociedad Anónima
IT | S.p.A. | SpA; S.P.A.; Società per Azioni
IT | S.r.l. | Srl; SRL
SE | AB | Aktiebolag; Aktiebolaget
DK | A/S | AS; Aktieselskab
DK | ApS | Anpartsselskab
NO | AS | A/S; Aksjeselskap
NO | ASA | Allmennaksjeselskap
FI | Oy | OY; Osakeyhtiö
FI | Oyj | OYJ
IN | Pvt. Ltd. | Pvt Ltd; Private Limited; PVT LTD
IN | Ltd. | Limited
SG | Pte. Ltd. | Pte Ltd; Private Limited
AU | Pty Ltd | Pty. Ltd.; Proprietary Limited; PTY LTD
CA | Inc. | Incorporated
CA | Ltd. | Limited; Ltée
CA | Corp. | Corporation
BR | Ltda. | Ltda; Limitada
BR | S.A. | SA; Sociedade Anônima
MX | S.A. de C.V. | SA de CV; Sociedad Anónima de Capital Variable
JP | K.K. | KK; Kabushiki Kaisha
JP | Co., Ltd. | Co. Ltd.
CN | Co., Ltd. | Co Ltd; Company Limited
IL | Ltd. | Ltd; Limited
IE | Ltd | Limited; Teoranta
IE | DAC | Designated Activity Company
PL | Sp. z o.o. | Sp. z o. o.; Spółka z ograniczoną odpowiedzialnością
PL | S.A. | Spółka Akcyjna
"""
# Misspellings seen in purchased lists: short form | misspellings.
MISSPELT_TABLE = """
Inc. | Icn.; Inc,; Inc..
Ltd | Ltd,; Lmited; Ltd..
LLC | LCC; L.L.C,
GmbH | Gmbh; GmBH
B.V. | B.V; BV.
N.V. | N.V; NV.
Corp. | Crop.
"""
ABBREVIATION_TABLE = """
Technologies | Tech
Technology | Tech
Systems | Sys
International | Intl
and | &
Manufacturing | Mfg
Services | Svcs
Laboratories | Labs
Corporation | Corp
Communications | Comms
Pharmaceuticals | Pharma
Management | Mgmt
Solutions | Solns
Engineering | Eng
Holdings | Hldgs
Associates | Assoc
Networks | Nets
Group | Grp
"""
# Countries as vendors write them (the first spelling is the one for `(USA)`-style fragments).
COUNTRY_TABLE = """
US | USA; United States; us; U.S.; United States of America
GB | UK; United Kingdom; gb; Great Britain; GBR
DE | Germany; Deutschland; DEU; de
NL | Netherlands; Holland; NLD; The Netherlands
FR | France; FRA; fr
IN | India; IND; in
CA | Canada; CAN; ca
"""
# Crunchbase / YC categories -> the label of each vendor (ZoomInfo, Apollo, D&B, Crunchbase).
INDUSTRY_TABLE = """
software | Software; Computer Software; Prepackaged Software; Software
web | Internet; Internet; Computer Related Services; Internet Services
mobile | Mobile; Wireless; Telecommunications; Mobile Apps
enterprise | Enterprise Software; Information Technology & Services; Business Services; Enterprise
biotech | Biotechnology; Biotechnology; Biological Products; Life Sciences
ecommerce | E-Commerce; Retail; Catalog & Mail-Order Houses; E-Commerce
b2b | Business Services; Information Technology & Services; Business Services; B2B
consumer | Consumer Services; Consumer Goods; Personal Services; Consumer
healthcare | Hospitals & Physicians Clinics; Hospital & Health Care; Health Services; Health Care
fintech | Finance; Financial Services; Finance Services; FinTech
hardware | Computer Hardware; Computer Hardware; Computer Equipment; Hardware
advertising | Advertising & Marketing; Marketing & Advertising; Advertising Agencies; Advertising
"""


def _table(text: str) -> list[tuple[str, ...]]:
    """`a | b; c` lines -> [(a, b, c)]: the tables above stay readable as data."""
    rows = []
    for line in text.strip().splitlines():
        head, _, rest = line.rpartition(" | ")
        rows.append((*head.split(" | "), *rest.split("; ")))
    return rows


LEGAL: dict[str, list[tuple[str, ...]]] = {}
for _country, *_spellings in _table(LEGAL_TABLE):
    LEGAL.setdefault(_country, []).append(tuple(_spellings))
ANGLOPHONE = {"US", "GB", "CA", "AU", "IN", "IE", "SG", "IL"}  # the form never goes in front
MISSPELT = {short: tuple(wrong) for short, *wrong in _table(MISSPELT_TABLE)}
ABBREVIATIONS = [(long, short) for long, short in _table(ABBREVIATION_TABLE)]
COUNTRY_SPELLINGS = {code: tuple(names) for code, *names in _table(COUNTRY_TABLE)}
INDUSTRY = {code: tuple(labels) for code, *labels in _table(INDUSTRY_TABLE)}
_ALL_FORMS = sorted(
    {s for forms in LEGAL.values() for f in forms for s in f}
    | {m for ms in MISSPELT.values() for m in ms},
    key=len,
    reverse=True,
)
_LEGAL_TAIL = re.compile(
    r"[\s,]+(?:" + "|".join(re.escape(s) for s in _ALL_FORMS) + r")\s*$", re.IGNORECASE
)
TRANSLIT_TABLE = """
ä | ae
ö | oe
ü | ue
Ä | Ae
Ö | Oe
Ü | Ue
ß | ss
é | e
è | e
ê | e
á | a
à | a
ó | o
ñ | n
ç | c
í | i
ø | o
"""
TRANSLIT = dict(_table(TRANSLIT_TABLE))
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
BANDS = [(1, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10000)]

VENDORS: dict[str, dict[str, str]] = {  # file -> field -> header
    "zoominfo_export.csv": {
        "id": "ZoomInfo Company ID",
        "name": "Company Name",
        "website": "Website",
        "employees": "Employees",
        "industry": "Primary Industry",
        "city": "Company City",
        "state": "Company State",
        "country": "Company Country",
        "founded": "Founded Year",
        "phone": "Company HQ Phone",
    },
    "apollo_accounts.csv": {
        "name": "Company",
        "website": "Website",
        "employees": "# Employees",
        "city": "City",
        "state": "State",
        "country": "Country",
        "industry": "Industry",
        "founded": "Founded Year",
        "phone": "Company Phone",
    },
    "dnb_hoovers.csv": {
        "id": "D-U-N-S Number",
        "name": "Business Name",
        "website": "URL",
        "employees": "Employees (All Sites)",
        "city": "Primary City",
        "state": "State",
        "country": "Country Code",
        "phone": "Telephone",
        "industry": "Line of Business",
        "founded": "Year Started",
    },
    "crunchbase_pro.csv": {
        "name": "Organization Name",
        "website": "Homepage URL",
        "employees": "Employee Range",
        "location": "Headquarters Location",
        "industry": "Industries",
        "founded": "Founded Date",
        "phone": "Phone Number",
    },
}
VENDOR_WEIGHTS = (0.35, 0.30, 0.20, 0.15)


@dataclass(frozen=True)
class Generated:
    """The vendor lists (file name -> frame of strings), the truth and the hard negatives."""

    lists: dict[str, pl.DataFrame]
    truth: pl.DataFrame
    hard_negatives: pl.DataFrame


# ---------------------------------------------------------------- helpers on one value


def stable_hash(text: str) -> int:
    """A hash that does not change between runs, processes or library versions."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def slice_of(entity_id: str) -> str:
    return "holdout" if stable_hash(entity_id) % 100 < HOLDOUT_SHARE else "tune"


def name_key(name: str) -> str:
    """A simple comparison key of our own: accents folded, legal tail dropped, alphanumerics."""
    core = _LEGAL_TAIL.sub("", name)
    core = unicodedata.normalize("NFKD", core).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", core.casefold())


def split_legal(name: str) -> tuple[str, str]:
    """`AccessClosure, Inc.` -> (`AccessClosure`, `, Inc.`)."""
    match = _LEGAL_TAIL.search(name)
    if match and match.start() > 0:
        return name[: match.start()], name[match.start() :]
    return name, ""


def apply_typo(name: str, rng: random.Random) -> str:
    """One edit (75%) or two: insert, delete, transpose or a keyboard-adjacent substitution."""
    chars = list(name)
    for _ in range(1 if rng.random() < 0.75 else 2):
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(letters) < 3:
            break
        i = rng.choice(letters)
        op = rng.choice(("insert", "delete", "transpose", "substitute"))
        if op == "delete":
            del chars[i]
        elif op == "transpose" and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            row = next((r for r in KEYBOARD if chars[i].lower() in r), KEYBOARD[0])
            j = row.find(chars[i].lower())
            near = row[max(j - 1, 0) : j + 2].replace(chars[i].lower(), "") or "e"
            c = rng.choice(near)
            c = c.upper() if chars[i].isupper() else c
            if op == "insert":
                chars.insert(i, c)
            else:
                chars[i] = c
    return "".join(chars)


def apply_word_order(name: str, rng: random.Random) -> str:
    core, tail = split_legal(name)
    words = core.split()
    if len(words) < 2:
        return name
    shuffled = words[::-1] if rng.random() < 0.5 else words[1:] + words[:1]
    return " ".join(shuffled) + tail


def apply_abbreviation(name: str, rng: random.Random) -> str:
    pairs = ABBREVIATIONS[:]
    rng.shuffle(pairs)
    for long, short in pairs:
        for a, b in ((long, short), (short, long)):
            pattern = re.compile(rf"(?<!\w){re.escape(a)}(?!\w)", re.IGNORECASE)
            if pattern.search(name):
                return pattern.sub(b.upper() if name.isupper() else b, name, count=1)
    return name


def apply_accents(name: str, rng: random.Random) -> str:
    if any(ord(c) > 127 for c in name):
        if rng.random() < 0.5:
            return "".join(TRANSLIT.get(c, c) for c in name)
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    for plain, accented in (("ue", "ü"), ("oe", "ö"), ("ae", "ä")):
        if plain in name[1:]:
            return name[0] + name[1:].replace(plain, accented, 1)
    i = name.rfind("e", 1)
    return name[:i] + "é" + name[i + 1 :] if i > 0 else name


def apply_spacing_punct(name: str, rng: random.Random) -> str:
    core, tail = split_legal(name)
    words = core.split()
    choice = rng.random()
    if len(words) >= 2 and choice < 0.45:
        i = rng.randrange(len(words) - 1)
        joined = words[i] + words[i + 1][:1].upper() + words[i + 1][1:]
        return " ".join([*words[:i], joined, *words[i + 2 :]]) + tail
    camel = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", core)
    if camel != core and choice < 0.8:
        return camel + tail
    if re.search(r"[-.,'&!]", name):
        return re.sub(r"\s*[-.,'!]\s*", " ", name).strip()
    return (core.replace(" ", "-", 1) if " " in core else core + ".") + tail


def apply_case(name: str, rng: random.Random) -> str:
    r = rng.random()
    return name.upper() if r < 0.5 else name.lower() if r < 0.8 else name.title()


def apply_legal_form(name: str, country: str, rng: random.Random) -> str:
    """Add, respell, misspell, glue, double, move to the front or drop the legal form."""
    forms = LEGAL.get(country) or LEGAL["US"]
    core, tail = split_legal(name)
    form = rng.choice(forms)
    if tail:  # respell the form that is there, the way another registry writes it
        found = tail.strip(" ,").casefold()
        form = next((f for fs in LEGAL.values() for f in fs if found in map(str.casefold, f)), form)
        if rng.random() < 0.12:
            return core.rstrip(" ,")
    r = rng.random()
    short, spelled = form[0], form[-1]
    if r < 0.10 and short in MISSPELT:
        return f"{core} {rng.choice(MISSPELT[short])}"
    if r < 0.18:
        return f"{core}{short}"  # glued to the name: `AcmeLtd.`
    if r < 0.25 and spelled != short:
        return f"{core} {rng.choice(form[:-1])} {spelled}".upper()  # `X NV NAAMLOZE ...`
    if r < 0.32 and country not in ANGLOPHONE:
        return f"{short} {core}"  # in front: `N.V. PHILIPS`
    spelling = rng.choice(form)
    return f"{core}{rng.choice((' ', ', '))}{spelling}"


def apply_location(name: str, city: str | None, country: str, rng: random.Random) -> str:
    spellings = COUNTRY_SPELLINGS.get(country, (country,))
    r = rng.random()
    if city and r < 0.4:
        return f"{name}, {city.upper() if name.isupper() else city}"
    if city and r < 0.7:
        return f"{name}, {city.upper()}, {country}"
    if r < 0.85:
        return f"{name} ({spellings[0]})"
    return f"{name},{country}"


def domain_as_name(domain: str, name: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return domain[:1].upper() + domain[1:]  # `Hipmunk.com`
    if r < 0.6:
        return domain.upper()  # `NIMBULA.COM`
    if r < 0.8:
        return domain
    return f"{split_legal(name)[0]}, {domain}"  # `Hipmunk, hipmunk.com`


def vary_website(domain: str, host: str, rng: random.Random) -> str | None:
    r = rng.random()
    label = domain.split(".")[0]
    if r < 0.15:
        return None
    if r < 0.27:
        return f"{label}.{rng.choice(('co.uk', 'de', 'io', 'net', 'fr', 'co'))}"  # same brand
    return rng.choice(
        (
            f"https://www.{domain}/about",
            domain,
            f"http://{domain}",
            f"{host}/",
            f"HTTPS://{domain.upper()}",
            f"https://{domain}/en-us/contact?utm_source=list",
            f"www.{domain}",
        )
    )


# ---------------------------------------------------------------- the real base


def _domain_column(url: pl.Expr) -> pl.Expr:
    host = (
        url.str.to_lowercase()
        .str.strip_chars()
        .str.replace(r"^[a-z]+://", "")
        .str.replace(r"[/?#:].*$", "")
        .str.replace(r"^www\d?\.", "")
    )
    two_level = r"\.(co|com|org|net|ac|gov)\.[a-z]{2}$"
    return (
        pl.when(host.str.contains(two_level))
        .then(host.str.extract(r"([^.]+\.[^.]+\.[a-z]{2})$"))
        .otherwise(host.str.extract(r"([^.]+\.[^.]+)$"))
    )


def _iso2(names: pl.Series) -> pl.Series:
    import pycountry

    fixes = {"USA": "US", "UK": "GB", "England": "GB", "South Korea": "KR", "Russia": "RU"}
    out: dict[str, str | None] = {}
    for value in names.drop_nulls().unique().to_list():
        try:
            out[value] = fixes.get(value) or pycountry.countries.lookup(value).alpha_2
        except LookupError:
            out[value] = None
    return names.replace_strict(out, default=None, return_dtype=pl.String)


def load_base(data_dir: Path = DATA_DIR) -> pl.DataFrame:
    """One row per real company with a usable name and a company (non-platform) domain."""
    cb = pl.read_csv(
        data_dir / "crunchbase_2014" / "companies.csv", infer_schema=False, encoding="utf8-lossy"
    ).select(
        entity_id="cb:" + pl.col("permalink").str.replace("^/company/", ""),
        name=pl.col("name"),
        url=pl.col("homepage_url"),
        city=pl.col("city"),
        state=pl.col("state_code"),
        country=pl.lit("US"),
        industry=pl.col("category_code"),
        founded=pl.col("founded_year").cast(pl.Int64, strict=False),
        employees=(pl.col("funding_total_usd").cast(pl.Float64, strict=False) / 150_000)
        .clip(2, 20_000)
        .cast(pl.Int64),
        origin=pl.lit("crunchbase"),
    )
    yc_raw = pl.read_csv(data_dir / "yc_companies" / "yc_companies.csv", infer_schema=False)
    first = yc_raw["all_locations"].str.split("; ").list.first().str.split(", ")
    yc = yc_raw.select(
        entity_id="yc:" + pl.col("slug"),
        name=pl.col("name"),
        url=pl.col("website"),
        city=first.list.first(),
        state=pl.when(first.list.len() == 3).then(first.list.get(1, null_on_oob=True)),
        country=_iso2(first.list.last()),
        industry=pl.col("industry").str.to_lowercase(),
        founded=("20" + pl.col("batch").str.extract(r"(\d\d)$")).cast(pl.Int64, strict=False),
        employees=pl.col("team_size").cast(pl.Int64, strict=False),
        origin=pl.lit("yc"),
    )
    f5 = pl.read_csv(data_dir / "fortune500_2020" / "fortune_500_companies.csv", infer_schema=False)
    f5 = f5.select(
        entity_id="f500:" + pl.col("rank"),
        name=pl.col("company"),
        url=pl.col("website"),
        city=pl.lit(None, pl.String),
        state=pl.lit(None, pl.String),
        country=pl.lit("US"),
        industry=pl.lit(None, pl.String),
        founded=pl.lit(None, pl.Int64),
        employees=pl.lit(None, pl.Int64),
        origin=pl.lit("fortune500"),
    )
    rows = pl.concat([f5, cb, yc], how="vertical_relaxed").with_columns(
        name=pl.col("name").str.replace_all(r"\s+", " ").str.strip_chars(),
        domain=_domain_column(pl.col("url")),
        host=pl.col("url").str.replace(r"^[A-Za-z]+://", "").str.replace(r"[/?#].*$", ""),
    )
    rows = rows.filter(
        pl.col("name").is_not_null()
        & pl.col("entity_id").is_not_null()
        & ~pl.col("name").str.contains(r"^#NAME\?$|^\d+(\.\d+)?E\+\d+$")
        & pl.col("domain").is_not_null()
        & ~pl.col("domain").is_in(sorted(PLATFORMS))
    )
    rows = rows.with_columns(key=pl.col("name").map_elements(name_key, return_dtype=pl.String))
    rows = rows.filter(pl.col("key").str.len_chars() >= 2)
    # A domain carried by three or more different names is a platform or a portfolio: no identity.
    crowded = (
        rows.group_by("domain").agg(pl.col("key").n_unique().alias("n")).filter(pl.col("n") >= 3)
    )
    rows = rows.join(crowded, on="domain", how="anti")
    # One entity per domain (Fortune 500 first, then Crunchbase, then YC), fields coalesced.
    base = rows.group_by("domain", maintain_order=True).agg(
        pl.col("entity_id", "name", "host", "origin").first(),
        pl.col("city", "state", "country", "industry", "founded", "employees").drop_nulls().first(),
    )
    base = base.unique("entity_id", keep="first", maintain_order=True)
    return _fill_entity_facts(_drop_cross_source_twins(base))


def _drop_cross_source_twins(base: pl.DataFrame) -> pl.DataFrame:
    """Drop a YC company that may be a Crunchbase company under another domain.

    Either the same domain label (segment.io / segment.com, soylent.me / soylent.com), or the
    same name key with a founding year within two years (or the same city when a year is
    missing). Such pairs are neither safe namesakes nor known duplicates, so they leave the
    base; the Pocket pair (getpocket.com 2007 / heypocket.com, YC 2020s) stays a namesake.
    """
    keyed = base.with_columns(
        key=pl.col("name").map_elements(name_key, return_dtype=pl.String),
        label=pl.col("domain").str.extract(r"^([^.]+)"),
    )
    cb = keyed.filter(pl.col("origin") != "yc")
    yc = keyed.filter(pl.col("origin") == "yc").select(
        "entity_id", "key", "label", "city", "founded"
    )
    by_key = yc.join(cb.select("key", cb_city="city", cb_year="founded"), on="key").filter(
        ((pl.col("founded") - pl.col("cb_year")).abs() <= 2)
        | (
            (pl.col("founded").is_null() | pl.col("cb_year").is_null())
            & (pl.col("city") == pl.col("cb_city"))
        )
    )
    by_label = yc.join(cb.select("label"), on="label")
    twins = pl.concat([by_key.select("entity_id"), by_label.select("entity_id")]).unique()
    return base.join(twins, on="entity_id", how="anti")


def _fill_entity_facts(base: pl.DataFrame) -> pl.DataFrame:
    """Deterministic stand-ins for facts the sources lack (size, phone), plus the slice."""
    h = base["entity_id"].map_elements(stable_hash, return_dtype=pl.UInt64)
    return base.with_columns(
        slice=pl.Series([slice_of(e) for e in base["entity_id"]], dtype=pl.String),
        employees=pl.coalesce("employees", (h % 997).cast(pl.Int64) % 240 + 3),
        phone=(h % 10_000_000_000).cast(pl.String).str.zfill(10),
        country=pl.col("country").fill_null("US"),
    ).with_columns(
        phone=pl.when(pl.col("phone").str.slice(0, 1).is_in(["0", "1"]))
        .then("4" + pl.col("phone").str.slice(1))
        .otherwise(pl.col("phone"))
    )


def find_hard_negatives(base: pl.DataFrame, acquisitions: pl.DataFrame | None) -> pl.DataFrame:
    """Pairs of different entities that a matcher must keep apart, with their kind."""
    keyed = base.select(
        "entity_id", key=pl.col("name").map_elements(name_key, return_dtype=pl.String)
    )
    namesakes = (
        keyed.join(keyed, on="key", suffix="_b")
        .filter(pl.col("entity_id") < pl.col("entity_id_b"))
        .select(entity_a="entity_id", entity_b="entity_id_b", kind=pl.lit("namesake"))
    )
    frames = [namesakes]
    if acquisitions is not None:

        def slug(column: str) -> pl.Expr:
            return "cb:" + pl.col(column).str.replace("^/organization/", "")

        pairs = acquisitions.select(
            entity_a=slug("company_permalink"),
            entity_b=slug("acquirer_permalink"),
            kind=pl.lit("acquisition"),
        )
        ids = base["entity_id"].implode()
        frames.append(
            pairs.filter(
                pl.col("entity_a").is_in(ids)
                & pl.col("entity_b").is_in(ids)
                & (pl.col("entity_a") != pl.col("entity_b"))
            ).unique(["entity_a", "entity_b"])
        )
    return pl.concat(frames)


def add_constructed_namesakes(base: pl.DataFrame, seed: int, n: int = 150) -> pl.DataFrame:
    """Same name, another country, another domain and city: a different company."""
    rng = random.Random(seed)
    abroad = [
        ("DE", "de", "Berlin"),
        ("NL", "nl", "Delft"),
        ("GB", "co.uk", "Leeds"),
        ("FR", "fr", "Lyon"),
        ("IN", "in", "Pune"),
        ("BR", "com.br", "Curitiba"),
        ("SE", "se", "Malmö"),
        ("IT", "it", "Torino"),
        ("AU", "com.au", "Perth"),
    ]
    picks = base.filter(pl.col("country") == "US").sample(n, seed=seed, shuffle=True)
    rows = []
    for rec in picks.iter_rows(named=True):
        country, tld, city = rng.choice(abroad)
        label = rec["domain"].split(".")[0] + rng.choice(("-group", "online", "hq", "-global"))
        rows.append(
            {
                **rec,
                "entity_id": f"c:{rec['entity_id']}",
                "domain": f"{label}.{tld}",
                "host": f"www.{label}.{tld}",
                "country": country,
                "city": city,
                "state": None,
                "origin": "constructed",
                "founded": (rec["founded"] or 2000) - 7,
                "employees": (rec["employees"] or 10) * 3,
            }
        )
    extra = _fill_entity_facts(pl.DataFrame(rows, schema=base.drop("slice", "phone").schema))
    return pl.concat([base, extra.select(base.columns)])


def add_synthetic(base: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """`n` made-up entities recombining real name words, domain suffixes and places (vectorised)."""
    rng = np.random.default_rng(seed)
    words = base["name"].str.replace_all(r"[^\w\s]", " ").str.split(" ").explode()
    words = words.filter(words.str.len_chars() >= 3).unique(maintain_order=True)
    tlds = base["domain"].str.extract(r"\.([a-z.]+)$")
    m = int(n * 1.3) + 10
    first = words.gather(rng.integers(0, len(words), m))
    second = words.gather(rng.integers(0, len(words), m))
    glue = rng.random(m) < 0.35
    donor = base.select("city", "state", "country", "industry", "founded", "employees")
    donor = donor.gather(rng.integers(0, base.height, m))
    syn = pl.DataFrame({"first": first, "second": second, "glue": glue}).with_columns(
        name=pl.when("glue")
        .then(pl.col("first") + pl.col("second").str.to_lowercase())
        .otherwise(pl.col("first") + " " + pl.col("second")),
        tld=tlds.gather(rng.integers(0, base.height, m)),
    )
    syn = syn.with_columns(
        domain=pl.col("name").str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")
        + "."
        + pl.col("tld")
    )
    syn = pl.concat([syn, donor], how="horizontal").unique(
        "domain", keep="first", maintain_order=True
    )
    # one synthetic entity per brand: no two on one label (`x.com` / `x.ai`), none on a real name
    syn = syn.with_columns(label=pl.col("domain").str.extract(r"^([^.]+)"))
    syn = syn.unique("label", keep="first", maintain_order=True)
    real = base.select(label=pl.col("name").str.to_lowercase().str.replace_all(r"[^0-9a-z]", ""))
    real = pl.concat([real, base.select(label=pl.col("domain").str.extract(r"^([^.]+)"))])
    syn = syn.join(real.unique(), on="label", how="anti").head(n)
    syn = syn.with_row_index("i").select(
        domain="domain",
        entity_id="syn:" + pl.col("i").cast(pl.String),
        name="name",
        host="www." + pl.col("domain"),
        origin=pl.lit("synthetic"),
        **{c: c for c in ("city", "state", "country", "industry", "founded", "employees")},
    )
    return pl.concat([base, _fill_entity_facts(syn).select(base.columns)])


# ---------------------------------------------------------------- rows and noise


def _copies(base: pl.DataFrame, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(np.arange(1, 5), size=base.height, p=COPIES_P)


def _row_noise(rows: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Apply the noise kinds to duplicate rows; python only on the rows a kind selects."""
    nrng = np.random.default_rng(seed + 1)
    prng = random.Random(seed + 2)
    dup = (rows["copy"] > 0).to_numpy()
    names = rows["name"].to_list()
    websites = rows["website"].to_list()
    cities = rows["city"].to_list()
    countries = rows["country"].to_list()
    kinds: list[list[str]] = [[] for _ in range(rows.height)]
    for i in np.flatnonzero(rows["acquirer_domain"].to_numpy()):
        kinds[i].append("acquirer_domain")
    chosen = {k: dup & (nrng.random(rows.height) < p) for k, p in RATES.items()}
    acquirer_rows = rows["acquirer_domain"].to_numpy()
    chosen["name_is_domain"] &= ~acquirer_rows
    chosen["website"] &= ~acquirer_rows
    for k in (
        "abbreviation",
        "word_order",
        "accents",
        "typo",
        "spacing_punct",
        "legal_form",
        "location",
        "case",
    ):
        chosen[k] &= ~chosen["name_is_domain"]
    # cities of the same country, for HQ / branch / mailing-address disagreements
    pools = (
        rows.filter(pl.col("city").is_not_null())
        .group_by("country")
        .agg(pl.col("city").unique().sort())
    )
    pool = dict(zip(pools["country"], pools["city"].to_list(), strict=True))
    name_ops: list[tuple[str, Callable[[int], str]]] = [
        ("abbreviation", lambda i: apply_abbreviation(names[i], prng)),
        ("word_order", lambda i: apply_word_order(names[i], prng)),
        ("accents", lambda i: apply_accents(names[i], prng)),
        ("typo", lambda i: apply_typo(names[i], prng)),
        ("spacing_punct", lambda i: apply_spacing_punct(names[i], prng)),
        ("legal_form", lambda i: apply_legal_form(names[i], countries[i], prng)),
        ("location", lambda i: apply_location(names[i], cities[i], countries[i], prng)),
        ("case", lambda i: apply_case(names[i], prng)),
    ]
    for kind, op in name_ops:
        for i in np.flatnonzero(chosen[kind]):
            new = op(int(i))
            if new != names[i]:
                names[i] = new
                kinds[i].append(kind)
    domains = rows["domain"].to_list()
    hosts = rows["host"].to_list()
    for i in np.flatnonzero(chosen["name_is_domain"]):
        names[i] = domain_as_name(domains[i], names[i], prng)
        websites[i] = None
        kinds[i].append("name_is_domain")
    for i in np.flatnonzero(chosen["website"] & ~chosen["name_is_domain"]):
        websites[i] = vary_website(domains[i], hosts[i], prng)
        kinds[i].append("website")
    for i in np.flatnonzero(chosen["city"]):
        options = pool.get(countries[i]) or []
        new = prng.choice(options) if options and prng.random() < 0.7 else None
        if new != cities[i]:
            cities[i] = new
            kinds[i].append("city")
    out = rows.with_columns(
        name=pl.Series(names, dtype=pl.String),
        website=pl.Series(websites, dtype=pl.String),
        city=pl.Series(cities, dtype=pl.String),
    )
    # Field disagreements, vectorised.
    factor = np.exp(nrng.uniform(-np.log(2), np.log(2), rows.height))
    out = out.with_columns(
        employees=pl.when(pl.Series(chosen["employees"]))
        .then(
            pl.when(pl.Series(nrng.random(rows.height) < 0.2))
            .then(None)
            .otherwise((pl.col("employees") * pl.Series(factor)).round().cast(pl.Int64).clip(1))
        )
        .otherwise("employees"),
        founded=pl.when(pl.Series(chosen["founded"]))
        .then(
            pl.col("founded") + pl.Series(nrng.choice([-1, 1, 0], rows.height, p=[0.4, 0.4, 0.2]))
        )
        .otherwise("founded"),
        founded_missing=pl.Series(chosen["founded"] & (nrng.random(rows.height) < 0.25)),
        industry_noise=pl.Series(
            np.where(chosen["industry"], nrng.integers(1, 5, rows.height), 0), dtype=pl.Int8
        ),
        phone_noise=pl.Series(
            np.where(chosen["phone"], nrng.integers(1, 4, rows.height), 0), dtype=pl.Int8
        ),
        country_noise=pl.Series(chosen["country_format"]),
    )
    for kind in ("employees", "founded", "industry", "phone", "country_format"):
        for i in np.flatnonzero(chosen[kind]):
            kinds[i].append(kind)
    return out.with_columns(noise=pl.Series([";".join(k) for k in kinds], dtype=pl.String))


def _format_for_vendor(rows: pl.DataFrame, vendor: int) -> pl.DataFrame:
    """Vendor conventions: how each writes websites, sizes, countries, phones and industries."""
    industry = pl.col("industry").replace_strict(
        {k: v[vendor] for k, v in INDUSTRY.items()},
        default=pl.col("industry").str.replace_all("_", " ").str.to_titlecase(),
    )
    other = pl.col("industry").replace_strict(
        {k: v[(vendor + 1) % 4] for k, v in INDUSTRY.items()}, default=None
    )
    ind = pl.when(pl.col("industry_noise").is_in([1, 2])).then(other)
    ind = ind.when(pl.col("industry_noise") == 3).then(None).otherwise(industry)
    p = pl.col("phone")
    formats = [
        "(" + p.str.slice(0, 3) + ") " + p.str.slice(3, 3) + "-" + p.str.slice(6),
        "+1 " + p.str.slice(0, 3) + " " + p.str.slice(3, 3) + " " + p.str.slice(6),
        p.str.slice(0, 3) + "." + p.str.slice(3, 3) + "." + p.str.slice(6),
        "+1-" + p.str.slice(0, 3) + "-" + p.str.slice(3, 3) + "-" + p.str.slice(6),
    ]
    phone = pl.when(pl.col("phone_noise") == 1).then(None)
    phone = phone.when(pl.col("phone_noise") >= 2).then(formats[(vendor + 2) % 4])
    phone = phone.otherwise(formats[vendor])
    spelled = pl.col("country").replace_strict(
        {k: v[vendor % len(v)] for k, v in COUNTRY_SPELLINGS.items()}, default=pl.col("country")
    )
    country = (
        pl.when("country_noise")
        .then(spelled)
        .otherwise(
            pl.col("country")
            if vendor == 2
            else pl.col("country").replace_strict(
                {
                    "US": "United States",
                    "GB": "United Kingdom",
                    "DE": "Germany",
                    "NL": "Netherlands",
                    "FR": "France",
                    "IN": "India",
                    "CA": "Canada",
                },
                default=pl.col("country"),
            )
        )
    )
    website = pl.col("website")
    if vendor == 1:
        website = pl.when(website.str.contains("/")).then(website).otherwise("http://" + website)
    e = pl.col("employees")
    band = pl.lit(None, pl.String)
    for lo, hi in BANDS:
        band = pl.when((e >= lo) & (e <= hi)).then(pl.lit(f"{lo:,}-{hi:,}")).otherwise(band)
    band = pl.when(e > 10_000).then(pl.lit("10,001+")).otherwise(band)
    year = pl.col("founded").cast(pl.String)
    values = {
        "id": pl.col("row_key").hash(vendor).cast(pl.String).str.slice(0, 9),
        "name": pl.col("name"),
        "website": website,
        "employees": band if vendor == 3 else e.cast(pl.String),
        "industry": ind,
        "city": pl.col("city"),
        "state": pl.col("state"),
        "country": country,
        "location": pl.concat_str(["city", "state", country], separator=", ", ignore_nulls=True),
        "founded": pl.when("founded_missing")
        .then(None)
        .otherwise(year + "-01-01" if vendor == 3 else year),
        "phone": phone,
    }
    headers = list(VENDORS.values())[vendor]
    return rows.select(*(values[f].alias(h) for f, h in headers.items()))


def generate_lists(
    base: pl.DataFrame,
    *,
    rows: int,
    seed: int,
    hard_negatives: pl.DataFrame | None = None,
) -> Generated:
    """Write `base` out as ~`rows` vendor rows; extend it with synthetic entities if too small."""
    rng = np.random.default_rng(seed)
    copies = _copies(base, rng)
    if copies.sum() < rows * 0.97:
        base = add_synthetic(
            base, int((rows - copies.sum()) / np.dot(COPIES_P, [1, 2, 3, 4])), seed
        )
        copies = np.concatenate([copies, _copies(base.slice(len(copies)), rng)])
    order = rng.permutation(base.height)  # a seeded prefix, so a smaller list is a random subset
    kept = np.sort(order[np.cumsum(copies[order]) <= rows])
    entities = base[kept].with_columns(n=pl.Series(copies[kept]))
    out = entities.with_columns(copy=pl.int_ranges(0, "n")).explode("copy")
    acquired = pl.DataFrame(schema={"entity_id": pl.String, "website": pl.String})
    if hard_negatives is not None:  # the acquired company listed on its acquirer's domain
        acq = hard_negatives.filter(pl.col("kind") == "acquisition")
        acq = acq.join(entities.select(entity_b="entity_id", website="domain"), on="entity_b")
        acquired = acq.select(entity_id="entity_a", website="website").unique("entity_id")
        acquired = acquired.filter(
            pl.col("entity_id").map_elements(
                lambda e: stable_hash("acq" + e) % 100 < ACQUIRER_ROW_SHARE, return_dtype=pl.Boolean
            )
        )
        acquired = acquired.filter(pl.col("entity_id").is_in(entities["entity_id"].implode()))
    extra = entities.join(acquired, on="entity_id").with_columns(
        copy=pl.col("n"), acquirer_domain=True
    )
    out = out.with_columns(website=pl.col("host"), acquirer_domain=False)
    out = pl.concat([out, extra.select(out.columns)]).with_row_index("row_key")
    # vendor per row: weighted draw without replacement per entity, some copies in the same file
    gumbel = np.log(VENDOR_WEIGHTS) - np.log(-np.log(rng.random((out.height, 4))))
    ranked = np.argsort(-gumbel, axis=1)
    copy = np.minimum(out["copy"].to_numpy(), 3)
    first_of_entity = out.group_by("entity_id", maintain_order=True).agg(pl.col("row_key").first())
    first = out.select("entity_id").join(first_of_entity, on="entity_id", how="left")["row_key"]
    ranked_first = ranked[first.to_numpy()]
    vendor = ranked_first[np.arange(out.height), copy]
    same = (copy == 1) & (rng.random(out.height) < SAME_FILE_P)
    vendor = np.where(same, ranked_first[:, 0], vendor)
    out = _row_noise(out.with_columns(vendor=pl.Series(vendor)), seed)
    out = out.with_columns(order=pl.Series(rng.permutation(out.height))).sort("order")
    lists, truths = {}, []
    for v, file_name in enumerate(VENDORS):
        part = out.filter(pl.col("vendor") == v)
        lists[file_name] = _format_for_vendor(part, v)
        truths.append(
            part.with_row_index("line", offset=2).select(
                source=pl.lit(file_name),
                line=pl.col("line").cast(pl.Int64),
                entity_id="entity_id",
                slice="slice",
                noise="noise",
                origin="origin",
                copy="copy",
            )
        )
    negatives = hard_negatives if hard_negatives is not None else find_hard_negatives(base, None)
    present = pl.concat(truths)["entity_id"].unique().implode()
    negatives = negatives.filter(
        pl.col("entity_a").is_in(present) & pl.col("entity_b").is_in(present)
    )
    negatives = negatives.sort("kind", "entity_a", "entity_b")  # joins do not keep an order
    return Generated(lists=lists, truth=pl.concat(truths), hard_negatives=negatives)


def build_from_data(data_dir: Path, *, rows: int, seed: int) -> Generated:
    """Load the real companies, add constructed namesakes and generate the lists."""
    base = add_constructed_namesakes(load_base(data_dir), seed)
    acq = pl.read_csv(
        data_dir / "crunchbase_2015_acquisitions" / "acquisitions.csv",
        infer_schema=False,
        encoding="utf8-lossy",
        columns=["company_permalink", "acquirer_permalink"],
    )
    negatives = find_hard_negatives(base, acq)
    constructed = base.filter(pl.col("origin") == "constructed").select(
        entity_a=pl.col("entity_id").str.slice(2), entity_b="entity_id", kind=pl.lit("constructed")
    )
    negatives = pl.concat([negatives, constructed]).unique(["entity_a", "entity_b"], keep="first")
    return generate_lists(base, rows=rows, seed=seed, hard_negatives=negatives)


def write_generated(generated: Generated, out_dir: Path) -> list[Path]:
    """Write the lists, `truth.csv` and `hard_negatives.csv`; return the list paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_name, frame in generated.lists.items():
        frame.write_csv(out_dir / file_name)
        paths.append(out_dir / file_name)
    generated.truth.write_csv(out_dir / "truth.csv")
    generated.hard_negatives.write_csv(out_dir / "hard_negatives.csv")
    return paths


def model_version() -> str:
    """A digest of this file: generated lists cached under another digest are stale."""
    return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=6).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not (args.data / "crunchbase_2014" / "companies.csv").exists():
        print(f"skipped: no real company data under {args.data}", file=sys.stderr)
        return 0
    generated = build_from_data(args.data, rows=args.rows, seed=args.seed)
    write_generated(generated, args.out)
    summary = {
        "rows": generated.truth.height,
        "entities": generated.truth["entity_id"].n_unique(),
        "hard_negatives": generated.hard_negatives.height,
    }
    manifest = {**summary, "seed": args.seed, "rows_target": args.rows, "model": model_version()}
    (args.out / "manifest.json").write_text(json.dumps(manifest))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
