"""Suppression quality: precision and recall of CRM suppression on the fixture CRM.

    python benchmarks/suppress_quality.py [--rows 40000] [--workdir DIR] [--listbuilder DIR]

Generates the fixtures (``fixtures/generate.py --seed 7``) once, then runs the
list through ingest → normalize → dedupe → ``suppress_companies`` against
``crm_accounts.csv`` and scores it against ``crm_truth.csv``:

- an account *should* be suppressed when its company (the survivor row's
  ``company_id`` in ``truth.csv``) has a CRM record whose expected outcome is a
  suppression (customer, open opportunity, owned, do not contact);
- a suppression is *right* when the CRM record it names belongs to that company.

Precision = right suppressions / suppressions; recall = right suppressions /
accounts that should be suppressed. Accounts flagged ``crm_possible_match``
(kept, for a rep to check) are counted apart. ``--listbuilder DIR`` measures
another checkout (e.g. ``git archive <commit> listbuilder | tar -x -C DIR``) for a
before/after comparison.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/listbuilder_bench"))
    parser.add_argument("--listbuilder", type=Path, default=None, help="checkout to measure")
    args = parser.parse_args()
    if args.listbuilder:
        sys.path.insert(0, str(args.listbuilder))
    import polars as pl

    import listbuilder
    from listbuilder.dedupe import dedupe_companies, read_suppression, suppress_companies
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    gen = args.workdir / f"gen_{args.rows}"
    if not (gen / "crm_truth.csv").exists():
        subprocess.run(
            [sys.executable, str(REPO / "fixtures" / "generate.py"), "--rows", str(args.rows),
             "--seed", "7", "--out", str(gen)],
            check=True, capture_output=True,
        )  # fmt: skip
    print(f"listbuilder under test: {Path(listbuilder.__file__).parent.parent}")
    kept, _ = normalize_companies(read_companies([str(gen / "companies.csv")]).companies)
    accounts = dedupe_companies(kept).companies
    crm = read_suppression([gen / "crm_accounts.csv"])
    t0 = time.perf_counter()
    remaining, rejects = suppress_companies(accounts, crm)
    seconds = time.perf_counter() - t0

    truth = pl.read_csv(gen / "truth.csv").select("line", "company_id")
    crm_truth = pl.read_csv(gen / "crm_truth.csv", infer_schema=False).select(
        record="Record ID", crm_company="company_id", expected="expected"
    )
    suppressing = crm_truth.filter(~pl.col("expected").is_in(["none", "crm only"]))
    should = (
        accounts.select("line")
        .join(truth, on="line")
        .join(suppressing.select(company_id="crm_company").unique(), on="company_id", how="semi")
    )
    hits = rejects.select("line", record=pl.col("detail").str.extract(r"^CRM (\S+)")).join(
        truth, on="line", how="left"
    )
    hits = hits.join(crm_truth, on="record", how="left").with_columns(
        right=(pl.col("company_id") == pl.col("crm_company")).fill_null(False)
    )
    right = int(hits["right"].sum())
    precision = right / hits.height if hits.height else 1.0
    recall = right / should.height if should.height else 1.0
    flagged = (
        int(remaining["crm_possible_match"].is_not_null().sum())
        if "crm_possible_match" in remaining.columns
        else 0
    )
    print(
        f"{args.rows:,} rows → {accounts.height:,} accounts; CRM {crm.height:,} records "
        f"({suppressing.height:,} that suppress)\n"
        f"suppressed {hits.height:,}, right {right:,}: precision {precision:.4f}, "
        f"recall {recall:.4f} (of {should.height:,} accounts to suppress); "
        f"flagged for a check {flagged:,}; suppress_companies {seconds:.2f} s"
    )
    wrong = hits.filter(~pl.col("right")).join(
        accounts.select("line", "name", "domain"), on="line", how="left"
    )
    by_reason = rejects.join(wrong.select("line"), on="line", how="semi")["reason"].value_counts()
    if wrong.height:
        print("wrong suppressions by reason:")
        for reason, count in by_reason.sort("count", descending=True).iter_rows():
            print(f"  {count:>5}  {reason}")


if __name__ == "__main__":
    main()
