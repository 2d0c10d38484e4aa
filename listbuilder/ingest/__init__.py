"""Ingest: read any vendor's export, map its columns, parse every value.

`read_companies` is the stage entry point; `read_raw` reads any tabular file as
text (reused by the signals, CRM, deals and reps readers); `map_headers` maps
headers onto fields with any alias table; `values` holds the value parsers.
"""

from __future__ import annotations

from listbuilder.ingest.aliases import (
    COMPANY_ALIASES,
    MAPPABLE_FIELDS,
    ColumnMatch,
    header_units,
    map_headers,
    parse_column_map,
)
from listbuilder.ingest.companies import FieldStats, FileReport, Ingested, read_companies
from listbuilder.ingest.readers import FORMATS, RawTable, read_raw

__all__ = [
    "COMPANY_ALIASES",
    "FORMATS",
    "MAPPABLE_FIELDS",
    "ColumnMatch",
    "FieldStats",
    "FileReport",
    "Ingested",
    "RawTable",
    "header_units",
    "map_headers",
    "parse_column_map",
    "read_companies",
    "read_raw",
]
