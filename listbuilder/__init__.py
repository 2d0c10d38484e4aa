"""listbuilder: purchased B2B company lists in, a ranked outbound target list out.

Everything the CLI does is one import away, one function per command, taking the values
the command takes (a path or a list of them, a shipped profile name, an ISO date); the
commands call these very functions::

    import listbuilder as lb
    result = lb.build("list.csv", profiles="b2b_saas", out_dir="out", as_of="2026-11-01")
    report = lb.inspect("list.csv", profiles="b2b_saas")
    run = lb.dedupe_lists("list.csv", out_dir="deduped")
    why = lb.explain("acme.com", "list.csv", profiles="b2b_saas")
    problems = lb.check_profiles("filters/my_icp.toml")

(`dedupe`, `learn` and `lookalike` are subpackages, so their commands' functions are
`dedupe_lists`, `draft_profile` and `find_lookalikes`.) The stages chain for finer
control::

    companies, _ = lb.normalize_companies(lb.read_companies("list.csv").companies)
    scored = lb.score_companies(companies, lb.load_profile("b2b_saas"))
    selected, below = lb.rank_companies(scored.companies, top=100)

Every error a user can cause is a `lb.ListbuilderError` (`InputError`, `ProfileError`,
`ConfigError`, `TemplateError`) whose message names the file, the place and the fix.

Names are imported on first use so `import listbuilder` stays light; type checkers and
editors see them through the imports under `TYPE_CHECKING`.
"""

# ruff: noqa: F401 (the imports below are re-exports, listed in __all__ through _EXPORTS)
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from listbuilder.errors import (
    ConfigError,
    InputError,
    ListbuilderError,
    ProfileError,
    TemplateError,
)

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # one function per command
    "build": "listbuilder.pipeline",
    "inspect": "listbuilder.api",
    "dedupe_lists": "listbuilder.api",
    "explain_pair": "listbuilder.api",
    "explain": "listbuilder.api",
    "check_profiles": "listbuilder.api",
    "list_profiles": "listbuilder.api",
    "enrich": "listbuilder.api",
    "load_providers": "listbuilder.http",
    "backtest": "listbuilder.api",
    "draft_profile": "listbuilder.api",
    "review": "listbuilder.api",
    "push": "listbuilder.api",
    "find_lookalikes": "listbuilder.lookalike",
    "format_funnel": "listbuilder.pipeline",
    # what they return
    "BuildResult": "listbuilder.pipeline",
    "Inspection": "listbuilder.api",
    "AccountExplanation": "listbuilder.api",
    "Enrichment": "listbuilder.api",
    # the stages
    "explain_account": "listbuilder.score.explain",
    "read_contacts": "listbuilder.contacts",
    "read_companies": "listbuilder.ingest",
    "read_raw": "listbuilder.ingest",
    "normalize_companies": "listbuilder.normalize",
    "dedupe_companies": "listbuilder.dedupe",
    "read_suppression": "listbuilder.dedupe",
    "suppress_companies": "listbuilder.dedupe",
    "load_profile": "listbuilder.profile",
    "load_profiles": "listbuilder.profile",
    "check_quality": "listbuilder.quality",
    "measure_coverage": "listbuilder.score",
    "score_companies": "listbuilder.score",
    "read_signals": "listbuilder.signals",
    "score_signals": "listbuilder.signals",
    "rank_companies": "listbuilder.rank",
    "assign_reps": "listbuilder.rank",
    "write_outputs": "listbuilder.export",
    "enrich_companies": "listbuilder.http",
    "push_accounts": "listbuilder.http",
    "score_lookalikes": "listbuilder.lookalike",
}

_ERRORS = ["ConfigError", "InputError", "ListbuilderError", "ProfileError", "TemplateError"]

__all__ = ["__version__", *_ERRORS, *_EXPORTS]

if TYPE_CHECKING:  # what editors and mypy see; at run time names load on first use
    from listbuilder.api import (
        AccountExplanation,
        Enrichment,
        Inspection,
        backtest,
        check_profiles,
        dedupe_lists,
        draft_profile,
        enrich,
        explain,
        explain_pair,
        inspect,
        list_profiles,
        push,
        review,
    )
    from listbuilder.contacts import read_contacts
    from listbuilder.dedupe import dedupe_companies, read_suppression, suppress_companies
    from listbuilder.export import write_outputs
    from listbuilder.http import enrich_companies, load_providers, push_accounts
    from listbuilder.ingest import read_companies, read_raw
    from listbuilder.lookalike import find_lookalikes, score_lookalikes
    from listbuilder.normalize import normalize_companies
    from listbuilder.pipeline import BuildResult, build, format_funnel
    from listbuilder.profile import load_profile, load_profiles
    from listbuilder.quality import check_quality
    from listbuilder.rank import assign_reps, rank_companies
    from listbuilder.score import measure_coverage, score_companies
    from listbuilder.score.explain import explain_account
    from listbuilder.signals import read_signals, score_signals


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'listbuilder' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
