"""The Spark engine (local mode) gives the polars engine's answers, to the byte.

One local session serves the module (started by the first ``--engine spark`` run and
stopped at the end). Everything that needs Spark skips, with the reason, only where
no Java 17+ is installed; pyspark itself comes with the ``test`` extra.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from listbuilder.cli import main
from listbuilder.spark import parse_spark_conf
from listbuilder.spark.session import missing_requirement

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER = "local[2]"
CONF = [
    "spark.sql.shuffle.partitions=4",
    "spark.ui.enabled=false",
    # Arrow batches, so partitions of a list sent to Spark, of 500 rows: the sample's 2,000
    # rows are ingested, scored and ranked in four slices and merged into one answer
    "spark.sql.execution.arrow.maxRecordsPerBatch=500",
]
SPARK_ARGS = ["--engine", "spark", "--spark-master", MASTER]
SPARK_ARGS += [arg for setting in CONF for arg in ("--spark-conf", setting)]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """The module's one local session (the CLI runs below reuse it)."""
    problem = missing_requirement(MASTER)
    if problem is not None:
        pytest.skip(f"Spark engine not testable here: {problem}")
    from listbuilder.spark.session import start_session

    session = start_session(MASTER, parse_spark_conf(CONF))
    yield session
    session.stop()


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _build_args(sample_dir: Path, out: Path) -> list[str]:
    args = ["build", str(sample_dir / "companies.csv"), "--profile", "b2b_saas"]
    args += ["--signals", str(sample_dir / "events.csv")]
    if (sample_dir / "crm_accounts.csv").exists():
        args += ["--suppress", str(sample_dir / "crm_accounts.csv")]
    as_of = (sample_dir / "AS_OF").read_text().strip()
    return [*args, "--as-of", as_of, "--out", str(out)]


def test_build_on_spark_is_the_polars_build(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    code_p, out_p = _run(_build_args(sample_dir, tmp_path / "polars"))
    code_s, out_s = _run([*_build_args(sample_dir, tmp_path / "spark"), *SPARK_ARGS])
    assert (code_p, code_s) == (0, 0), out_s
    # the funnel, reasons and coverage printed
    assert out_s.replace(str(tmp_path / "spark"), str(tmp_path / "polars")) == out_p
    polars_files, spark_files = _files(tmp_path / "polars"), _files(tmp_path / "spark")
    for name in ("targets.csv", "rejects.csv", "funnel.json"):
        # same clusters (rejects: "duplicate of C..."), same scores, same order
        assert spark_files[name] == polars_files[name], name
    assert spark_files == polars_files  # briefs and report too


def test_dedupe_on_spark_is_the_polars_dedupe(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    lists = [str(sample_dir / "companies.csv")]
    code_p, out_p = _run(["dedupe", *lists, "--out", str(tmp_path / "polars")])
    code_s, out_s = _run(["dedupe", *lists, "--out", str(tmp_path / "spark"), *SPARK_ARGS])
    assert (code_p, code_s) == (0, 0), out_s
    assert out_s.replace(str(tmp_path / "spark"), str(tmp_path / "polars")) == out_p
    assert _files(tmp_path / "spark") == _files(tmp_path / "polars")


def test_sub_blocks_and_windows_are_the_polars_ones(spark: SparkSession, sample_dir: Path) -> None:
    """Blocks over ``max_block`` split by the next key and windowed: the same pairs."""
    from listbuilder.dedupe import matcher
    from listbuilder.dedupe.settings import DedupeSettings
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.spark import match
    from listbuilder.spark.frames import map_frames, output_schema, to_polars, to_spark

    session = spark
    companies, _ = normalize_companies(read_companies([sample_dir / "companies.csv"]).companies)
    m = matcher.prepare_match_frame(companies)
    schema = output_schema(matcher.blocking_keys, m)
    keys = map_frames(to_spark(session, m), matcher.blocking_keys, inputs=m.schema, output=schema)
    keys = keys.localCheckpoint()
    for max_block, window in ((4, 2), (2, 1)):
        settings = DedupeSettings(max_block=max_block, window=window)
        got = to_polars(match.candidate_pairs(keys, settings), {"i": pl.UInt32, "j": pl.UInt32})
        assert_frame_equal(got.sort("i", "j"), matcher.candidate_pairs(m, settings))


def test_connected_components_are_the_polars_ones(spark: SparkSession) -> None:
    from listbuilder.dedupe.cluster import connected_components
    from listbuilder.spark import SparkEngine

    # a chain, a star, a cycle and a pair, numbered out of order
    edges = [(9, 3), (3, 7), (7, 1), (1, 12), (20, 21), (20, 22), (20, 23), (30, 31), (31, 32)]
    edges += [(32, 30), (5, 40)]
    pairs = pl.DataFrame(
        {"i": [min(e) for e in edges], "j": [max(e) for e in edges]},
        schema={"i": pl.UInt32, "j": pl.UInt32},
    )
    expected = connected_components(pairs).cast({"_i": pl.UInt32, "_comp": pl.UInt32})
    assert_frame_equal(SparkEngine().connected_components(pairs), expected)


def test_importing_listbuilder_does_not_import_pyspark() -> None:
    code = (
        "import sys, listbuilder, listbuilder.pipeline, listbuilder.spark, listbuilder.cli; "
        "import listbuilder.cli.build_cmd; assert 'pyspark' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_spark_submit_launcher_prints_its_path() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "listbuilder.spark.submit"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = Path(out.stdout.strip())
    assert path.name == "submit.py"
    assert path.is_file()


def test_spark_options_need_the_spark_engine(sample_dir: Path, tmp_path: Path) -> None:
    args = ["dedupe", str(sample_dir / "companies.csv"), "--out", str(tmp_path / "out")]
    code, out = _run([*args, "--spark-conf", "spark.executor.memory=4g"])
    assert code == 2
    assert "--spark-conf needs --engine spark" in out


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["spark.executor.memory=4g"], {"spark.executor.memory": "4g"}),
        (["a=1", "b = x=y"], {"a": "1", "b": "x=y"}),
        ([], {}),
    ],
)
def test_parse_spark_conf(values: list[str], expected: dict[str, str]) -> None:
    assert parse_spark_conf(values) == expected


@pytest.mark.parametrize("value", ["spark.executor.memory", "=4g"])
def test_parse_spark_conf_refuses_a_setting_without_key_and_value(value: str) -> None:
    from listbuilder.errors import InputError

    with pytest.raises(InputError, match="use key=value"):
        parse_spark_conf([value])


def test_no_java_is_one_line_naming_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_dir: Path
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    args = ["dedupe", str(sample_dir / "companies.csv"), "--out", str(tmp_path / "o")]
    code, out = _run([*args, "--engine", "spark"])
    assert code == 2
    assert "needs Java 17 or later (no java found)" in out


def test_frames_travel_through_spark_and_back_unchanged(spark: SparkSession) -> None:
    """The dtypes the stages hand Spark (lists of structs, dates, unsigned, all-null
    columns), and several outputs of one partition function, each in input order."""
    import datetime as dt

    from listbuilder.spark.frames import map_parts, to_spark

    frame = pl.DataFrame(
        {
            "id": pl.Series(range(1200), dtype=pl.UInt32),
            "when": [dt.date(2026, 1, 1 + i % 28) for i in range(1200)],
            "tags": [["a", "b"][: i % 3] for i in range(1200)],
            "signals": [[{"kind": "funding", "boost": i / 10}] * (i % 2) for i in range(1200)],
            "nothing": [None] * 1200,
        }
    )

    def run(part: pl.DataFrame) -> dict[str, object]:
        return {"rows": part, "odd": part.filter(pl.col("id") % 2 == 1), "n": part.height}

    # as the module's CLI runs set it (an engine started without that conf resets it)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
    got = map_parts(to_spark(spark, frame), run, empty=frame.head(0))
    assert_frame_equal(got["rows"], frame)
    assert_frame_equal(got["odd"], frame.filter(pl.col("id") % 2 == 1))
    # one count per Arrow batch (of at most 500 rows here), in order
    assert sum(got["n"]) == 1200
    assert len(got["n"]) >= 3
    assert max(got["n"]) <= 500


# ------------------------------------------------------------------ inputs on Spark paths


def _same_sources(frame: pl.DataFrame, uri: str, path: str) -> pl.DataFrame:
    return frame.with_columns(pl.col("source").str.replace(uri, path, literal=True))


@pytest.mark.parametrize(
    "name",
    [
        "companies.csv",  # the bytes through binaryFile, read_raw in a task
        "vendor_zoominfo.csv.gz",  # gzip, unwrapped as read_raw does
        "vendor_dnb_cp1252.csv",  # Windows-1252, found as read_raw finds it
        "vendor_salesforce_bom.csv",  # a UTF-8 byte-order mark
        "vendor_apollo.parquet",  # spark.read.parquet, typed columns turned into text
    ],
)
def test_a_spark_path_reads_as_the_file_does(
    spark: SparkSession, sample_dir: Path, name: str
) -> None:
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.spark.ingest import read_companies as read_on_spark

    path = str(sample_dir.resolve() / name)
    uri = "file://" + path
    polars_read = read_companies([path])
    read = read_on_spark(spark, [uri])
    spark_read = read.ingested
    assert_frame_equal(_same_sources(spark_read.companies, uri, path), polars_read.companies)
    usable, unusable = normalize_companies(polars_read.companies)  # found in the same pass
    assert_frame_equal(_same_sources(read.usable, uri, path), usable)
    assert_frame_equal(_same_sources(read.unusable, uri, path), unusable)
    assert_frame_equal(_same_sources(spark_read.rejects, uri, path), polars_read.rejects)
    (report,) = spark_read.reports
    assert report.path == uri
    assert [report.__dict__ | {"path": path}] == [r.__dict__ for r in polars_read.reports]


def test_a_parquet_folder_numbers_its_rows_across_the_part_files(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    """A dataset Spark wrote (a folder of part files): one list, lines in part order."""
    from listbuilder.ingest import read_companies
    from listbuilder.spark.ingest import read_companies as read_on_spark

    whole = pl.read_parquet(sample_dir / "vendor_apollo.parquet")
    folder = tmp_path / "apollo.parquet"
    folder.mkdir()
    # part names sort in row order; the larger part second (Spark reads larger files first)
    whole.head(20).write_parquet(folder / "part-00000.parquet")
    whole.tail(40).write_parquet(folder / "part-00001.parquet")
    single = str(sample_dir.resolve() / "vendor_apollo.parquet")
    uri = "file://" + str(folder)
    got = read_on_spark(spark, [uri]).ingested
    expected = read_companies([single])
    assert_frame_equal(_same_sources(got.companies, uri, single), expected.companies)
    assert got.reports[0].fields == expected.reports[0].fields


def test_a_spark_path_that_cannot_be_read_is_one_line(spark: SparkSession, tmp_path: Path) -> None:
    from listbuilder.errors import InputError
    from listbuilder.spark.ingest import read_companies as read_on_spark

    binary = tmp_path / "list.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    cases = [
        ("file://" + str(tmp_path / "nowhere.parquet"), "cannot read as Parquet"),
        ("file://" + str(tmp_path / "nowhere.csv"), "cannot read"),
        ("file://" + str(binary), "not a text file (looks binary)"),
    ]
    for uri, message in cases:
        with pytest.raises(InputError, match=re.escape(message)) as raised:
            read_on_spark(spark, [uri])
        assert str(raised.value).startswith(uri + ": "), str(raised.value)
        assert "\n" not in str(raised.value)


def test_build_on_a_parquet_list_on_spark_is_the_polars_build(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    """A vendor's typed Parquet export: polars reads the file, Spark the file:// URI."""
    path = str(sample_dir.resolve() / "vendor_apollo.parquet")
    uri = "file://" + path
    common = ["--profile", "funded_startups", "--as-of", (sample_dir / "AS_OF").read_text().strip()]
    code_p, out_p = _run(["build", path, *common, "--out", str(tmp_path / "p")])
    code_s, out_s = _run(["build", uri, *common, "--out", str(tmp_path / "s"), *SPARK_ARGS])
    assert (code_p, code_s) == (0, 0), out_s
    assert out_s.replace(str(tmp_path / "s"), str(tmp_path / "p")) == out_p
    for name in ("targets.csv", "rejects.csv", "funnel.json"):
        spark_bytes = (tmp_path / "s" / name).read_bytes().replace(uri.encode(), path.encode())
        assert spark_bytes == (tmp_path / "p" / name).read_bytes(), name
    targets = (tmp_path / "p" / "targets.csv").read_text(encoding="utf-8-sig")
    assert targets.count("\n") > 10  # a real selection, not two empty lists


def test_normalize_on_spark_is_normalize_companies(spark: SparkSession, sample_dir: Path) -> None:
    """A frame read elsewhere (not by the engine's read_companies): its own Spark pass."""
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.spark import SparkEngine

    ingested = read_companies([sample_dir / "vendor_zoominfo.csv"]).companies
    got = SparkEngine(session=spark).normalize_companies(ingested)
    for frame, expected in zip(got, normalize_companies(ingested), strict=True):
        assert_frame_equal(frame, expected)


# ------------------------------------------------------------------ outputs on Spark paths


def test_dedupe_to_a_spark_path_writes_parquet_there(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.spark import SparkEngine

    ingested = read_companies([sample_dir / "companies.csv"])
    companies, unusable = normalize_companies(ingested.companies)
    deduped = dedupe_companies(companies)
    out = "file://" + str(tmp_path / "deduped")
    paths = SparkEngine().write_dedupe_outputs(out, deduped, earlier_rejects=unusable)
    assert paths == {n: f"{out}/{n}.parquet" for n in ("companies", "clusters", "rejects")}
    for name, expected in {
        "companies": deduped.companies,
        "clusters": deduped.clusters,
        "rejects": pl.concat([unusable, deduped.rejects]),
    }.items():
        folder = tmp_path / "deduped" / f"{name}.parquet"
        assert (folder / "_SUCCESS").exists()
        written = pl.read_parquet(folder / "*.parquet").cast(expected.schema)  # type: ignore[arg-type]
        assert_frame_equal(written, expected)


def test_the_dedupe_command_writes_to_a_spark_path(
    spark: SparkSession, sample_dir: Path, tmp_path: Path
) -> None:
    # the command end to end: the list read on Spark, the outputs written there as Parquet,
    # the same companies as the polars command's CSV
    out = "file://" + str(tmp_path / "deduped")
    code, text = _run(["dedupe", str(sample_dir / "companies.csv"), "--engine", "spark",
                       "--out", out])  # fmt: skip
    assert code == 0, text
    assert "(2 unusable, in rejects.parquet; 1,998 usable)" in text
    assert f"wrote {out}/companies.parquet, {out}/clusters.parquet" in text
    code, text = _run(["dedupe", str(sample_dir / "companies.csv"), "--out", str(tmp_path / "pl")])
    assert code == 0, text
    local = pl.read_csv(tmp_path / "pl" / "companies.csv", infer_schema_length=0)
    written = pl.read_parquet(tmp_path / "deduped" / "companies.parquet" / "*.parquet")
    assert written["row_id"].cast(pl.String).to_list() == local["row_id"].to_list()
    assert written["cluster_id"].to_list() == local["cluster_id"].to_list()


# ------------------------------------------------------------------------- ranking


def _ranked_input() -> pl.DataFrame:
    """Scores with ties, nulls and NaN-free floats; a shared domain and parent; tiers."""
    n = 300
    score = [None if i % 37 == 0 else float((i * 7919) % 97) for i in range(n)]
    return pl.DataFrame(
        {
            "row_id": list(range(n)),
            "source": ["l.csv"] * n,
            "line": [i + 2 for i in range(n)],
            "name": [["acme", "Acme", "beta", "Gamma"][i % 4] for i in range(n)],
            "domain": [f"d{i % 50}.com" if i % 3 == 0 else None for i in range(n)],
            "domain_is_platform": [i % 11 == 0 for i in range(n)],
            "parent_company": ["Holding" if i % 13 == 0 else None for i in range(n)],
            "score": score,
            "fit_score": [None if s is None else s - (i % 5) for i, s in enumerate(score)],
            "signal_score": [float(i % 5) for i in range(n)],
            "confidence": [round((i % 10) / 10, 1) for i in range(n)],
            "employees": [i % 7 * 100 for i in range(n)],
            "tier": [
                None if s is None else "A" if s >= 80 else "B" if s >= 60 else "C" for s in score
            ],
            "fit_tier": ["A"] * n,
        }
    )


@pytest.mark.parametrize(
    "options",
    [
        {"capacity": 20, "min_score": 40.0, "min_score_label": "tier C"},
        {"capacity": 5, "min_score": 40, "tier_quotas": {"A": 0.2}, "min_confidence": 0.3},
        {"top": 0, "min_score": 90.0},
        {"capacity": 20},  # no floor: all of it on the driver
        {"min_score": 200.0},  # nothing reaches it
    ],
)
def test_rank_on_spark_is_rank_companies(spark: SparkSession, options: dict) -> None:
    from listbuilder.rank import rank_companies
    from listbuilder.spark.rank import rank_on_spark

    frame = _ranked_input()
    selected, rejects = rank_on_spark(spark, frame, **options)
    expected_selected, expected_rejects = rank_companies(frame, **options)
    assert_frame_equal(selected, expected_selected)
    assert_frame_equal(rejects, expected_rejects)  # same rows, details and order


# ------------------------------------------------- merging what the partitions found


def _scorable(sample_dir: Path) -> pl.DataFrame:
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    companies, _ = normalize_companies(read_companies([sample_dir / "companies.csv"]).companies)
    return companies


def _slices(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Uneven slices, one of them empty (a partition may be)."""
    return [frame.slice(0, 7), frame.slice(7, 0), frame.slice(7, 900), frame.slice(907)]


def test_scores_of_slices_merge_into_the_scores_of_the_whole(sample_dir: Path) -> None:
    import dataclasses

    from listbuilder.profile import load_profile
    from listbuilder.score import score_companies
    from listbuilder.spark.score import merge_scored

    profiles = [load_profile("b2b_saas"), load_profile("managed_services")]
    frame = _scorable(sample_dir)
    whole = score_companies(frame, profiles)
    parts = [score_companies(s, profiles) for s in _slices(frame)]
    outputs = {
        f.name: pl.concat([getattr(p, f.name) for p in parts])
        if isinstance(getattr(whole, f.name), pl.DataFrame)
        else [getattr(p, f.name) for p in parts]
        for f in dataclasses.fields(whole)
    }
    merged = merge_scored(outputs)
    for f in dataclasses.fields(whole):
        value, expected = getattr(merged, f.name), getattr(whole, f.name)
        if isinstance(expected, pl.DataFrame):
            assert_frame_equal(value, expected)
        else:
            assert value == expected, f.name
    assert whole.unknowns  # the sums were tested on real counts


def test_coverage_of_slices_merges_into_the_coverage_of_the_whole(sample_dir: Path) -> None:
    from listbuilder.profile import load_profile
    from listbuilder.score import measure_coverage
    from listbuilder.spark.score import merge_coverage

    profiles = [load_profile("b2b_saas"), load_profile("funded_startups")]
    frame = _scorable(sample_dir).with_columns(pl.lit(None, pl.String).alias("funding_stage"))
    merged = merge_coverage([measure_coverage(s, profiles) for s in _slices(frame)])
    whole = measure_coverage(frame, profiles)
    assert merged == whole
    assert any(c.absent for c in whole)  # an absent criterion, found again after the merge


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([1, 2, 3], 6),
        ([{"a": {"x": 1}}, {"a": {"x": 2, "y": 1}, "b": {}}], {"a": {"x": 3, "y": 1}, "b": {}}),
        ([{}, {}], {}),
    ],
)
def test_partition_counts_add_up(parts: list, expected: object) -> None:
    from listbuilder.spark.score import sum_counts

    assert sum_counts(parts, "unknowns") == expected


def test_an_output_with_no_merge_rule_is_refused() -> None:
    from listbuilder.spark.score import sum_counts

    with pytest.raises(TypeError, match=r"Scored\.notes: no rule to merge str"):
        sum_counts(["a", "b"], "notes")


def test_parse_examples_merge_by_line() -> None:
    """The first three distinct unparsed values of the file, whichever partition had them."""
    from listbuilder.ingest import FieldStats
    from listbuilder.spark.ingest import merge_fields

    late = FieldStats("Employees", "employees", 10, 6, 1, 3, ["x", "y", "z"])
    early = FieldStats("Employees", "employees", 5, 3, 0, 2, ["y", "w"])
    (merged,) = merge_fields([[(late, [40, 41, 45])], [(early, [3, 7])]])
    assert merged == FieldStats("Employees", "employees", 15, 9, 1, 5, ["y", "w", "x"])


# ------------------------------------------------------------------- the engine seam


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("s3a://bucket/companies.parquet", True),
        ("hdfs://namenode:8020/lists/a.csv", True),
        ("file:///tmp/a.csv", True),
        ("file:/tmp/a.csv", True),  # as Spark writes it
        ("C:/lists/a.csv", False),
        ("/tmp/a.csv", False),
        ("a.csv", False),
        ("C:\\lists\\a.csv", False),
        (Path("/tmp/a.csv"), False),
    ],
)
def test_is_spark_path(path: str | Path, *, expected: bool) -> None:
    from listbuilder.spark import is_spark_path

    assert is_spark_path(path) is expected


def test_resolve_stages() -> None:
    from listbuilder.errors import InputError
    from listbuilder.spark import SparkEngine
    from listbuilder.spark.engine import InProcess, resolve_stages

    class OnlyMatching:  # a dedupe engine (match_pairs, connected_components) only
        def match_pairs(self) -> None: ...

    assert isinstance(resolve_stages("polars"), InProcess)
    assert isinstance(resolve_stages(None), InProcess)
    assert isinstance(resolve_stages(OnlyMatching()), InProcess)
    assert isinstance(resolve_stages("spark"), SparkEngine)
    engine = SparkEngine()
    assert resolve_stages(engine) is engine
    with pytest.raises(InputError, match="use polars or spark"):
        resolve_stages("dask")
