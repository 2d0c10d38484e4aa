"""Every command is a thin layer over one function a notebook imports from `listbuilder`.

Each case swaps the function behind `listbuilder.<name>` for a spy that refuses with a
ListbuilderError, runs the command, and checks the command stopped on the spy's line:
so the command called exactly that function (and nothing behind its back first).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
LIST = str(SAMPLE / "companies.csv")
DEALS = str(SAMPLE / "deals.csv")

# command line (OUT: a fresh folder) -> the listbuilder function it calls
CASES: list[tuple[list[str], str]] = [
    (["build", LIST, "--profile", "b2b_saas", "--out", "OUT"], "build"),
    (["inspect", LIST, "--profile", "b2b_saas"], "inspect"),
    (["dedupe", LIST, "--out", "OUT"], "dedupe_lists"),
    (["dedupe", LIST, "--explain-pair", "2", "3"], "explain_pair"),
    (["explain", "acme.com", LIST, "-p", "b2b_saas"], "explain"),
    (["profile", "check", "b2b_saas"], "check_profiles"),
    (["profile", "list"], "list_profiles"),
    (["enrich", LIST, "--providers", "providers.toml", "--dry-run"], "enrich"),
    (["push", "hubspot", "OUT"], "push"),
    (["backtest", DEALS, "--profile", "b2b_saas", "--out", "OUT"], "backtest"),
    (["learn", DEALS, "--out", "OUT/learned.toml"], "draft_profile"),
    (["review", DEALS, "--profile", "b2b_saas"], "review"),
    (["lookalike", LIST, "--seeds", LIST, "--out", "OUT"], "find_lookalikes"),
]


@pytest.mark.parametrize(("args", "name"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_the_command_calls_the_exported_function(
    args: list[str], name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert name in lb.__all__
    home = importlib.import_module(lb._EXPORTS[name])
    real = getattr(lb, name)

    def spy(*args: object, **kwargs: object) -> None:
        raise lb.ListbuilderError(f"spy: {name}")

    monkeypatch.setattr(home, name, spy)
    assert getattr(lb, name) is spy and real is not spy
    monkeypatch.setenv("HUBSPOT_TOKEN", "t")
    line = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    result = CliRunner().invoke(main, line)
    assert (result.exit_code, result.stderr) == (EXIT_ERROR, f"Error: spy: {name}\n")
    assert result.stdout == ""


def test_every_command_is_covered() -> None:
    from click import Group

    def commands(group: Group, prefix: str = "") -> set[str]:
        out: set[str] = set()
        for cmd_name, cmd in group.commands.items():
            if isinstance(cmd, Group):
                out |= commands(cmd, f"{prefix}{cmd_name} ")
            else:
                out.add(prefix + cmd_name)
        return out

    covered = {" ".join(a[:2]) if a[0] == "profile" else a[0] for a, _ in CASES}
    assert commands(main) == covered


@pytest.mark.parametrize(
    "name",
    ["ListbuilderError", "InputError", "ProfileError", "ConfigError", "TemplateError"],
)
def test_the_errors_are_exported(name: str) -> None:
    from listbuilder import errors

    assert getattr(lb, name) is getattr(errors, name) and name in lb.__all__
    assert issubclass(getattr(lb, name), lb.ListbuilderError)


def test_the_package_is_typed() -> None:
    assert (Path(lb.__file__).parent / "py.typed").is_file()


def test_type_checkers_see_every_export() -> None:
    """Each lazily loaded name is also imported under TYPE_CHECKING, from its module."""
    import ast

    tree = ast.parse(Path(lb.__file__).read_text(encoding="utf-8"))
    guarded = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.dump(n.test)
    )
    imported = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == lb._EXPORTS
