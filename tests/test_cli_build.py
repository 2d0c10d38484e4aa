"""`listbuilder build` through CliRunner: success, and every bad input exits 2 in one line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from listbuilder.cli import main


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_build_prints_the_funnel(sample_dir: Path, tmp_path: Path) -> None:
    as_of = (sample_dir / "AS_OF").read_text().strip()
    code, out, err = _run(
        [
            "build",
            str(sample_dir / "companies.csv"),
            "--profile",
            "filters/b2b_saas.toml",
            "--signals",
            str(sample_dir / "events.csv"),
            "--suppress",
            str(sample_dir / "crm_accounts.csv"),
            "--as-of",
            as_of,
            "--top",
            "50",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0, err
    first = out.splitlines()[0]
    assert " read → " in first and first.endswith("→ 50 selected")
    assert f"as of {as_of}" in out
    for name in ("targets.csv", "rejects.csv", "funnel.json", "report.html"):
        assert (tmp_path / "out" / name).is_file(), name
    # the printed reason lines add up to every dropped row, stage by stage
    funnel = json.loads((tmp_path / "out" / "funnel.json").read_text())
    printed: dict[str, int] = {}
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3 and parts[0] in {s["stage"] for s in funnel["stages"]}:
            printed[parts[0]] = printed.get(parts[0], 0) + int(parts[1].replace(",", ""))
    assert printed == {s["stage"]: s["dropped"] for s in funnel["stages"] if s["dropped"]}


def test_build_with_a_shipped_profile_name(sample_dir: Path, tmp_path: Path) -> None:
    code, out, err = _run(
        [
            "build",
            str(sample_dir / "companies.csv"),
            "--profile",
            "b2b_saas",
            "--top",
            "10",
            "--out",
            str(tmp_path / "o"),
            "--as-of",
            "2026-11-01",
        ]
    )
    assert code == 0, err
    assert out.splitlines()[0].endswith("→ 10 selected")


def _assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_missing_list_file(tmp_path: Path) -> None:
    code, _, err = _run(
        [
            "build",
            str(tmp_path / "nope.csv"),
            "--profile",
            "b2b_saas",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    _assert_one_line_error(code, err, "nope.csv", "no such file")


def test_unreadable_list_file(tmp_path: Path) -> None:
    binary = tmp_path / "list.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 20)
    code, _, err = _run(
        ["build", str(binary), "--profile", "b2b_saas", "--out", str(tmp_path / "out")]
    )
    _assert_one_line_error(code, err, "list.csv", "not a text file")


def test_missing_profile_file(sample_dir: Path, tmp_path: Path) -> None:
    code, _, err = _run(
        [
            "build",
            str(sample_dir / "companies.csv"),
            "--profile",
            str(tmp_path / "icp.toml"),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "icp.toml" in err and "Traceback" not in err


BAD_PROFILES = [
    # (profile text, fragment of the message)
    (
        '[profile]\nname = "x"\n\n[[criterion]]\nname = "Size"\nfield = "employes"\n'
        "between = [200, 2000]\nweight = 100\n",
        'unknown field "employes"',
    ),
    (
        '[profile]\nname = "x"\n\n[[criterion]]\nname = "Size"\nfield = "employees"\n'
        "between = [200, 2000]\nweight = 95\n",
        "weights sum to 95, they must sum to 100",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_PROFILES)
def test_bad_profile_stops_before_reading_data(text: str, fragment: str, tmp_path: Path) -> None:
    profile = tmp_path / "icp.toml"
    profile.write_text(text)
    # the list does not exist: the profile must be refused first
    code, _, err = _run(
        [
            "build",
            str(tmp_path / "missing.csv"),
            "--profile",
            str(profile),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "icp.toml" in err and fragment in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--format", "pdf", "Error: --format 'pdf': use one of csv, xlsx, parquet, json"),
        ("--crm", "pipedrive", "Error: --crm 'pipedrive': use one of hubspot, salesforce"),
        ("--brief-format", "docx", "Error: --brief-format 'docx': use one of md, html"),
        (
            "--map",
            "Employees",
            'Error: --map \'Employees\': expected "Header=field", e.g. --map "Org Size=employees"',
        ),
    ],
)
def test_bad_options(
    option: str, value: str, message: str, sample_dir: Path, tmp_path: Path
) -> None:
    code, _, err = _run(
        [
            "build",
            str(sample_dir / "companies.csv"),
            "--profile",
            "b2b_saas",
            "--out",
            str(tmp_path),
            option,
            value,
        ]
    )
    assert code == 2
    assert err.strip() == message


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += _commands(command, prefix + name + " ")
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 20, name
    if not isinstance(command, click.Group):
        assert "Example" in command.help, name
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "listbuilder", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("listbuilder, version ")
