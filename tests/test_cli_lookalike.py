"""`listbuilder lookalike` and a profile's [lookalike] table in `build`: exact output, exit
codes, byte-identical reruns, the committed sample end to end and the real Crunchbase list."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR, EXIT_SUCCESS

# Best customers of the committed sample, as a CRM would export them (other headers,
# websites in several spellings, no firmographics: those come from the list)
SEEDS = """Account Name,Website
Quarry Robotics Group Inc.,quarryroboticsgroup.com
Willow Systems S.A.,willowsystems.com.pl
Arciex Signals,arciex.com
Echo Technologies International S.A.,http://www.echo.ai
Saltmarsh Signals Corp,WWW.SALTMARSHSIGNALS.IO
Cedar Robotics Inc.,www.cedar.com
Elmstead Insights,www.elmsteadinsights.com
Fernhill Analytics Ltd,http://www.fernhill.com
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    path = tmp_path / "best_customers.csv"
    path.write_text(SEEDS, encoding="utf-8")
    return path


def test_sample_end_to_end_and_byte_identical(
    sample_dir: Path, seeds: Path, tmp_path: Path
) -> None:
    listed = str(sample_dir / "companies.csv")
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        code, stdout, stderr = run(
            "lookalike", listed, "--seeds", str(seeds), "--exclude-seeds", "--top", "50",
            "--describe", "--out", str(out),
        )  # fmt: skip
        assert (code, stderr) == (EXIT_SUCCESS, "")
        lines = stdout.splitlines()
        assert lines[0] == "What the 8 seeds share, against the 1,758 accounts:"
        assert lines[-2] == "50 accounts ranked; 8 seeds: 8 found in the list, 8 used"
        assert lines[-1] == (
            f"wrote {out / 'lookalikes.csv'}, {out / 'seeds.csv'}, {out / 'seed_profile.toml'}"
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    ranked = pl.read_csv(tmp_path / "a" / "lookalikes.csv", infer_schema_length=0)
    assert ranked.columns[:8] == [
        "rank", "lookalike_score", "name", "domain", "website", "is_seed", "nearest_seeds",
        "lookalike_why",
    ]  # fmt: skip
    assert ranked["rank"].to_list() == [str(i) for i in range(1, 51)]
    scores = ranked["lookalike_score"].cast(pl.Float64).to_list()
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 100
    assert set(ranked["is_seed"]) == {"false"}  # --exclude-seeds
    seed_names = {line.split(",")[0] for line in SEEDS.splitlines()[1:]}
    first = ranked.row(0, named=True)
    assert first["lookalike_why"].startswith("like ")
    assert all(n in seed_names for n in first["nearest_seeds"].split("; "))
    # most of the 50 closest are software companies, as the seeds are
    software = ranked["industry"].is_in(["SaaS", "Computer Software", "Software", "Internet"])
    assert software.sum() >= 40
    used = pl.read_csv(tmp_path / "a" / "seeds.csv", infer_schema_length=0)
    assert used["found_by"].to_list() == ["domain"] * 8
    assert used["usable"].to_list() == ["true"] * 8


def test_without_exclude_seeds_a_seed_is_ranked_but_never_its_own_neighbour(
    sample_dir: Path, seeds: Path, tmp_path: Path
) -> None:
    code, _, _ = run(
        "lookalike", str(sample_dir / "companies.csv"), "--seeds", str(seeds),
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == EXIT_SUCCESS
    ranked = pl.read_csv(tmp_path / "o" / "lookalikes.csv", infer_schema_length=0)
    assert ranked.height == 1758
    mine = ranked.filter(pl.col("is_seed") == "true")
    assert mine.height == 8
    for row in mine.iter_rows(named=True):
        assert row["name"] not in row["nearest_seeds"].split("; ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Account Name,Website\n",
            "{path}: no usable seeds: the file has a header but no rows; give your best "
            "customers with at least a name or a website column",
        ),
        (
            "Account Name,Website\nNobody Anywhere,nobody-anywhere.example.org\n",
            "{path}: the seeds share no similarity field with the list (seeds have: none; the "
            "list has: size, revenue, industry, technologies, departments, geo, funding, raised, "
            "founded, description); give seeds with the list's columns, or seeds that appear in "
            "the list so they take its values",
        ),
    ],
)
def test_bad_seeds_files_get_one_line_and_exit_2(
    sample_dir: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "seeds.csv"
    path.write_text(content, encoding="utf-8")
    code, stdout, stderr = run(
        "lookalike", str(sample_dir / "vendor_zoominfo.csv"), "--seeds", str(path),
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert (code, stdout) == (EXIT_ERROR, "")
    assert stderr == f"Error: {message.format(path=path)}\n"
    assert not (tmp_path / "o").exists()


def test_a_seed_without_data_is_set_aside_not_fatal(sample_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "seeds.csv"
    path.write_text(SEEDS + "Nobody Anywhere,nobody-anywhere.example.org\n", encoding="utf-8")
    code, stdout, _ = run(
        "lookalike", str(sample_dir / "companies.csv"), "--seeds", str(path), "--top", "5",
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == EXIT_SUCCESS
    assert "5 accounts ranked; 9 seeds: 8 found in the list, 8 used" in stdout
    used = pl.read_csv(tmp_path / "o" / "seeds.csv", infer_schema_length=0)
    assert used.row(8, named=True)["reason"] == (
        "no firmographics: not found in the list, and no size, industry, country, "
        "technologies... of its own"
    )


def test_missing_seeds_file_and_bad_options(sample_dir: Path, tmp_path: Path) -> None:
    listed = str(sample_dir / "vendor_zoominfo.csv")
    code, _, stderr = run("lookalike", listed, "--seeds", str(tmp_path / "nope.csv"),
                          "--out", str(tmp_path / "o"))  # fmt: skip
    assert code == EXIT_ERROR
    assert stderr.startswith(f"Error: {tmp_path / 'nope.csv'}: ")
    assert len(stderr.splitlines()) == 1
    code, _, stderr = run("lookalike", listed, "--seeds", "s.csv", "--top", "0", "--out", "o")
    assert code == EXIT_ERROR and "Invalid value for '--top'" in stderr
    code, _, stderr = run("lookalike", listed, "--out", "o")
    assert code == EXIT_ERROR and "Missing option '--seeds'" in stderr


def test_help_has_an_example() -> None:
    code, stdout, _ = run("lookalike", "--help")
    assert code == EXIT_SUCCESS
    assert "Example: listbuilder lookalike list.csv --seeds best_customers.csv" in stdout


PROFILE = """\
[profile]
name = "Acme"
tiers = { A = 80, B = 60, C = 1 }

[[criterion]]
name = "Size"
field = "employees"
between = [200, 2000]
weight = 100
"""


def test_profile_lookalike_table_is_validated(tmp_path: Path, seeds: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(
        PROFILE + '\n[lookalike]\nseeds = "missing.csv"\nweight = 0\nneighbors = 3\ntext = "yes"\n',
        encoding="utf-8",
    )
    code, stdout, stderr = run("profile", "check", str(path))
    assert (code, stdout) == (EXIT_ERROR, "")
    assert stderr.splitlines() == [
        f'{path}: [lookalike] (line 14): unknown key "neighbors" — did you mean "neighbours"?',
        f'{path}: [lookalike] (line 12): seeds = "missing.csv": no such file '
        f"({tmp_path / 'missing.csv'}); give the path of your best customers file, relative to "
        "this profile",
        f"{path}: [lookalike] (line 13): weight = 0: write the points a perfect lookalike adds "
        "to the ranking score, between 0 and 100, e.g. weight = 20",
        f'{path}: [lookalike] (line 15): text = "yes": write true or false',
    ]
    path.write_text(PROFILE + "\n[lookalike]\nweight = 20\n", encoding="utf-8")
    code, _, stderr = run("profile", "check", str(path))
    assert code == EXIT_ERROR
    assert stderr == (
        f'{path}: [lookalike] (line 11): missing seeds; add seeds = "<your best customers '
        'file>" (relative to the profile)\n'
    )
    path.write_text(PROFILE + f'\n[lookalike]\nseeds = "{seeds.name}"\n', encoding="utf-8")
    code, _, _ = run("profile", "check", str(path))
    assert code == EXIT_SUCCESS


def test_build_ranks_on_fit_timing_and_lookalike_kept_apart(
    sample_dir: Path, seeds: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "icp.toml"
    shipped = (Path(__file__).resolve().parents[1] / "filters" / "b2b_saas.toml").read_text(
        encoding="utf-8"
    )
    profile.write_text(
        shipped + f'\n[lookalike]\nseeds = "{seeds.name}"\nweight = 20\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    code, _, stderr = run(
        "build", str(sample_dir / "companies.csv"), "--profile", str(profile),
        "--as-of", "2026-11-01", "--out", str(out),
    )  # fmt: skip
    assert code == EXIT_SUCCESS, stderr
    targets = pl.read_csv(out / "targets.csv", infer_schema_length=0)
    for col in ("lookalike_score", "lookalike_points", "nearest_seeds", "lookalike_why"):
        assert col in targets.columns
    nums = targets.select(
        pl.col("score", "fit_score", "signal_score", "lookalike_score", "lookalike_points").cast(
            pl.Float64
        )
    )
    expected = (nums["fit_score"] + nums["signal_score"] + nums["lookalike_points"]).clip(
        upper_bound=100
    )
    assert (nums["score"] - expected).abs().max() < 0.11  # each rounded to 0.1
    assert ((nums["lookalike_points"] - nums["lookalike_score"] * 0.2).abs() < 0.06).all()
    funnel = json.loads((out / "funnel.json").read_text(encoding="utf-8"))
    assert {k: funnel["lookalike"][k] for k in ("rows", "found_in_list", "used", "weight")} == {
        "rows": 8, "found_in_list": 8, "used": 8, "weight": 20.0,
    }  # fmt: skip
    brief = sorted((out / "briefs").glob("0001-*.md"))[0].read_text(encoding="utf-8")
    first = targets.row(0, named=True)
    assert f"**Like your best customers ({float(first['lookalike_score']):.1f}/100):**" in brief
    assert f"closest seeds: {first['nearest_seeds']}" in brief
    assert "+ lookalike " in brief


def test_real_crunchbase_list_with_seeds_of_one_category(shared_data: Path, tmp_path: Path) -> None:
    export = shared_data / "crunchbase_2014" / "companies.csv"
    if not export.exists():
        pytest.skip("crunchbase_2014 is absent")
    # six US biotech companies of the list itself, by name and website only
    seeds = tmp_path / "biotech.csv"
    seeds.write_text(
        "Company,Website\n10X Technologies,http://www.10xtechnology.com\n"
        "22nd Century Group,http://www.xxiicentury.com\n23andMe,http://23andme.com\n"
        "3-V Biosciences,http://www.3vbio.com\n360imaging,http://www.360imaging.com\n"
        "3D Biomatrix,http://3dbiomatrix.com\n",
        encoding="utf-8",
    )
    code, stdout, _ = run("lookalike", str(export), "--seeds", str(seeds), "--exclude-seeds",
                          "--top", "500", "--out", str(tmp_path / "o"))  # fmt: skip
    assert code == EXIT_SUCCESS
    assert "6 seeds: 6 found in the list, 6 used" in stdout
    ranked = pl.read_csv(tmp_path / "o" / "lookalikes.csv", infer_schema_length=0)
    assert (ranked["industry"] == "biotech").mean() >= 0.95
