"""listbuilder: purchased B2B company lists in, a ranked outbound target list out.

Everything the CLI does is one import away, one function per command, taking the values
the command takes (a path or a list of them, a shipped profile name, an ISO date)::

    import listbuilder as lb
    result = lb.build("list.csv", profiles="b2b_saas", out_dir="out", as_of="2026-11-01")
    report = lb.inspect("list.csv", profiles="b2b_saas")
    run = lb.dedupe_lists("list.csv", out_dir="deduped")
    why = lb.explain("acme.com", "list.csv", profiles="b2b_saas")
    problems = lb.check_profiles("filters/my_icp.toml")

and the stages chain for finer control::

    companies, _ = lb.normalize_companies(lb.read_companies("list.csv").companies)
    scored = lb.score_companies(companies, lb.load_profile("b2b_saas"))
    selected, below = lb.rank_companies(scored.companies, top=100)

Names are imported on first use so `import listbuilder` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # one function per command
    "build": "listbuilder.pipeline",
    "inspect": "listbuilder.api",
    "dedupe_lists": "listbuilder.api",
    "explain": "listbuilder.api",
    "check_profiles": "listbuilder.api",
    "list_profiles": "listbuilder.api",
    "enrich": "listbuilder.api",
    "backtest": "listbuilder.api",
    "draft_profile": "listbuilder.api",
    "review": "listbuilder.api",
    "push": "listbuilder.api",
    "format_funnel": "listbuilder.pipeline",
    "BuildResult": "listbuilder.pipeline",
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
    "find_lookalikes": "listbuilder.lookalike",
    "score_lookalikes": "listbuilder.lookalike",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'listbuilder' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
