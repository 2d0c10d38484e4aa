"""The same input options on every command that reads a list, and the warnings around them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import EXIT_SUCCESS

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
# A name column no alias knows: only the rows with a website are usable.
ODD = (
    "Firm Title,Website\n"
    + "".join(f"Co {i},\n" for i in range(40))
    + ("Acme,acme.com\nAcme Inc,acme.com\nGlobex,globex.com\n")
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["build", "dedupe", "enrich", "explain", "inspect"])
def test_every_list_reader_has_the_input_options(command: str) -> None:
    _, text, _ = run(command, "--help")
    for option in ("--input-format", "--encoding", "--map"):
        assert option in text, (command, option)


def test_dedupe_warns_and_maps(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    code, out, err = run("dedupe", str(odd), "--out", str(tmp_path / "a"))
    assert code == EXIT_SUCCESS
    assert out.startswith("43 rows (40 unusable, in rejects.csv; 3 usable) -> ")
    assert err == (
        "warning: 40 of 43 rows (93.0%) are unusable (see rejects.csv); columns not recognised: "
        "'Firm Title' — map one with --map \"Firm Title=name\" (or website, employees, ...)\n"
    )
    code, out, err = run(
        "dedupe", str(odd), "--map", "Firm Title=name", "--out", str(tmp_path / "b")
    )
    assert code == EXIT_SUCCESS and err == ""
    assert out.startswith("43 rows -> ")


def test_build_warns_when_rows_are_unusable(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(ODD, encoding="utf-8")
    _, _, err = run("build", str(odd), "--profile", "b2b_saas", "--out", str(tmp_path / "o"), "-q")
    assert "warning: 40 of 43 rows (93.0%) are unusable" in err


def test_dedupe_reads_a_cp1252_file_as_told(tmp_path: Path) -> None:
    code, out, _ = run(
        "dedupe", str(SAMPLE / "vendor_dnb_cp1252.csv"), "--encoding", "cp1252",
        "--input-format", "csv", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == EXIT_SUCCESS and "companies" in out


def test_explain_takes_map_and_suppress(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Firm Title,Website,Nation\nArcoity Inc,arcoity.in,IN\n", encoding="utf-8")
    crm = str(SAMPLE / "crm_accounts.csv")
    code, out, _ = run(
        "explain", "arcoity.in", str(odd), "-p", "b2b_saas", "--map", "Firm Title=name",
        "--map", "Nation=country", "--suppress", crm,
    )  # fmt: skip
    assert code == EXIT_SUCCESS
    assert out.startswith("Arcoity Inc (arcoity.in)")
    assert "country IN (India) not in region NA (US, CA), GB, IE" in out
    assert 'CRM: suppressed: customer (CRM 5000000038 "Arcoity Inc" arcoity.in)' in out


def test_inspect_format_still_works_with_a_note() -> None:
    path = str(SAMPLE / "vendor_hubspot.tsv")
    code, out, err = run("inspect", path, "--format", "tsv")
    assert code == EXIT_SUCCESS and "format: tsv" in out
    assert err.startswith("note: inspect --format is deprecated, use --input-format")
    code, new, err = run("inspect", path, "--input-format", "tsv")
    assert code == EXIT_SUCCESS and new == out and err == ""
    assert "--format" not in run("inspect", "--help")[1]  # hidden: --input-format documented


def test_build_prints_unassigned_accounts(tmp_path: Path) -> None:
    reps = Path(__file__).resolve().parents[1] / "fixtures" / "reps_example.csv"
    _, out, _ = run(
        "build", str(SAMPLE / "companies.csv"), "--profile", "b2b_saas", "--as-of", "2026-11-01",
        "--reps", str(reps), "--out", str(tmp_path / "o"), "-q",
    )  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("reps: "))
    assert "assigned, " in line and " unassigned (unassigned.csv): " in line
    assert "no rep covers" in line
