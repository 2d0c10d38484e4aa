"""An output folder is one run: checks before any work, staging + swap, kills mid-export."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import InputError
from listbuilder.export import brief_stem
from listbuilder.export.folder import (
    check_output_dir,
    check_output_file,
    clean_stale,
    is_build_output,
    staged_output,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "fixtures" / "sample" / "companies.csv"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    """Temporary files, staging folders and .previous folders anywhere under `parent`."""
    return sorted(
        str(p.relative_to(parent))
        for p in parent.rglob("*")
        if p.name.endswith(".tmp") or ".staging-" in p.name or p.name.endswith(".previous")
    )


# --- refused before any work ---------------------------------------------------------


def test_out_under_proc_is_refused() -> None:
    with pytest.raises(InputError, match=r"^--out /proc/listbuilder: under /proc, a system folder"):
        check_output_dir("/proc/listbuilder")


def test_out_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InputError, match=r"file\.txt is a file, not a folder; choose another path"):
        check_output_dir(tmp_path / "file.txt" / "out")
    with pytest.raises(InputError, match=r"exists and is not a folder"):
        check_output_dir(tmp_path / "file.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_out_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(InputError, match=r"cannot write there \(Permission denied\)"):
            check_output_dir(locked / "out")
    finally:
        locked.chmod(0o755)


def test_out_that_is_the_current_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^--out \.: the current directory or one of its parents"):
        check_output_dir(".")


def test_build_refuses_an_input_inside_out_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    listed = out / "rejects.csv"  # a list named like an output, inside --out
    listed.write_bytes(SAMPLE.read_bytes())
    before = snapshot(out)
    result = CliRunner().invoke(
        main, ["build", str(listed), "--profile", "b2b_saas", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --out {out}: holds the input {listed}; the output folder is replaced by each "
        "run: move the input out of it or choose another folder\n"
    )
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_build_refuses_out_under_a_file_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = CliRunner().invoke(
        main,
        ["build", str(SAMPLE), "--profile", "b2b_saas", "--out", str(tmp_path / "notes.txt" / "o")],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --out {tmp_path / 'notes.txt' / 'o'}: {tmp_path / 'notes.txt'} is a file, "
        "not a folder; choose another path\n"
    )


def test_enrich_refuses_out_that_is_an_input(tmp_path: Path) -> None:
    listed = tmp_path / "list.csv"
    listed.write_text("name,website\nAcme,acme.com\n")
    with pytest.raises(InputError, match=r"is also an input; write the result to another file"):
        check_output_file(listed, inputs=[listed])


# --- staging and swap ----------------------------------------------------------------


def test_an_error_while_staging_leaves_the_previous_run_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "briefs").mkdir(parents=True)
    (out / "targets.csv").write_text("old")
    (out / "briefs" / "0001-old.com.md").write_text("old brief")
    before = snapshot(out)
    with pytest.raises(KeyboardInterrupt), staged_output(out, owned=is_build_output) as staging:
        (staging / "targets.csv").write_text("new")
        (staging / "briefs").mkdir()
        (staging / "briefs" / "0001-new.com.md").write_text("new brief")
        raise KeyboardInterrupt
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_swap_replaces_outputs_and_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "briefs").mkdir(parents=True)
    (out / "targets.xlsx").write_text("old")
    (out / "briefs" / "0002-old.com.md").write_text("old brief")
    (out / "briefs" / "notes.txt").write_text("mine")
    (out / "README.txt").write_text("mine too")
    (out / ".targets.csv.999999.abcd.tmp").write_text("orphan")
    with staged_output(out, owned=is_build_output) as staging:
        (staging / "targets.csv").write_text("new")
        (staging / "briefs").mkdir()
        (staging / "briefs" / "0001-new.com.md").write_text("new brief")
    assert snapshot(out) == {
        "README.txt": b"mine too",
        "briefs/0001-new.com.md": b"new brief",
        "briefs/notes.txt": b"mine",
        "targets.csv": b"new",
    }
    assert leftovers(tmp_path) == []


def test_next_run_cleans_dead_staging_and_restores_previous(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    stale = tmp_path / f".out.staging-{pid}-x1y2"
    stale.mkdir()
    (stale / "targets.csv").write_text("half")
    previous = tmp_path / "out.previous"  # killed between the two renames of a swap
    previous.mkdir()
    (previous / "targets.csv").write_text("old run")
    live = tmp_path / f".out.staging-{os.getpid()}-live"  # a run still going: left alone
    live.mkdir()
    clean_stale(out)
    assert not stale.exists() and not previous.exists() and live.exists()
    assert (out / "targets.csv").read_text() == "old run"


def test_brief_names_of_very_long_values_are_capped_unique_and_deterministic() -> None:
    long_a = "a" * 300 + ".com"
    long_b = "a" * 300 + "b.com"
    stem_a, stem_b = brief_stem(1, long_a, None), brief_stem(1, long_b, None)
    assert len(stem_a) <= 100 and len(stem_b) <= 100
    assert stem_a != stem_b
    assert stem_a == brief_stem(1, long_a, None)
    assert len(brief_stem(7, None, "Ünïcode Name " * 40).encode()) <= 100


# --- a build killed mid-export -------------------------------------------------------


@pytest.fixture(scope="module")
def big_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated list large enough that exporting its briefs takes a while."""
    folder = tmp_path_factory.mktemp("big")
    subprocess.run(
        [sys.executable, str(REPO / "fixtures" / "generate.py"), "--rows", "8000", "--seed", "3",
         "--out", str(folder)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return folder / "companies.csv"


def _build_args(listed: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "listbuilder", "build", str(listed), "--profile", "b2b_saas",
            "--as-of", "2026-11-01", "--brief-format", "md,html", "--format", "csv,xlsx",
            "--out", str(out), "-q", *extra]  # fmt: skip


def _run_build(listed: Path, out: Path, *extra: str) -> None:
    subprocess.run(_build_args(listed, out, *extra), check=True, capture_output=True, timeout=180)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT])
def test_a_build_killed_during_export_leaves_one_run(
    big_list: Path, tmp_path: Path, signum: int
) -> None:
    reference = tmp_path / "reference"
    _run_build(big_list, reference)  # what the new run writes when it completes
    new = snapshot(reference)
    out = tmp_path / "out"
    _run_build(big_list, out, "--top", "40")  # the earlier run in the folder
    old = snapshot(out)
    assert set(old) != set(new)

    proc = subprocess.Popen(_build_args(big_list, out), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    caught_staging = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(".staging-" in p.name for p in tmp_path.iterdir()):
            caught_staging = True
            break
        time.sleep(0.002)
    proc.send_signal(signum)
    proc.wait(timeout=60)
    assert caught_staging, "the build finished before its export could be interrupted"

    after = snapshot(out)
    assert after in (old, new), "the folder mixes two runs"
    if signum == signal.SIGINT:
        assert leftovers(tmp_path) == []  # an interrupt cleans up after itself
    _run_build(big_list, out)  # the next run removes what a SIGKILL left
    assert snapshot(out) == new
    assert leftovers(tmp_path) == []


def _old_run(out: Path) -> None:
    (out / "briefs").mkdir(parents=True)
    (out / "targets.csv").write_text("old")
    (out / "briefs" / "0001-old.com.md").write_text("old brief")


def test_swap_without_an_atomic_exchange_goes_through_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import listbuilder.export.folder as folder

    monkeypatch.setattr(folder, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    _old_run(out)
    with staged_output(out, owned=is_build_output) as staging:
        (staging / "targets.csv").write_text("new")
    assert snapshot(out) == {"targets.csv": b"new"}
    assert leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_renamed_is_replaced_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import listbuilder.export.folder as folder

    def busy(a: Path, b: Path) -> bool:
        raise OSError(errno.EBUSY, "Device or resource busy", str(b))  # a mount point

    monkeypatch.setattr(folder, "_exchange", busy)
    out = tmp_path / "out"
    _old_run(out)
    (out / "mine.txt").write_text("kept")
    with staged_output(out, owned=is_build_output) as staging:
        (staging / "targets.csv").write_text("new")
        (staging / "briefs").mkdir()
        (staging / "briefs" / "0001-new.com.md").write_text("new brief")
    assert snapshot(out) == {
        "briefs/0001-new.com.md": b"new brief",
        "mine.txt": b"kept",
        "targets.csv": b"new",
    }
    assert leftovers(tmp_path) == []


def test_a_write_removes_the_tmp_file_a_killed_writer_left(tmp_path: Path) -> None:
    from listbuilder.export.files import write_bytes_atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    orphan = tmp_path / f".enriched.csv.{int(dead.stdout)}.k3j2_x.tmp"
    orphan.write_text("half")
    mine = tmp_path / f".enriched.csv.{os.getpid()}.live.tmp"  # a live writer's: kept
    mine.write_text("busy")
    write_bytes_atomic(tmp_path / "enriched.csv", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["enriched.csv", mine.name])


def test_a_folder_full_of_other_files_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "Documents"
    (docs / "taxes").mkdir(parents=True)
    for i in range(60):
        (docs / "taxes" / f"{i:02d}.pdf").write_text("x")
    with pytest.raises(InputError, match=r"holds more than 50 files that are not outputs of a run"):
        check_output_dir(docs)
