"""The independent dedupe noise model (benchmarks/noise_model.py) on tiny inline data."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "noise_model.py"
_SPEC = importlib.util.spec_from_file_location("noise_model", _PATH)
assert _SPEC and _SPEC.loader
nm = importlib.util.module_from_spec(_SPEC)
sys.modules["noise_model"] = nm
_SPEC.loader.exec_module(nm)

NAMES = [
    ("Acme Robotics", "acmerobotics.com", "Austin", "US"),
    ("Automated Intranet Dynamics", "aid.io", "Boston", "US"),
    ("Rinsed", "rinsed.com", "Delft", "NL"),
    ("Müller Technologies", "mueller-tech.de", "Berlin", "DE"),
    ("Blue Box", "bluebox.net", "Seattle", "US"),
    ("Bluebox", "bluebox.com", "San Francisco", "US"),
    ("Pocket", "getpocket.com", "San Francisco", "US"),
    ("Pocket", "heypocket.com", "San Francisco", "US"),
]


def tiny_base() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "domain": [d for _, d, _, _ in NAMES],
            "entity_id": [f"t:{i}" for i in range(len(NAMES))],
            "name": [n for n, _, _, _ in NAMES],
            "host": ["www." + d for _, d, _, _ in NAMES],
            "origin": ["test"] * len(NAMES),
            "city": [c for _, _, c, _ in NAMES],
            "state": [None] * len(NAMES),
            "country": [k for _, _, _, k in NAMES],
            "industry": ["software", "web", "b2b", None, "hardware", "mobile", "web", "web"],
            "founded": [2010, 2011, None, 1999, 2008, 2012, 2007, 2020],
            "employees": [40, 12, 3, 900, 25, None, 120, 8],
        },
        schema_overrides={"state": pl.String},
    )
    return nm._fill_entity_facts(frame)


def test_slice_is_a_stable_hash_of_the_id():
    ids = [f"cb:company-{i}" for i in range(2000)]
    slices = [nm.slice_of(i) for i in ids]
    assert slices == [nm.slice_of(i) for i in ids]
    assert 0.25 < slices.count("holdout") / len(ids) < 0.35


@pytest.mark.parametrize(
    ("name", "core", "tail"),
    [
        ("AccessClosure, Inc.", "AccessClosure", ", Inc."),
        ("Philips N. V.", "Philips", " N. V."),
        ("Acme Naamloze Vennootschap", "Acme", " Naamloze Vennootschap"),
        ("NASA", "NASA", ""),
        ("Tesla", "Tesla", ""),
    ],
)
def test_split_legal(name, core, tail):
    assert nm.split_legal(name) == (core, tail)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Nestlé S.A.", "nestle"), ("Access Closure", "AccessClosure, Inc."), ("Blue Box", "Bluebox")],
)
def test_name_key_folds_case_accents_spacing_and_legal_form(a, b):
    assert nm.name_key(a) == nm.name_key(b)


def test_typo_is_at_most_two_edits_and_keeps_short_names_recognisable():
    from rapidfuzz.distance import Levenshtein

    rng = random.Random(3)
    for name in ("Rinsed", "UBITS", "Groundix", "Automated Intranet Dynamics"):
        for _ in range(50):
            typo = nm.apply_typo(name, rng)
            # a transposition is two Levenshtein edits; two typos at most four
            assert Levenshtein.distance(name, typo) <= 4


def test_word_order_keeps_words_and_legal_form():
    out = nm.apply_word_order("Automated Intranet Dynamics, Inc.", random.Random(1))
    assert out.endswith(", Inc.")
    assert sorted(out.removesuffix(", Inc.").split()) == ["Automated", "Dynamics", "Intranet"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Acme Technologies", "Acme Tech"), ("Acme Sys", "Acme Systems"), ("Smith and Sons", None)],
)
def test_abbreviation(name, expected):
    out = nm.apply_abbreviation(name, random.Random(0))
    assert out != name
    if expected:
        assert out == expected


def test_legal_forms_come_from_the_country_table():
    rng = random.Random(7)
    outs = {nm.apply_legal_form("Philips", "NL", rng) for _ in range(300)}
    spellings = {s for form in nm.LEGAL["NL"] for s in form}
    assert any(o.startswith(("N.V. ", "B.V. ")) for o in outs)  # in front
    assert any(o.endswith(" Naamloze Vennootschap") for o in outs)  # spelled out
    assert any(o.endswith(" NAAMLOZE VENNOOTSCHAP") for o in outs)  # doubled: `NV NAAMLOZE ...`
    assert any(o.startswith("PhilipsB.V") for o in outs)  # glued
    for out in outs:
        assert out.startswith("Philips") or out.upper().startswith("PHILIPS") or " " in out
        assert any(s.casefold() in out.casefold() for s in spellings) or out.startswith("Philips")


def test_domain_as_name_variants():
    rng = random.Random(2)
    outs = {nm.domain_as_name("hipmunk.com", "Hipmunk", rng) for _ in range(100)}
    assert {"Hipmunk.com", "HIPMUNK.COM", "hipmunk.com", "Hipmunk, hipmunk.com"} <= outs


def test_generate_lists_truth_lines_match_the_files(tmp_path):
    generated = nm.generate_lists(tiny_base(), rows=12, seed=5)
    paths = nm.write_generated(generated, tmp_path)
    truth = pl.read_csv(tmp_path / "truth.csv", schema_overrides={"noise": pl.String})
    assert set(truth.columns) >= {"source", "line", "entity_id", "slice", "noise"}
    for path in paths:
        lines = path.read_text().splitlines()
        mine = truth.filter(pl.col("source") == path.name)
        assert sorted(mine["line"].to_list()) == list(range(2, len(lines) + 1))
        assert mine["slice"].to_list() == [nm.slice_of(e) for e in mine["entity_id"]]
    per_entity = truth.group_by("entity_id").len()["len"]
    assert per_entity.max() <= 4


def test_generate_lists_is_deterministic_and_first_rows_are_clean():
    a = nm.generate_lists(tiny_base(), rows=12, seed=9)
    b = nm.generate_lists(tiny_base(), rows=12, seed=9)
    assert_frame_equal(a.truth, b.truth)
    for name, frame in a.lists.items():
        assert_frame_equal(frame, b.lists[name])
    assert (a.truth.filter(pl.col("copy") == 0)["noise"].fill_null("") == "").all()


def test_small_base_is_extended_with_synthetic_entities():
    generated = nm.generate_lists(tiny_base(), rows=400, seed=1)
    truth = generated.truth
    # eight names give a small vocabulary: fewer brands than asked, never more rows
    assert 150 < truth.height <= 400
    assert truth.filter(pl.col("origin") == "synthetic").height > 0
    labels = generated.truth.filter(pl.col("origin") == "synthetic")["entity_id"].unique()
    assert labels.len() > 50
    headers = {name: frame.columns for name, frame in generated.lists.items()}
    assert headers["apollo_accounts.csv"][:3] == ["Company", "Website", "# Employees"]


def test_synthetic_entities_are_distinct_brands():
    extended = nm.add_synthetic(tiny_base(), 300, seed=4)
    syn = extended.filter(pl.col("origin") == "synthetic")
    label = syn["domain"].str.extract(r"^([^.]+)")
    assert syn.height > 0
    assert label.n_unique() == syn.height
    real = {nm.name_key(n) for n in tiny_base()["name"]}
    assert not set(label) & real


def test_real_namesakes_are_hard_negatives():
    negatives = nm.find_hard_negatives(tiny_base(), None)
    pairs = set(negatives.select("entity_a", "entity_b").iter_rows())
    assert ("t:4", "t:5") in pairs  # Blue Box / Bluebox
    assert ("t:6", "t:7") in pairs  # Pocket on getpocket.com / heypocket.com
