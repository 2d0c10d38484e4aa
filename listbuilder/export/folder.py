"""An output folder is one run: checked before any work, built aside, swapped in whole.

``check_output_dir`` refuses, before anything is read, an ``--out`` that cannot hold a
run (a system folder, a file, a folder that cannot be written, the current directory,
a folder holding one of the run's own inputs). ``staged_output`` builds the run in a
sibling staging folder (``.OUT.staging-<pid>-<random>``) and swaps it in as a whole:
an atomic exchange of the two folders on Linux (``renameat2(RENAME_EXCHANGE)``), else
``OUT`` → ``OUT.previous``, staging → ``OUT``, then ``OUT.previous`` is removed. An
interrupt (SIGINT, SIGTERM) before the swap leaves the previous run untouched; after a
SIGKILL, the next run removes the dead staging folder and restores ``OUT.previous``.

Files in ``OUT`` that are not outputs (a user's notes) are carried into the new run;
outputs of the previous run never are, so a folder never mixes two runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from listbuilder.errors import InputError
from listbuilder.export.files import pid_alive

PREVIOUS_SUFFIX = ".previous"
_STAGING = re.compile(r"^\.(?P<name>.+)\.staging-(?P<pid>\d+)-[^/]+$")
_SYSTEM_DIRS = ("/proc", "/sys", "/dev")
_TMP_FILE = re.compile(r"^\..+\.tmp$")

BUILD_FILES = frozenset(
    {
        *(f"targets.{fmt}" for fmt in ("csv", "xlsx", "parquet", "json")),
        "rejects.csv",
        "funnel.json",
        "report.html",
        "hubspot_import.csv",
        "salesforce_import.csv",
        "unassigned.csv",
        "signals_unmatched.csv",
    }
)
_BRIEF_FILE = re.compile(r"^(\d{4,}-.+|index)\.(md|html)$")
DEDUPE_FILES = frozenset({"companies.csv", "clusters.csv", "rejects.csv"})


def is_build_output(rel: str) -> bool:
    """True for a path (relative to OUT) that a `build` run writes."""
    parts = rel.split("/")
    if _TMP_FILE.match(parts[-1]):
        return True
    if len(parts) == 1:
        return rel in BUILD_FILES or rel == "briefs"
    return len(parts) == 2 and parts[0] == "briefs" and bool(_BRIEF_FILE.match(parts[1]))


def is_dedupe_output(rel: str) -> bool:
    """True for a path (relative to OUT) that `listbuilder dedupe` writes."""
    return rel in DEDUPE_FILES or bool(_TMP_FILE.match(rel.rsplit("/", 1)[-1]))


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


MAX_CARRIED = 50  # files of a user's own in --out carried into each run; more: refused


def _foreign(target: Path, owned: Callable[[str], bool], limit: int) -> list[str]:
    """Up to `limit` + 1 paths under `target` that are not outputs of a run."""
    found: list[str] = []
    stack = [""]
    while stack and len(found) <= limit:
        rel = stack.pop()
        try:
            entries = sorted((target / rel).iterdir() if rel else target.iterdir())
        except OSError:
            continue
        for path in entries:
            name = f"{rel}/{path.name}" if rel else path.name
            if path.is_dir() and not path.is_symlink():
                stack.append(name)
            elif not owned(name):
                found.append(name)
    return found


def check_output_dir(
    out: str | Path,
    *,
    inputs: Iterable[str | Path] = (),
    option: str = "--out",
    owned: Callable[[str], bool] = is_build_output,
) -> Path:
    """Refuse an output folder that cannot hold a run, with one line naming the path and
    the cause; return it resolved. Run before any input is read.

    A folder holding more than `MAX_CARRIED` files that are not outputs (a home or a
    documents folder named by mistake) is refused too: each run replaces the folder
    and carries such files over, which is for a few notes, not for a whole tree."""
    given = Path(out).expanduser()
    target = given.resolve()
    for system in _SYSTEM_DIRS:
        if _under(target, Path(system)):
            raise InputError(
                f"{option} {given}: under {system}, a system folder; choose a folder of your own"
            )
    if target.exists() and not target.is_dir():
        raise InputError(f"{option} {given}: exists and is not a folder; choose a folder")
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"{option} {given}: {existing} is a file, not a folder; choose another path"
        )
    if _under(Path.cwd().resolve(), target):
        raise InputError(
            f"{option} {given}: the current directory or one of its parents; the output "
            "folder is replaced by each run: name a folder for the outputs, e.g. --out out"
        )
    for item in inputs:
        path = Path(item).expanduser().resolve()
        if _under(path, target):
            raise InputError(
                f"{option} {given}: holds the input {item}; the output folder is replaced by "
                "each run: move the input out of it or choose another folder"
            )
    if target.is_dir():
        foreign = _foreign(target, owned, MAX_CARRIED)
        if len(foreign) > MAX_CARRIED:
            raise InputError(
                f"{option} {given}: holds more than {MAX_CARRIED} files that are not outputs "
                f"of a run (e.g. {foreign[0]}); the output folder is replaced by each run: "
                "choose a folder for the outputs, e.g. a new one"
            )
    _probe_writable(target, given, option)
    return target


def _probe_writable(target: Path, given: Path, option: str) -> None:
    """Create (and remove) a staging folder beside the target: the same rights a run needs."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=target.parent)
        os.rmdir(probe)
        if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as exc:
        cause = exc.strerror or type(exc).__name__
        raise InputError(f"{option} {given}: cannot write there ({cause})") from None


def clean_stale(out: Path) -> None:
    """Remove what killed runs left beside `out`: staging folders of dead processes; and
    restore `OUT.previous` when a run died between the two renames of a swap."""
    parent = out.parent
    with contextlib.suppress(OSError):
        for path in parent.iterdir():
            m = _STAGING.match(path.name)
            if m and m["name"] == out.name and not pid_alive(int(m["pid"])):
                shutil.rmtree(path, ignore_errors=True)
    previous = out.with_name(out.name + PREVIOUS_SUFFIX)
    if previous.is_dir():
        if out.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(previous, out)


@contextlib.contextmanager
def staged_output(out: str | Path, *, owned: Callable[[str], bool]) -> Iterator[Path]:
    """Yield a private staging folder; on success, swap it in as `out` whole.

    `owned(rel)` says which paths of the current `out` are outputs of a run (replaced);
    everything else is carried into the new folder. On any exception (KeyboardInterrupt
    included) the staging folder is removed and `out` is left exactly as it was.
    """
    target = Path(out).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent)
    )
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
        if target.is_dir():
            _carry_over(target, staging, owned)
        _swap(target, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        previous = target.with_name(target.name + PREVIOUS_SUFFIX)
        if not target.exists() and previous.is_dir():
            os.rename(previous, target)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(out: Path, staging: Path, owned: Callable[[str], bool], rel: str = "") -> None:
    """Bring the files of `out` that no run wrote into the staging folder."""
    for path in sorted((out / rel).iterdir() if rel else out.iterdir()):
        name = f"{rel}/{path.name}" if rel else path.name
        dest = staging / name
        if owned(name) and path.is_dir() and not path.is_symlink():
            dest.mkdir(exist_ok=True)
            _carry_over(out, staging, owned, name)
        elif owned(name) or dest.exists():
            continue
        elif path.is_dir() and not path.is_symlink():
            shutil.copytree(path, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(path), str(dest))
    if rel and not any((staging / rel).iterdir()):
        (staging / rel).rmdir()  # an outputs folder (briefs/) this run does not write


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(out: Path, staging: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    try:
        if _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # now the previous run
            return
        previous = out.with_name(out.name + PREVIOUS_SUFFIX)
        shutil.rmtree(previous, ignore_errors=True)
        os.rename(out, previous)
        os.rename(staging, out)
        shutil.rmtree(previous, ignore_errors=True)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV):
            raise
        _replace_contents(out, staging)  # `out` is a mount point: file by file, runs apart


def _replace_contents(out: Path, staging: Path) -> None:
    """Fallback for a folder that cannot be renamed: move every file in, then remove the
    previous run's files that this run does not have."""
    new = {p.relative_to(staging) for p in staging.rglob("*") if not p.is_dir()}
    for rel in sorted(new):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, out / rel)
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out)
        if not path.is_dir() and rel not in new:
            path.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def check_output_file(
    out: str | Path, *, inputs: Iterable[str | Path] = (), option: str = "--out"
) -> Path:
    """Refuse, before any work, an output file that is one of the inputs or cannot be
    written (a system folder, a parent that is a file, no write permission)."""
    given = Path(out).expanduser()
    target = given.resolve()
    for system in _SYSTEM_DIRS:
        if _under(target, Path(system)):
            raise InputError(
                f"{option} {given}: under {system}, a system folder; choose a file of your own"
            )
    if target.is_dir():
        raise InputError(f"{option} {given}: is a folder; name the output file")
    for item in inputs:
        if Path(item).expanduser().resolve() == target:
            raise InputError(
                f"{option} {given}: is also an input; write the result to another file"
            )
    existing = target.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"{option} {given}: {existing} is a file, not a folder; choose another path"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.probe-", dir=target.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        cause = exc.strerror or type(exc).__name__
        raise InputError(f"{option} {given}: cannot write there ({cause})") from None
    return target
