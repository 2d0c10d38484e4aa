"""Write a dedupe result: the merged list, clusters.csv and the rejects, as CSV.

Every file goes through the one CSV writer of every command
(``listbuilder.export.files.csv_bytes``): text and header cells a spreadsheet would run
as a formula (leading ``= + - @``, tab, carriage return) get a leading quote, lists are
joined with "; ", UTF-8 with a byte-order mark. The three files are written into a
staging folder beside ``out_dir`` and swapped in whole (``export.folder``), so an
interrupted run never leaves a folder that mixes two runs.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from listbuilder.dedupe.merge import Deduped
from listbuilder.errors import InputError


def write_csv_atomic(df: pl.DataFrame, path: Path) -> None:
    """Write ``df`` as neutralised CSV to ``path`` through a temporary file and a rename."""
    from listbuilder.export.files import write_csv_atomic as write

    write(path, df)


def write_dedupe_outputs(
    out_dir: str | Path, deduped: Deduped, *, earlier_rejects: pl.DataFrame | None = None
) -> dict[str, Path]:
    """Write companies.csv, clusters.csv and rejects.csv into ``out_dir``; return the paths.

    ``earlier_rejects`` (ingest, normalize) go first in rejects.csv so the file closes the count.
    """
    from listbuilder.export.files import write_csv_file
    from listbuilder.export.folder import check_output_dir, is_dedupe_output, staged_output

    out = Path(out_dir)
    check_output_dir(out, owned=is_dedupe_output)
    rejects = deduped.rejects
    if earlier_rejects is not None:
        rejects = pl.concat([earlier_rejects.select(rejects.columns).cast(rejects.schema), rejects])
    files = {
        "companies.csv": deduped.companies,
        "clusters.csv": deduped.clusters,
        "rejects.csv": rejects,
    }
    try:
        with staged_output(out, owned=is_dedupe_output) as staging:
            # streamed into the staging folder: a million-row list as text is 400 MB
            for name, frame in files.items():
                write_csv_file(staging / name, frame)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the outputs ({exc.strerror or exc})") from None
    return {name.removesuffix(".csv"): out / name for name in files}
