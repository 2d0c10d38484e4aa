"""The Spark engine (local mode) gives the polars engine's answers, to the byte.

One local session serves the module (started by the first ``--engine spark`` run and
stopped at the end). Everything that needs Spark skips, with the reason, only where
no Java 17+ is installed; pyspark itself comes with the ``test`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from listbuilder.cli import main
from listbuilder.spark import parse_spark_conf
from listbuilder.spark.session import missing_requirement

MASTER = "local[2]"
SPARK_ARGS = [
    "--engine",
    "spark",
    "--spark-master",
    MASTER,
    "--spark-conf",
    "spark.sql.shuffle.partitions=4",
    "--spark-conf",
    "spark.ui.enabled=false",
]


@pytest.fixture(scope="module")
def spark() -> Iterator[None]:
    problem = missing_requirement(MASTER)
    if problem is not None:
        pytest.skip(f"Spark engine not testable here: {problem}")
    yield
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
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


def test_build_on_spark_is_the_polars_build(spark: None, sample_dir: Path, tmp_path: Path) -> None:
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
    spark: None, sample_dir: Path, tmp_path: Path
) -> None:
    lists = [str(sample_dir / "companies.csv")]
    code_p, out_p = _run(["dedupe", *lists, "--out", str(tmp_path / "polars")])
    code_s, out_s = _run(["dedupe", *lists, "--out", str(tmp_path / "spark"), *SPARK_ARGS])
    assert (code_p, code_s) == (0, 0), out_s
    assert out_s.replace(str(tmp_path / "spark"), str(tmp_path / "polars")) == out_p
    assert _files(tmp_path / "spark") == _files(tmp_path / "polars")


def test_sub_blocks_and_windows_are_the_polars_ones(spark: None, sample_dir: Path) -> None:
    """Blocks over ``max_block`` split by the next key and windowed: the same pairs."""
    from pyspark.sql import SparkSession

    from listbuilder.dedupe import matcher
    from listbuilder.dedupe.settings import DedupeSettings
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.spark import match
    from listbuilder.spark.frames import map_frames, output_schema, to_polars, to_spark

    session = SparkSession.builder.master(MASTER).getOrCreate()
    companies, _ = normalize_companies(read_companies([sample_dir / "companies.csv"]).companies)
    m = matcher.prepare_match_frame(companies)
    schema = output_schema(matcher.blocking_keys, m)
    keys = map_frames(to_spark(session, m), matcher.blocking_keys, inputs=m.schema, output=schema)
    keys = keys.localCheckpoint()
    for max_block, window in ((4, 2), (2, 1)):
        settings = DedupeSettings(max_block=max_block, window=window)
        got = to_polars(match.candidate_pairs(keys, settings), {"i": pl.UInt32, "j": pl.UInt32})
        assert_frame_equal(got.sort("i", "j"), matcher.candidate_pairs(m, settings))


def test_connected_components_are_the_polars_ones(spark: None) -> None:
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
