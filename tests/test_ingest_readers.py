"""read_raw: formats, encodings, line numbers, ragged rows and unreadable files."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.ingest import read_raw


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


ROWS = {"name": ["Acme", "Beta"], "employees": ["10", "20"]}

TEXT_FORMATS = [  # (file name, content, format, delimiter)
    ("a.csv", "name,employees\nAcme,10\nBeta,20\n", "csv", ","),
    ("a.csv", "name;employees\r\nAcme;10\r\nBeta;20\r\n", "csv", ";"),
    ("a.txt", "name|employees\nAcme|10\nBeta|20", "csv", "|"),
    ("a.csv", "name\temployees\nAcme\t10\nBeta\t20\n", "tsv", "\t"),
    ("a.tsv", "name\temployees\nAcme\t10\nBeta\t20\n", "tsv", "\t"),
    ("a.csv", 'name,employees\n"Acme, Inc.",10\nBeta,20\n', "csv", ","),
    ("a.csv", "name,employees\rAcme,10\rBeta,20\r", "csv", ","),  # old Mac line ends
    (
        "a.json",
        '[{"name": "Acme", "employees": 10}, {"name": "Beta", "employees": "20"}]',
        "json",
        None,
    ),
    (
        "a.dat",
        '[{"name": "Acme", "employees": 10}, {"name": "Beta", "employees": 20}]',
        "json",
        None,
    ),
    (
        "a.ndjson",
        '{"name": "Acme", "employees": 10}\n{"name": "Beta", "employees": 20}\n',
        "ndjson",
        None,
    ),
    (
        "a.jsonl",
        '{"name": "Acme", "employees": 10}\n{"name": "Beta", "employees": 20}',
        "ndjson",
        None,
    ),
]


@pytest.mark.parametrize(("name", "content", "fmt", "delimiter"), TEXT_FORMATS)
def test_text_formats(
    tmp_path: Path, name: str, content: str, fmt: str, delimiter: str | None
) -> None:
    table = read_raw(write(tmp_path, name, content))
    assert (table.format, table.delimiter, table.encoding) == (fmt, delimiter, "utf-8")
    expected_names = ["Acme, Inc.", "Beta"] if "Inc." in content else ROWS["name"]
    assert table.frame["name"].to_list() == expected_names
    assert table.frame["employees"].to_list() == ROWS["employees"]
    assert table.frame.schema["line"] == pl.Int64
    assert all(dtype == pl.String for c, dtype in table.frame.schema.items() if c != "line")


def test_gzip_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv.gz", gzip.compress(b"name,employees\nAcme,10\nBeta,20\n"))
    table = read_raw(path)
    assert (table.format, table.compression) == ("csv", "gzip")
    assert table.frame["name"].to_list() == ["Acme", "Beta"]


def test_xlsx_lines_are_sheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pl.DataFrame({"name": ["Acme", None, "Beta"], "employees": [10, None, 20]}).write_excel(path)
    table = read_raw(path)
    assert table.format == "xlsx" and table.encoding is None
    assert table.frame.select("line", "name", "employees").rows() == [
        (2, "Acme", "10"),
        (4, "Beta", "20"),
    ]
    assert table.notes == ["1 blank row(s) skipped"]


def test_parquet_stringifies_every_column(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pl.DataFrame(
        {"name": ["Acme"], "employees": [10], "tech": [["Salesforce", "HubSpot"]]}
    ).write_parquet(path)
    table = read_raw(path)
    assert table.format == "parquet"
    assert table.frame.row(0) == (1, "Acme", "10", "Salesforce; HubSpot")


def test_format_override(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", "name;employees\nAcme;10\n")
    assert read_raw(path, format="csv").frame["name"].to_list() == ["Acme"]


ENCODINGS = [  # (bytes, detected encoding, first header, name)
    (b"\xef\xbb\xbfname,city\nAcme,K\xc3\xb6ln\n", "utf-8-sig", "name", "Köln"),
    (b"name,city\nAcme,K\xc3\xb6ln\n", "utf-8", "name", "Köln"),
    (b"name,city\nAnchor\x99,K\xf6ln\n", "cp1252", "name", "Köln"),
    (b"name,city\nAcme\x81,K\xf6ln\n", "latin-1", "name", "Köln"),  # 0x81 undefined in cp1252
    ("name,city\nAcme,Köln\n".encode("utf-16"), "utf-16", "name", "Köln"),
]


@pytest.mark.parametrize(("data", "encoding", "header", "city"), ENCODINGS)
def test_encoding_detection(
    tmp_path: Path, data: bytes, encoding: str, header: str, city: str
) -> None:
    table = read_raw(write(tmp_path, "a.csv", data))
    assert table.encoding == encoding
    assert table.headers[0] == header
    assert table.frame["city"].to_list() == [city]


def test_cp1252_keeps_the_trademark_sign(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "a.csv", b"name\nAnchor\x99\n"))
    assert table.frame["name"].to_list() == ["Anchor™"]


def test_encoding_override(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "name\nKöln\n".encode())
    table = read_raw(path, encoding="latin-1")
    assert table.encoding == "latin-1"
    assert table.frame["name"].to_list() == ["KÃ¶ln"]


def test_line_numbers_with_embedded_newlines_and_blank_lines(tmp_path: Path) -> None:
    content = (
        "name,note\n"  # 1
        "Acme,plain\n"  # 2
        "\n"  # 3 (blank)
        'Beta,"two\nlines"\n'  # 4-5
        'Gamma,"three\r\nline\nnote"\n'  # 6-8
        "Delta,x\n"  # 9
    )
    table = read_raw(write(tmp_path, "a.csv", content))
    assert table.frame.select("line", "name").rows() == [
        (2, "Acme"),
        (4, "Beta"),
        (6, "Gamma"),
        (9, "Delta"),
    ]
    assert table.notes == ["1 blank line(s) skipped"]


def test_ragged_rows(tmp_path: Path) -> None:
    content = (
        "a,b,c\n"
        "1,2,3\n"
        "4,5\n"  # short: padded with null
        "6,7,8,9,10\n"  # long: rejected
        "1,2,3,\n"  # trailing empty field: harmless
        "x,y,z,w,v,u,t\n"  # longer than we measure
    )
    table = read_raw(write(tmp_path, "r.csv", content))
    assert table.frame.select("line", "a", "b", "c").rows() == [
        (2, "1", "2", "3"),
        (3, "4", "5", None),
        (5, "1", "2", "3"),
    ]
    assert table.rejects.select("source", "line", "stage", "reason", "detail").rows() == [
        (str(tmp_path / "r.csv"), 4, "ingest", "ragged row: 5 fields, header has 3", "6,7,8,9,10"),
        (
            str(tmp_path / "r.csv"),
            6,
            "ingest",
            "ragged row: at least 6 fields, header has 3",
            "x,y,z,w,v,u",
        ),
    ]
    assert table.notes == ["2 ragged row(s) with extra fields rejected"]


def test_headers_blank_duplicate_and_reserved(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "a.csv", "name,,name,line\nA,b,c,d\n"))
    assert table.headers == ["name", "column_2", "name_2", "input_line"]
    assert table.frame.columns == ["line", "name", "column_2", "name_2", "input_line"]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "a.csv", "name,website\n"))
    assert table.frame.height == 0
    assert table.headers == ["name", "website"]


def test_placeholder_strings_are_kept_raw(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "a.csv", "name,x\n#NAME?,N/A\n"))
    assert table.frame.row(0) == (2, "#NAME?", "N/A")


ERRORS = [  # (file name, content or None for missing, kwargs, message with {path})
    ("missing.csv", None, {}, "{path}: no such file"),
    ("empty.csv", b"", {}, "{path}: empty file; export the list with a header row"),
    ("blank.csv", b"  \n\n", {}, "{path}: empty file; export the list with a header row"),
    (
        "image.csv",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        {},
        "{path}: not a text file (looks binary); export the list as CSV, XLSX, Parquet or JSON",
    ),
    (
        "nul.csv",
        b"name\x00,x\n\x00\x00\x00",
        {},
        "{path}: not a text file (looks binary); export the list as CSV, XLSX, Parquet or JSON",
    ),
    (
        "empty.csv.gz",
        gzip.compress(b""),
        {},
        "{path}: empty file; export the list with a header row",
    ),
    (
        "a.csv",
        b"name\nK\xc3\xb6ln\n",
        {"encoding": "klingon"},
        "--encoding 'klingon': unknown encoding; use e.g. utf-8, cp1252 or latin-1",
    ),
    (
        "a.csv",
        b"name\nAnchor\x99\n",
        {"encoding": "utf-8"},
        "{path}: not valid utf-8 (byte 11); try --encoding cp1252",
    ),
    (
        "a.csv",
        b"name\n",
        {"format": "docx"},
        "--format 'docx': unknown format; use one of csv, tsv, xlsx, parquet, json, ndjson",
    ),
    ("a.csv", b",,\nA,b,c\n", {}, "{path}: the first line is empty; put the header row on line 1"),
]


@pytest.mark.parametrize(("name", "content", "kwargs", "message"), ERRORS)
def test_unreadable_files(
    tmp_path: Path, name: str, content: bytes | None, kwargs: dict[str, str], message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_raw(path, **kwargs)
    assert str(info.value) == message.format(path=path)
    assert "\n" not in str(info.value)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory, not a file"):
        read_raw(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "prefix"),
    [
        ("a.xlsx", b"PK\x03\x04garbage" * 10, "cannot read as XLSX"),
        ("a.parquet", b"PAR1garbage", "cannot read as Parquet"),
        ("a.json", b'{"name": ', "cannot read as JSON"),
        ("a.ndjson", b'{"name": "a"}\n{"name": ', "cannot read as NDJSON"),
    ],
)
def test_damaged_binary_and_json_files(
    tmp_path: Path, name: str, content: bytes, prefix: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read_raw(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {prefix} (")
    assert "\n" not in message


def test_cp1252_byte_after_the_first_64k_is_found(tmp_path: Path) -> None:
    rows = b"".join(b"Acme %d,K\xc3\xb6ln\n" % i for i in range(6000))  # valid UTF-8, > 64 KiB
    path = write(
        tmp_path,
        "late.csv",
        b"name,city\n" + rows.replace(b"\xc3\xb6", b"o") + b"Anchor\x99,Koln\n",
    )
    table = read_raw(path)
    assert table.encoding == "cp1252"
    assert table.frame["name"].to_list()[-1] == "Anchor™"
    assert table.frame["line"].to_list()[-1] == 6002


# A header row as sampled: (text, delimiter, headers, physical lines it spans).
HEADER_ROWS = [
    ("name,employees\nAcme,10\n", ",", ["name", "employees"], 1),
    ('"Company\nName";Website\nAcme;acme.com\n', ";", ["Company\nName", "Website"], 2),
    ("\ufeffname,,name,line\n", ",", ["name", "column_2", "name_2", "input_line"], 1),
]


@pytest.mark.parametrize(("sample", "delimiter", "headers", "lines"), HEADER_ROWS)
def test_read_header(sample: str, delimiter: str, headers: list[str], lines: int) -> None:
    from listbuilder.ingest.readers import _read_header

    assert _read_header(sample, delimiter, "a.csv") == (headers, lines)


def test_read_header_refuses_an_empty_first_line() -> None:
    from listbuilder.ingest.readers import _read_header

    with pytest.raises(InputError, match=r"^a\.csv: the first line is empty; put the header"):
        _read_header(" , \nAcme,10\n", ",", "a.csv")
