"""normalize_companies: derived columns, their place, and the rows it rejects."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from listbuilder.errors import InputError
from listbuilder.normalize import normalize_companies
from listbuilder.schema import (
    COMPANY_SCHEMA,
    DERIVED_SCHEMA,
    LINEAGE_SCHEMA,
    REJECT_SCHEMA,
    empty_companies,
)

ROWS = [
    # (line, name, website) -> kept?
    (2, "Acme, Inc.", "https://www.acme.com/about"),
    (3, None, "info@globex.co.uk"),  # no name, company domain: kept
    (4, "Initech LLC", "https://www.linkedin.com/company/initech"),  # name, platform: kept
    (5, None, "https://www.linkedin.com/company/x"),  # no name, platform: rejected
    (6, "  ", "N/A"),  # blank name, junk website: rejected
    (7, "...", None),  # punctuation only, no website: rejected
    (8, "Limited", None),  # only legal words: keeps itself, kept
    (9, None, None),  # nothing: rejected
]


def _input() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row_id": [i for i in range(len(ROWS))],
            "source": ["vendor.csv"] * len(ROWS),
            "line": [r[0] for r in ROWS],
            "name": [r[1] for r in ROWS],
            "website": [r[2] for r in ROWS],
            "Vendor ID": [f"V{r[0]}" for r in ROWS],  # a passthrough column
        },
        schema_overrides={"name": pl.String, "website": pl.String},
    )


def test_adds_derived_columns_and_splits_rejects() -> None:
    kept, rejects = normalize_companies(_input())
    expected_kept = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 6],
            "source": ["vendor.csv"] * 4,
            "line": [2, 3, 4, 8],
            "name": ["Acme, Inc.", None, "Initech LLC", "Limited"],
            "website": [
                "https://www.acme.com/about",
                "info@globex.co.uk",
                "https://www.linkedin.com/company/initech",
                None,
            ],
            "domain": ["acme.com", "globex.co.uk", "linkedin.com", None],
            "domain_is_platform": [False, False, True, False],
            "name_key": ["acme", None, "initech", "limited"],
            "Vendor ID": ["V2", "V3", "V4", "V8"],
        },
        schema_overrides={"name": pl.String, "website": pl.String, **DERIVED_SCHEMA},
    )
    assert_frame_equal(kept, expected_kept)
    expected_rejects = pl.DataFrame(
        {
            "source": ["vendor.csv"] * 4,
            "line": [5, 6, 7, 9],
            "stage": ["ingest"] * 4,
            "reason": ["no usable name or domain"] * 4,
            "name": [None, "  ", "...", None],
            "domain": ["linkedin.com", None, None, None],
            "detail": ["https://www.linkedin.com/company/x", "N/A", None, None],
        },
        schema=REJECT_SCHEMA,
    )
    assert_frame_equal(rejects, expected_rejects)


def test_rows_read_equal_rows_kept_plus_rejected() -> None:
    frame = _input()
    kept, rejects = normalize_companies(frame)
    assert kept.height + rejects.height == frame.height


def test_full_frame_keeps_the_canonical_order() -> None:
    """On ingest's frame (lineage + canonical + passthrough) the derived columns
    sit after the canonical ones, as in schema.empty_companies()."""
    frame = pl.DataFrame(
        {"row_id": [1], "source": ["a.csv"], "line": [2], "unparsed": [None]},
        schema=LINEAGE_SCHEMA,
    )
    canonical = pl.DataFrame(
        {"name": ["Acme GmbH"], "website": ["acme.de"]}, schema_overrides=COMPANY_SCHEMA
    ).with_columns(
        pl.lit(None, dtype=dtype).alias(field)
        for field, dtype in COMPANY_SCHEMA.items()
        if field not in ("name", "website")
    )
    frame = pl.concat([frame, canonical.select(list(COMPANY_SCHEMA))], how="horizontal")
    frame = frame.with_columns(pl.lit("x").alias("extra"))
    kept, rejects = normalize_companies(frame)
    assert kept.columns == [*empty_companies().columns, "extra"]
    assert kept.schema == {**empty_companies().schema, "extra": pl.String}
    assert kept.row(0, named=True)["name_key"] == "acme"
    assert rejects.schema == REJECT_SCHEMA


def test_existing_derived_columns_are_recomputed_in_place() -> None:
    kept, _ = normalize_companies(_input())
    again, _ = normalize_companies(kept)
    assert_frame_equal(again, kept)


def test_a_vendor_domain_column_is_kept_not_overwritten() -> None:
    frame = pl.DataFrame(
        {
            "source": ["f500.csv"],
            "line": [2],
            "name": ["Walmart"],
            "website": ["https://www.walmart.com"],
            "domain": ["walmart.com (corporate)"],
        }
    )
    kept, _ = normalize_companies(frame)
    assert kept.columns == [
        "source",
        "line",
        "name",
        "website",
        "domain",
        "domain_is_platform",
        "name_key",
        "domain_input",
    ]
    assert kept.row(0) == (
        "f500.csv",
        2,
        "Walmart",
        "https://www.walmart.com",
        "walmart.com",
        False,
        "walmart",
        "walmart.com (corporate)",
    )


def test_only_the_required_columns_are_needed() -> None:
    frame = pl.DataFrame(
        {"name": [None, "Acme"], "website": [None, None], "source": ["a", "a"], "line": [2, 3]}
    )  # name and website are all-null in one case: dtype Null
    frame = frame.with_columns(pl.col("website").cast(pl.Null))
    kept, rejects = normalize_companies(frame)
    assert kept.columns == ["name", "website", "source", "line", *DERIVED_SCHEMA]
    assert kept["name_key"].to_list() == ["acme"]
    assert rejects["line"].to_list() == [2]


def test_empty_frame() -> None:
    kept, rejects = normalize_companies(empty_companies())
    assert_frame_equal(kept, empty_companies())
    assert_frame_equal(rejects, pl.DataFrame(schema=REJECT_SCHEMA))


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            ["name", "website", "source"],
            "normalize_companies: the companies frame is missing column(s) 'line'; "
            'read it with read_companies() or map a header to it with --map "Header=field".',
        ),
        (
            ["source", "line"],
            "normalize_companies: the companies frame is missing column(s) 'name', 'website'; "
            'read it with read_companies() or map a header to it with --map "Header=field".',
        ),
    ],
)
def test_missing_required_columns(columns: list[str], message: str) -> None:
    frame = pl.DataFrame({c: ["x"] for c in columns})
    with pytest.raises(InputError) as excinfo:
        normalize_companies(frame)
    assert str(excinfo.value) == message
