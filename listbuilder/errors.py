"""Exceptions and exit codes shared by the library and the CLI.

Every error a user can cause is a ``ListbuilderError``: the CLI prints its
message as one line on stderr and exits with ``EXIT_ERROR``. Messages name the
file, the place in it and the fix.
"""

from __future__ import annotations

EXIT_SUCCESS = 0
EXIT_FAIL = 1  # the command ran but found a problem (e.g. a CRM push with rejected records)
EXIT_ERROR = 2  # bad input: an unusable file, profile or option
EXIT_INTERNAL = 70  # a bug (sysexits EX_SOFTWARE): one line, "please report"; --debug for more


class ListbuilderError(Exception):
    """Base of every error caused by the user's input, not by a bug."""


class InputError(ListbuilderError):
    """A list, signals file or CRM export that cannot be used."""


class ProfileError(ListbuilderError):
    """An ICP profile that cannot be used. ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ConfigError(ListbuilderError):
    """A providers file, reps file or other configuration that cannot be used."""


class TemplateError(ListbuilderError):
    """A brief or report template that cannot be rendered."""
