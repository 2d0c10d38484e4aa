"""Profile loading and validation: every problem at once, each with file, table, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from listbuilder.errors import ProfileError
from listbuilder.profile import load_profile, load_profiles
from listbuilder.profile.locate import Locator

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


def _write(tmp_path: Path, text: str, name: str = "acme.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    prefix = path + ": "
    assert all(p.startswith(prefix) for p in caught.value.problems), caught.value.problems
    return [p.removeprefix(prefix) for p in caught.value.problems]


def test_a_good_profile_loads(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.name == "Acme"
    assert profile.slug == "acme"
    assert [c.name for c in profile.criteria] == ["Size", "Stack"]
    assert profile.tiers == (("A", 80.0), ("B", 60.0))
    assert profile.capacity == 100
    assert profile.score_cap == 100.0


def test_a_shipped_profile_loads_by_name() -> None:
    profile = load_profile("b2b_saas")
    assert profile.name == "B2B SaaS mid-market"
    assert profile.priority_tier == "B" and profile.priority_threshold == 70
    assert profile.tier_of(90) == "A" and profile.tier_of(49.9) is None


def test_tech_stack_is_an_alias_of_technologies(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, GOOD.replace('"technologies"', '"tech_stack"')))
    assert profile.criteria[1].condition.field == "technologies"


# (what is changed in GOOD, the problems expected, each after "<file>: ")
CASES = [
    (
        ("weight = 40", "weight = 35"),
        ['criterion "Stack" (line 12): weights sum to 95, they must sum to 100'],
    ),
    (
        ('field = "employees"', 'field = "employes"'),
        ['criterion "Size" (line 8): unknown field "employes" — did you mean "employees"?'],
    ),
    (
        ("between = [200, 2000]", "between = [2000, 200]"),
        ['criterion "Size" (line 9): between = [2000, 200]: min is above max'],
    ),
    (
        ("between = [200, 2000]", "greater_than = 200"),
        ['criterion "Size" (line 9): unknown operator "greater_than"; use at_least'],
    ),
    (
        ('any = ["HubSpot"]', 'contains = ["HubSpot"]'),
        ['criterion "Stack" (line 15): unknown operator "contains"; use any'],
    ),
    (
        ('any = ["HubSpot"]', 'in = ["HubSpot"]'),
        [
            'criterion "Stack" (line 15): in does not apply to technologies (list); '
            "use any, all, none, matches, exists or missing"
        ],
    ),
    (
        ("between = [200, 2000]", "between = [200, 2000]\nat_least = 100"),
        [
            'criterion "Size" (line 10): 2 operators (between, at_least); use one per table — '
            "split it into several [[criterion]] tables"
        ],
    ),
    (
        ("between = [200, 2000]", ""),
        [
            'criterion "Size" (line 6): no operator; add one of: between, at_least, at_most, '
            "exists, missing"
        ],
    ),
    (
        ("weight = 60", "wieght = 60"),
        # one typo, one message: the "missing weight" it causes is not reported again
        ['criterion "Size" (line 10): unknown key "wieght" — did you mean "weight"?'],
    ),
    (
        ("weight = 60", 'weight = "60"'),
        ['criterion "Size" (line 10): weight = "60": write a number of points between 0 and 100'],
    ),
    (
        ('any = ["HubSpot"]', 'any = ["group:crm"]'),
        [
            'criterion "Stack" (line 15): unknown group "group:crm"; '
            "define it as a [groups.crm] table"
        ],
    ),
    (
        ("between = [200, 2000]", "between = [200, 2000]\npartial = { margin = 0.25 }"),
        [
            'criterion "Size" (line 10): partial = {margin = 0.25}: '
            "share must be a number between 0 and 1 (the part of the weight earned), "
            "e.g. share = 0.5"
        ],
    ),
    (
        ("weight = 60", 'weight = 60\non_missing = "skip"'),
        [
            'criterion "Size" (line 11): on_missing = "skip": use "zero", "neutral", "exclude", '
            '"unknown" or "no_points"'
        ],
    ),
    (
        ("weight = 60", 'weight = 60\nmissing = "unknown"'),
        [
            'criterion "Size" (line 11): 2 operators (between, missing); use one per table — '
            "split it into several [[criterion]] tables"
        ],
    ),
    (
        ("tiers = { A = 80, B = 60 }", 'tiers = { A = 80, B = 60 }\npriority_tier = "P"'),
        ['[profile] (line 4): priority_tier = "P": not a tier; use one of A, B'],
    ),
    (
        ("capacity = 100", "capacity = -5"),
        [
            "[profile] (line 4): capacity = -5: write a whole number of accounts "
            "between 1 and 10000000, e.g. capacity = 1200"
        ],
    ),
    (
        ("capacity = 100", "capacity = 99999999999999999999999999"),
        [
            "[profile] (line 4): capacity = 99999999999999999999999999: write a whole number "
            "of accounts between 1 and 10000000, e.g. capacity = 1200"
        ],
    ),
    (
        ('name = "Acme"', 'nme = "Acme"'),
        ['[profile] (line 2): unknown key "nme" — did you mean "name"?'],
    ),
    (
        ('[[criterion]]\nname = "Stack"', '[[criteria]]\nname = "Stack"'),
        [
            'line 12: unknown table "criteria" — did you mean "criterion"?',
            'criterion "Size" (line 6): weights sum to 60, they must sum to 100',
        ],
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES, ids=[c[1][0][:50] for c in CASES])
def test_validation_messages(tmp_path: Path, change: tuple[str, str], expected: list[str]) -> None:
    old, new = change
    assert old in GOOD
    assert _problems(tmp_path, GOOD.replace(old, new, 1)) == expected


RULE_CASES = [
    (
        'field = "country"\nin = ["XX"]',
        'require #1 (line 20): in: unknown country "XX"; '
        'use ISO 3166 alpha-2 codes ("US", "GB") or a region '
        "(NA, NORTH_AMERICA, DACH, NORDICS, BENELUX, UKI, EU, EUROPE, EMEA, APAC, ANZ, LATAM)",
    ),
    (
        'field = "funding_stage"\nat_least = "Series Z"',
        'require #1 (line 20): at_least = "Series Z": not a funding stage — '
        'did you mean "Series A"?; stages are: '
        "Pre-Seed, Seed, Series A, Series B, Series C, Series D+, Private Equity, Public",
    ),
    (
        'field = "description"\nmatches = "("',
        'require #1 (line 20): matches = "(": invalid regular expression: '
        "missing ), unterminated subpattern at position 0",
    ),
    (
        'field = "website"\nexists = false',
        "require #1 (line 20): exists = false: write exists = true (or missing = true)",
    ),
    (
        'field = "employees"\nat_least = "ten"',
        'require #1 (line 20): at_least = "ten": write a number, e.g. at_least = 200',
    ),
    (
        'field = "country"\nin = ["US"]\non_missing = "keep"',
        'require #1 (line 21): on_missing = "keep": use "fail" or "pass"',
    ),
]


@pytest.mark.parametrize(("body", "expected"), RULE_CASES)
def test_rule_validation_messages(tmp_path: Path, body: str, expected: str) -> None:
    assert _problems(tmp_path, GOOD + "\n[[require]]\n" + body + "\n") == [expected]


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        GOOD.replace('field = "employees"', 'field = "employes"')
        .replace("between = [200, 2000]", "between = [2000, 200]")
        .replace('any = ["HubSpot"]', "greater_than = 3")
    )
    assert _problems(tmp_path, text) == [
        'criterion "Size" (line 8): unknown field "employes" — did you mean "employees"?',
        'criterion "Size" (line 9): between = [2000, 200]: min is above max',
        'criterion "Stack" (line 15): unknown operator "greater_than"; use at_least',
    ]


def test_the_error_reads_as_one_problem_per_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path, GOOD.replace("weight = 40", "weight = 35").replace('"employees"', '"employes"')
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value) == "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 2


def test_toml_syntax_errors_give_line_and_column(tmp_path: Path) -> None:
    assert _problems(tmp_path, '[profile]\nname = "x\n') == [
        "line 2, column 10: invalid TOML: Illegal character '\\n'"
    ]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(str(tmp_path / "nope.toml"))
    assert caught.value.problems == [f"{tmp_path / 'nope.toml'}: no such file"]


def test_an_unknown_shipped_name_suggests_the_closest() -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile("b2b_sas")
    assert caught.value.problems[0].startswith(
        'b2b_sas: no such file, and no shipped profile of that name — did you mean "b2b_saas"?'
    )


def test_load_profiles_collects_problems_of_every_file(tmp_path: Path) -> None:
    bad = _write(tmp_path, GOOD.replace("weight = 40", "weight = 30"), "bad.toml")
    with pytest.raises(ProfileError) as caught:
        load_profiles(["b2b_saas", bad, str(tmp_path / "missing.toml")])
    assert caught.value.problems == [
        f'{bad}: criterion "Stack" (line 12): weights sum to 90, they must sum to 100',
        f"{tmp_path / 'missing.toml'}: no such file",
    ]


def test_load_profiles_refuses_two_files_with_one_slug(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    first = _write(tmp_path, GOOD, "acme.toml")
    second = _write(tmp_path / "x", GOOD, "acme.toml")
    with pytest.raises(ProfileError, match="rename one of them"):
        load_profiles([first, second])


# A profile whose criteria, groups and signals are cross-referenced (talking points,
# `group:` references): a problem in one of them must not make its references "unknown".
LINKED = """\
[profile]
name = "Linked"

[groups.software]
label = "Software"
industry = ["SaaS", "Software"]

[[require]]
name = "Software only"
field = "industry"
in = ["group:software"]

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

[[signal]]
kind = "funding"
boost = 10

[talking_points]
Size = "Teams of 200-2,000 outgrow spreadsheets."
Stack = "Native HubSpot sync."
funding = "Congratulations on the round."
"""

# (what is changed in LINKED, the only problem expected, after "<file>: ")
ONE_TYPO_CASES = [
    (
        ("weight = 40", "wieght = 40"),
        'criterion "Stack" (line 23): unknown key "wieght" — did you mean "weight"?',
    ),
    (
        ("weight = 60", "wieght = 60"),  # the first criterion: later ones still count
        'criterion "Size" (line 17): unknown key "wieght" — did you mean "weight"?',
    ),
    (
        ("weight = 40", 'weight = "40"'),
        'criterion "Stack" (line 23): weight = "40": write a number of points between 0 and 100',
    ),
    (
        ('name = "Stack"', 'nme = "Stack"'),
        'criterion #2 (line 20): unknown key "nme" — did you mean "name"?',
    ),
    (
        ('field = "technologies"', 'fild = "technologies"'),
        'criterion "Stack" (line 21): unknown key "fild" — did you mean "field"?',
    ),
    (
        ('field = "technologies"', 'field = "technolgies"'),
        'criterion "Stack" (line 21): unknown field "technolgies" — did you mean "technologies"?',
    ),
    (
        ('any = ["HubSpot"]', 'an = ["HubSpot"]'),
        'criterion "Stack" (line 22): unknown operator "an"; use any',
    ),
    (
        ("between = [200, 2000]", "betwen = [200, 2000]"),
        'criterion "Size" (line 16): unknown operator "betwen"; use between',
    ),
    (
        ('kind = "funding"', 'kind = "fundng"'),
        'signal "fundng" (line 25): unknown signal kind "fundng" — did you mean "funding"?',
    ),
    (
        ('industry = ["SaaS", "Software"]', 'industy = ["SaaS", "Software"]'),
        '[groups.software] (line 6): unknown field "industy" — did you mean "industry"? '
        "(group keys: label, values, <field>, <field>_prefix)",
    ),
    (
        ('industry = ["SaaS", "Software"]', 'industry = "SaaS, Software", 3'),
        "line 6, column 28: invalid TOML: Expected newline or end of document after a statement",
    ),
    (
        ("[[criterion]]", "[[criteria]]"),  # both headers: a misspelt table is still declared
        'line 13: unknown table "criteria" — did you mean "criterion"?',
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), ONE_TYPO_CASES, ids=[c[0][1] for c in ONE_TYPO_CASES]
)
def test_one_typo_gives_one_message(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in LINKED and load_profile(_write(tmp_path, LINKED, "linked.toml"))
    assert _problems(tmp_path, LINKED.replace(old, new)) == [expected]


def test_a_typo_in_a_persona_title_is_one_message(tmp_path: Path) -> None:
    text = LINKED + '\n[[persona]]\ntitel = "VP Sales"\n'
    assert _problems(tmp_path, text) == [
        'persona #1 (line 35): unknown key "titel" — did you mean "title"?'
    ]


def test_a_group_misspelt_where_it_is_referenced_is_still_reported(tmp_path: Path) -> None:
    text = LINKED.replace('in = ["group:software"]', 'in = ["group:sofware"]')
    assert _problems(tmp_path, text) == [
        'require "Software only" (line 11): unknown group "group:sofware" — did you mean '
        '"group:software"?; define it as a [groups.sofware] table'
    ]


def test_a_talking_point_for_an_undeclared_name_is_still_reported(tmp_path: Path) -> None:
    text = LINKED.replace('Stack = "Native', 'Stak = "Native')
    assert _problems(tmp_path, text) == [
        '[talking_points] (line 31): "Stak" is neither a criterion name nor a signal kind '
        '— did you mean "Stack"?'
    ]


def test_signal_and_talking_point_problems_are_located(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[[signal]]\nkind = "fundng"\nboost = 10\n\n[talking_points]\nSize = "x"\nSzie = "y"\n'
    )
    problems = _problems(tmp_path, text)
    assert problems[0].startswith('signal "fundng" (line 18): ')
    assert problems[-1] == (
        '[talking_points] (line 24): "Szie" is neither a criterion name nor a '
        'signal kind — did you mean "Size"?'
    )


def test_locator_finds_headers_and_keys() -> None:
    text = '[profile]\nname = "x"\n\n[[criterion]]\nname = "a"\n\n[[criterion]]\n"field" = "b"\n'
    locator = Locator(text)
    assert locator.table("profile") == 1
    assert locator.table("criterion", 1) == 7
    assert locator.key("criterion", 1, "field") == 8
    assert locator.key("criterion", 1, "weight") == 7
    assert locator.table("criterion", 2) is None


# ([profile] on_missing, each criterion's own on_missing or None, the policies loaded)
POLICIES = [
    (None, [None, None], ["zero", "zero"]),
    ("unknown", [None, None], ["unknown", "unknown"]),
    (None, ["exclude", None], ["exclude", "zero"]),  # one criterion's policy is its own
    ("neutral", ["unknown", None], ["unknown", "neutral"]),
    (None, ["no_points", "unknown"], ["zero", "unknown"]),
]


@pytest.mark.parametrize(("default", "own", "expected"), POLICIES)
def test_a_criterion_without_on_missing_takes_the_profile_default(
    tmp_path: Path, default: str | None, own: list[str | None], expected: list[str]
) -> None:
    text = GOOD.replace("capacity = 100\n", f'capacity = 100\non_missing = "{default}"\n')
    text = text if default else GOOD
    for name, policy in zip(("Size", "Stack"), own, strict=True):
        if policy:
            text = text.replace(f'name = "{name}"\n', f'name = "{name}"\non_missing = "{policy}"\n')
    profile = load_profile(_write(tmp_path, text))
    assert [c.on_missing for c in profile.criteria] == expected


def test_signal_conditions_in_the_operator_words(tmp_path: Path) -> None:
    text = GOOD + (
        '\n[[signal]]\nkind = "funding"\nboost = 10\nround.at_least = "Series B"\n'
        "amount.at_least = 5_000_000\n"
        '\n[[signal]]\nkind = "exec_hire"\nboost = 5\ntitles = "CRO"\n'
    )
    funding, hire = load_profile(_write(tmp_path, text)).signals
    assert (funding.kind, funding.round_at_least, funding.amount_at_least) == (
        "funding",
        "Series B",
        5e6,
    )
    assert (hire.kind, hire.title_matches) == ("exec_hire", "(?:CRO)")


def test_a_signal_condition_problem_is_located(tmp_path: Path) -> None:
    text = GOOD + '\n[[signal]]\nkind = "funding"\nboost = 10\nround.at_leest = "Series B"\n'
    assert _problems(tmp_path, text) == [
        'signal "funding" (line 18): round.at_leest: unknown operator — did you mean '
        '"round.at_least"?'
    ]
