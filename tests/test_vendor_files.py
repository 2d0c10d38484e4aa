"""Every vendor-style fixture file builds as it is: mapped, parsed, and the funnel closes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from listbuilder.ingest import read_companies, read_raw
from listbuilder.normalize import normalize_companies
from listbuilder.pipeline import build

VENDOR_FILES = [
    "vendor_apollo.csv",
    "vendor_apollo.ndjson",
    "vendor_apollo.parquet",
    "vendor_crunchbase.csv",
    "vendor_crunchbase.json",
    "vendor_crunchbase_old.csv",
    "vendor_dnb.csv",
    "vendor_dnb_cp1252.csv",
    "vendor_hubspot.csv",
    "vendor_hubspot.tsv",
    "vendor_linkedin_sales_navigator.csv",
    "vendor_salesforce.csv",
    "vendor_salesforce_bom.csv",
    "vendor_zoominfo.csv",
    "vendor_zoominfo.csv.gz",
    "vendor_zoominfo.xlsx",
]


@pytest.mark.parametrize("name", VENDOR_FILES)
def test_vendor_file_builds(name: str, sample_dir: Path, tmp_path: Path) -> None:
    path = sample_dir / name
    rows = read_raw(path).frame.height
    result = build([path], profiles=["b2b_saas"], as_of=None, top=20, out_dir=tmp_path)
    assert result.funnel["read"] == rows > 0
    assert result.funnel["read"] == result.selected.height + result.rejects.height
    # names and domains came through: most rows are usable and have a registrable domain
    ingest = result.funnel["stages"][0]
    assert ingest["out"] >= 0.9 * rows
    companies, _ = normalize_companies(read_companies([path]).companies)
    assert companies["name"].null_count() <= 0.1 * rows
    assert companies["domain"].null_count() <= 0.2 * rows


def test_several_vendor_lists_in_one_build(sample_dir: Path, tmp_path: Path) -> None:
    """The same companies from three vendors merge across lists, with lineage to each file."""
    paths = [
        sample_dir / n for n in ("vendor_zoominfo.csv", "vendor_apollo.csv", "vendor_hubspot.csv")
    ]
    result = build(paths, profiles=["b2b_saas"], top=20, out_dir=tmp_path)
    dedupe = result.funnel["stages"][1]
    assert dedupe["dropped"] > 0
    sources = result.selected["source_rows"].str.split("; ").explode().str.replace(r":\d+$", "")
    assert set(sources.unique().to_list()) <= {str(p) for p in paths}
    merged = result.selected.filter(pl.col("duplicate_count") > 0)
    assert merged.height > 0
