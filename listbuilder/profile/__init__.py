"""ICP profiles: load a TOML file from `filters/`, validate it fully, return a `Profile`.

The format is documented at the top of `filters/b2b_saas.toml` (the reference
profile). Every problem of a file is reported at once, each naming the file, the
table and its line, the bad value and the fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from listbuilder.errors import ProfileError
from listbuilder.profile.model import (
    FIELD_KINDS,
    Condition,
    Criterion,
    Group,
    Partial,
    Persona,
    Profile,
    Rule,
)
from listbuilder.profile.nesting import nesting_problem
from listbuilder.profile.parse import parse_profile
from listbuilder.resources import filters_dir
from listbuilder.suggest import did_you_mean, find_closest

__all__ = [
    "FIELD_KINDS",
    "Condition",
    "Criterion",
    "Group",
    "Partial",
    "Persona",
    "Profile",
    "Rule",
    "load_profile",
    "load_profiles",
    "profile_error",
    "shipped_profiles",
]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def profile_error(problems: list[str]) -> ProfileError:
    """A ProfileError whose message is every problem, one per line."""
    return ProfileError("\n".join(problems), problems)


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped in `filters/` (usable as `--profile <name>`)."""
    return sorted(p.stem for p in filters_dir().glob("*.toml"))


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _resolve(path_or_name: str | os.PathLike[str]) -> tuple[Path, str]:
    """The file to read and how to name it in messages."""
    given = Path(path_or_name)
    text = str(path_or_name)
    is_name = isinstance(path_or_name, str) and os.sep not in text and "/" not in text
    if given.is_file() or not is_name:
        return given, text
    stem = text.removesuffix(".toml")
    shipped = filters_dir() / f"{stem}.toml"
    if shipped.is_file():
        return shipped, _display(shipped)
    names = shipped_profiles()
    hint = did_you_mean(find_closest(stem, names, cutoff=60))
    raise profile_error(
        [
            f"{text}: no such file, and no shipped profile of that name{hint} "
            f"(shipped: {', '.join(names) or 'none'})"
        ]
    )


def load_profile(path_or_name: str | os.PathLike[str]) -> Profile:
    """Read and validate one profile (a path, or a bare name like `b2b_saas` from `filters/`).

    Raises ProfileError listing every problem; str() of the error is one problem per line.
    """
    path, source = _resolve(path_or_name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise profile_error([f"{source}: no such file"]) from None
    except IsADirectoryError:
        raise profile_error([f"{source}: is a directory; give a .toml profile file"]) from None
    except OSError as exc:
        raise profile_error([f"{source}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise profile_error(
            [f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8"]
        ) from None
    too_deep = nesting_problem(text, source)
    if too_deep:
        raise profile_error([too_deep])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        if found:
            message = _TOML_POSITION.sub("", message)
            where = f"line {found.group(1)}, column {found.group(2)}"
            raise profile_error([f"{source}: {where}: invalid TOML: {message}"]) from None
        raise profile_error([f"{source}: invalid TOML: {message}"]) from None
    slug = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "profile"
    profile, problems = parse_profile(data, source=source, text=text, path=path, slug=slug)
    if profile is None:
        raise profile_error(problems)
    return profile


def load_profiles(paths: Iterable[str | os.PathLike[str]]) -> list[Profile]:
    """Load several profiles (the first is the primary), reporting the problems of all at once."""
    profiles: list[Profile] = []
    problems: list[str] = []
    for path in paths:
        try:
            profiles.append(load_profile(path))
        except ProfileError as exc:
            problems.extend(exc.problems)
    seen: dict[str, Profile] = {}
    for profile in profiles:
        other = seen.setdefault(profile.slug, profile)
        if other is not profile:
            problems.append(
                f"{profile.path}: same file name as {other.path} ({profile.slug}); scores are "
                f"written to fit_score__{profile.slug}, so rename one of them"
            )
    if problems:
        raise profile_error(problems)
    if not profiles:
        raise profile_error(["no profile given; pass --profile <file or shipped name>"])
    return profiles
