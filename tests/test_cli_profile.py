"""`listbuilder profile check|list` through CliRunner: exact output and exit codes."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from listbuilder.cli import main

GOOD = """\
[profile]
name = "Acme"
tiers = { A = 80, B = 60 }
capacity = 100

[[criterion]]
name = "Size"
field = "employees"
between = [200, 2000]
weight = 60

[[criterion]]
name = "Stack"
field = "technologies"
any = ["HubSpot"]
weight = 40
"""


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_check_a_good_profile_prints_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(GOOD, encoding="utf-8")
    code, out, err = _run(["profile", "check", str(path)])
    assert (code, err) == (0, "")
    assert out == (
        f'{path}: ok — "Acme": 2 criteria (weights 60+40 = 100), 0 require, 0 exclude, '
        "0 signals, tiers A≥80 B≥60, capacity 100\n"
    )


def test_check_a_shipped_profile_by_name() -> None:
    code, out, _ = _run(["profile", "check", "b2b_saas"])
    assert code == 0
    assert out == (
        'b2b_saas: ok — "B2B SaaS mid-market": 5 criteria (weights 30+20+25+15+10 = 100),'
        " 1 require, 1 exclude, 4 signals, tiers A≥80 B≥70 C≥50 (priority B+), "
        "capacity 1200\n"
    )


def test_check_prints_every_problem_one_per_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(
        GOOD.replace('"employees"', '"employes"')
        .replace("weight = 40", "weight = 35")
        .replace('any = ["HubSpot"]', "greater_than = 3"),
        encoding="utf-8",
    )
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    code, out, err = _run(["profile", "check", str(path), str(good)])
    assert code == 2
    assert err.splitlines() == [
        f'{path}: criterion "Size" (line 8): unknown field "employes" — did you mean "employees"?',
        f'{path}: criterion "Stack" (line 15): unknown operator "greater_than"; use at_least',
        f'{path}: criterion "Stack" (line 12): weights sum to 95, they must sum to 100',
    ]
    assert out.startswith(f'{good}: ok — "Acme"')


def test_one_typo_in_the_reference_profile_is_one_line(tmp_path: Path) -> None:
    """The review case: `wieght = 25` in a [[criterion]] of b2b_saas used to print 9 lines,
    5 of them false talking-point errors. One typo, one message; the weight sum is not
    checked while a weight is missing."""
    reference = Path(__file__).parents[1] / "filters" / "b2b_saas.toml"
    text = reference.read_text(encoding="utf-8")
    assert text.count("\nweight = 25\n") == 1
    path = tmp_path / "b2b_saas.toml"
    path.write_text(text.replace("\nweight = 25\n", "\nwieght = 25\n"), encoding="utf-8")
    code, out, err = _run(["profile", "check", str(path)])
    line = text.splitlines().index("weight = 25") + 1
    assert (code, out) == (2, "")
    assert err == (
        f'{path}: criterion "Uses Salesforce or HubSpot" (line {line}): unknown key "wieght" '
        '— did you mean "weight"?\n'
    )


def test_check_reports_toml_syntax_errors_and_missing_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[profile\nname = 1\n", encoding="utf-8")
    code, _, err = _run(["profile", "check", str(broken), str(tmp_path / "nope.toml")])
    assert code == 2
    assert err.splitlines() == [
        f"{broken}: line 1, column 9: invalid TOML: Expected ']' at the end of a table declaration",
        f"{tmp_path / 'nope.toml'}: no such file",
    ]


def test_other_commands_print_the_problems_too(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(GOOD.replace("weight = 40", "weight = 35"), encoding="utf-8")
    list_file = tmp_path / "list.csv"
    list_file.write_text("name,website\nAcme,acme.com\n", encoding="utf-8")
    code, out, err = _run(["explain", "acme.com", str(list_file), "--profile", str(path)])
    assert (code, out) == (2, "")
    assert err == (
        f'Error: {path}: criterion "Stack" (line 12): weights sum to 95, they must sum to 100\n'
    )


def test_profile_list_names_the_shipped_profiles() -> None:
    code, out, _ = _run(["profile", "list"])
    assert code == 0
    assert "b2b_saas: B2B SaaS mid-market — " in out
    assert len(out.splitlines()) >= 4


def test_every_command_here_has_help_with_an_example() -> None:
    group = main.commands["profile"]
    assert isinstance(group, click.Group)
    for command in [group, *group.commands.values(), main.commands["explain"]]:
        assert command.help and "Example:" in command.help, command.name
