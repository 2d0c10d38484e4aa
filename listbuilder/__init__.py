"""listbuilder: purchased B2B company lists in, a ranked outbound target list out.

Everything the CLI does is one import away::

    import listbuilder as lb
    result = lb.build(["list.csv"], profiles=["b2b_saas"], out_dir="out")
    companies = lb.read_companies(["list.csv"]).companies
    profile = lb.load_profile("filters/b2b_saas.toml")

Names are imported on first use so `import listbuilder` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "build": "listbuilder.pipeline",
    "BuildResult": "listbuilder.pipeline",
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
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'listbuilder' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
